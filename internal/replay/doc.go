// Package replay reads captured DynamoDB stream records in every form users have them (JSON
// Lines, a JSON array, `aws dynamodbstreams get-records` output, Lambda-style {"Records": [...]}
// events), normalises each to exactly the record Pipes delivers, and feeds them to the pipes of a
// pipes file through pipe.Source, so replay runs the same runtime as `pipesim run`.
package replay
