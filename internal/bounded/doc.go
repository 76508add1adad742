// Package bounded is the one way pipesim reads a file (or an answer) whole: with a size limit.
// A pipes file, a .env file, a pipe test file, a checkpoint or dead-letter queue file, a file://
// argument: each has a limit far above what it holds in practice, so that a wrong path to a huge
// file or an endless one (/dev/zero, /dev/urandom, a FIFO that never closes) is a clear error
// naming the file and the limit, after reading at most limit+1 bytes, instead of all of memory.
// Inputs read as a stream (replay's records) are bounded per record instead; see
// internal/replay.
package bounded
