// Package sqsdlqtest starts, for tests, a real SQS-compatible server: goaws, pinned as a tool in
// go.mod. It is imported by tests only, so that the pipesim binary does not link the testing
// package.
package sqsdlqtest
