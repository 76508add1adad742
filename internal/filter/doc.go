// Package filter compiles EventBridge event patterns and matches them against
// raw JSON events, as EventBridge Pipes applies FilterCriteria to DynamoDB
// stream records.
//
// Patterns are parsed and validated once, by CompilePattern or
// CompileFilters; Match then reads the event bytes directly, without building
// maps, and allocates nothing for the common operators.
package filter
