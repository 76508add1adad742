// Package stream is the DynamoDB Streams source of a pipe: it reads every
// shard of a stream with its own iterators, parents before children, polls
// each shard four times a second as EventBridge Pipes does, batches records
// per shard, and converts them to exactly the JSON Pipes delivers.
package stream
