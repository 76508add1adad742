package ddblocal

import (
	"context"
	"os"
	"sync"
	"testing"
)

// ddblocaltest cannot serve this package's own tests (it imports ddblocal): they share one
// DynamoDB Local the same way, through ForTest.
var shared struct {
	once sync.Once
	inst *Instance
	err  error
}

// ForTest is ddblocaltest.Endpoint for this package's tests.
func ForTest(tb testing.TB) string {
	tb.Helper()
	shared.once.Do(func() {
		shared.inst, shared.err = Start(context.Background(), Options{})
	})
	if shared.err != nil {
		tb.Fatalf("ForTest: %v", shared.err)
	}
	return shared.inst.Endpoint
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.inst != nil {
		shared.inst.Close()
	}
	os.Exit(code)
}
