// Package httpdest is the HTTP destination stage: it turns a record and its rendered body into the
// request an EventBridge API destination would send, sends it, and classifies the answer the way
// Pipes does. It knows nothing about batches, retries or dead-letter queues: the pipe runtime
// decides those from the Result this package returns.
package httpdest
