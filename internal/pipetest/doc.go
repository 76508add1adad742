// Package pipetest runs declarative pipe tests: YAML files beside a pipes file, each case giving
// one stream record (or a DynamoDB change written plainly) and what each pipe must do with it:
// filter it out, or send a given request, and, with mocked destination answers, retry and
// dead-letter it. Cases run through the same runtime as `pipesim run`.
package pipetest
