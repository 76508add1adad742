// Package sim wires a pipes file to running pipes: DynamoDB Local, the tables, the embedded
// Momento server when no real endpoint is configured, one stream source and runner per pipe,
// checkpoints, dead-letter queues and execution logs under a state directory. `pipesim run` and
// `pipesim demo` are thin layers over it.
package sim
