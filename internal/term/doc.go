// Package term is pipesim's terminal: its standard output and standard error behind one lock.
// pipesim writes to them from many goroutines at once (a command's own lines, the execution
// trace of every pipe, its diagnostics, DynamoDB Local's output); each Write goes through whole,
// in the order the lock is taken, so lines never tear or interleave, on a terminal or in a
// buffer a test reads.
package term
