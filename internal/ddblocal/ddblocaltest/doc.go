// Package ddblocaltest gives a package's tests one DynamoDB Local, shared by every test of the
// test binary. It is imported by tests only, so that the pipesim binary does not link the
// testing package (go list -deps ./cmd/pipesim lists no testing).
//
// A package whose tests need DynamoDB Local calls Main from its TestMain: the instance starts on
// the first test that asks for it (Endpoint) and is stopped when the tests are done.
package ddblocaltest
