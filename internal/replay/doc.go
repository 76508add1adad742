// Package replay reads captured DynamoDB stream records in every form users have them (JSON
// Lines, a JSON array, `aws dynamodbstreams get-records` output, Lambda-style {"Records": [...]}
// events), normalises each to exactly the record Pipes delivers, and feeds them to the pipes of a
// pipes file through pipe.Source, so replay runs the same runtime as `pipesim run`.
//
// Every pipe sees every record: one rawjson.Doc per record, frozen, shared by the pipes. A
// line already shaped as Pipes delivers it is checked in one pass that leaves where eventName,
// dynamodb, Keys, NewImage and OldImage are in the Doc's memo (Doc.Remember), and the filters of
// the pipes that read the record are decided once, in the feed, before the Doc is frozen
// (filter.Group).
package replay
