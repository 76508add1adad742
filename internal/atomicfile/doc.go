// Package atomicfile writes files that must never be seen half-written (checkpoints, dead-letter
// queues, keys and certificates): the data goes to a temporary file in the same directory, is
// synced, and then takes the file's name in one step. A reader sees the old file or the new one,
// and a crash leaves at most a stray temporary file, never a torn one.
package atomicfile
