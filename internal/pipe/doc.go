// Package pipe is the runtime around the stages: it reads batches from a source, filters each
// record, renders the input template, sends the API destination request, and decides, as Pipes
// does, whether to retry, dead-letter or move on. It writes checkpoints only when a batch is done
// and the Pipes execution logs of every execution.
package pipe
