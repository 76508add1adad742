// Package dlq reads the dead-letter queues a design's pipes write to, wherever they are: the
// local queue files under the state directory (pipe.FileQueues) or real SQS queues (sqsdlq).
// `pipesim dlq` lists and shows their messages and redrives them through a Store, whichever the
// queues are; writing dead letters stays with the runtime (pipe.DeadLetters).
package dlq
