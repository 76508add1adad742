package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/sim"
)

// momentoCLI runs one `pipesim momento` command and returns its stdout and error.
func momentoCLI(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr syncBuffer
	err := (&momentoCmd{streams: streams{stdout: &stdout, stderr: &stderr}}).Run(ctx, args)
	return stdout.String(), err
}

// TestMomentoClientCommands drives the client subcommands against an embedded Momento found
// through MOMENTO_API_ENDPOINT and MOMENTO_API_KEY, as a user pastes them from run's output.
func TestMomentoClientCommands(t *testing.T) {
	state := t.TempDir()
	emb, err := sim.StartEmbedded(sim.EmbeddedOptions{StateDir: state, Caches: []string{"c"}})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	t.Setenv("MOMENTO_API_ENDPOINT", emb.URL)
	t.Setenv("MOMENTO_API_KEY", emb.Token)
	t.Setenv("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "")
	ctx := t.Context()

	if _, err := momentoCLI(t, ctx, "set", "c", "New York", `{"MaxTemp": "80"}`, "--ttl", "60s"); err != nil {
		t.Fatalf("set: %v", err)
	}
	if out, err := momentoCLI(t, ctx, "get", "c", "New York"); err != nil || out != "{\"MaxTemp\": \"80\"}\n" {
		t.Errorf("get = %q, %v; want the value", out, err)
	}
	if _, err := momentoCLI(t, ctx, "delete", "c", "New York"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = momentoCLI(t, ctx, "get", "c", "New York")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(err.Error(), "miss") {
		t.Errorf("get of a deleted key = %v; want exit 1 saying miss (as the momento CLI exits on a miss)", err)
	}
	if _, err := momentoCLI(t, ctx, "get", "nope", "k"); !errors.Is(err, momento.ErrCacheNotFound) {
		t.Errorf("get on a missing cache = %v; want cache not found", err)
	}

	subCtx, cancel := context.WithCancel(ctx)
	var subOut, subErr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- (&momentoCmd{streams: streams{stdout: &subOut, stderr: &subErr}}).Run(subCtx, []string{"subscribe", "c", "t"})
	}()
	for !strings.Contains(subOut.String(), "hello") {
		if _, err := momentoCLI(t, ctx, "publish", "c", "t", "hello"); err != nil {
			t.Fatalf("publish: %v", err)
		}
		select {
		case err := <-done:
			t.Fatalf("subscribe ended: %v", err)
		case <-t.Context().Done():
		default:
		}
		waitABit()
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("subscribe after Ctrl-C = %v; want nil", err)
	}

	if out, err := momentoCLI(t, ctx, "list-caches", "--state-dir", state); err != nil || out != "c\n" {
		t.Errorf("list-caches (TLS, the key's endpoint, the state dir's CA) = %q, %v; want c", out, err)
	}
	if out, err := momentoCLI(t, ctx, "list-caches", "--plaintext", "--grpc-addr", emb.GRPCAddr); err != nil || out != "c\n" {
		t.Errorf("list-caches --plaintext = %q, %v; want c", out, err)
	}
}

// TestMomentoKeyMatchesServe: the key `momento key` prints for an address is the one `momento
// serve` prints (and accepts) there with the same state dir, so an application's .env keeps
// working across restarts.
func TestMomentoKeyMatchesServe(t *testing.T) {
	t.Setenv("MOMENTO_API_KEY", "")
	state := t.TempDir()
	addr := freeLoopbackAddr(t)
	out, err := momentoCLI(t, context.Background(), "key", "--addr", addr, "--state-dir", state, "--dynamodb-endpoint", "http://127.0.0.1:8000")
	if err != nil {
		t.Fatal(err)
	}
	key := lineAfter(t, out, "MOMENTO_API_KEY=")
	if !strings.HasSuffix(lineAfter(t, out, "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH="), "/"+momento.CAFile) {
		t.Errorf("momento key = %q; want the CA file", out)
	}
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&momentoCmd{streams: streams{stdout: &stdout, stderr: &stderr}}).Run(ctx,
			[]string{"serve", "--addr", "127.0.0.1:0", "--grpc-addr", addr, "--state-dir", state, "--quiet"})
	}()
	if got := waitForLine(t, &stdout, done, "momento: API key: "); got != key {
		t.Errorf("momento serve's key = %q; want momento key's %q", got, key)
	}
	if got := waitForLine(t, &stdout, done, "momento: gRPC on "); !strings.HasPrefix(got, addr+" ") {
		t.Errorf("gRPC line = %q; want %s", got, addr)
	}
	cancel()
	<-done
}

func waitABit() { <-time.After(20 * time.Millisecond) }
