package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/momento"
	momentogrpc "github.com/pipesim/pipesim/internal/momento/grpc"
	"github.com/pipesim/pipesim/internal/sim"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitForURL polls out until the serve banner appears and returns the URL in it.
func waitForURL(t *testing.T, out *syncBuffer, done <-chan error) string {
	t.Helper()
	return waitForLine(t, out, done, "momento: serving on ")
}

// waitForLine polls out until a line holding marker appears and returns the rest of that line.
func waitForLine(t *testing.T, out *syncBuffer, done <-chan error, marker string) string {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, rest, ok := strings.Cut(out.String(), marker); ok {
			return strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0])
		}
		select {
		case err := <-done:
			t.Fatalf("the command ended before printing %q: %v", marker, err)
		case <-tick.C:
		}
	}
}

func TestMomentoServe(t *testing.T) {
	const token = "serve-test-token"
	t.Setenv("MOMENTO_API_KEY", token)
	var stdout, stderr syncBuffer
	cmd := &momentoCmd{streams: newStreams(nil, &stdout, &stderr)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- cmd.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0", "--state-dir", t.TempDir(),
			"--cache", "c1", "--cache", "c2", "--fault", "cache-put=503", "--poll-timeout", "1s"})
	}()
	url := waitForURL(t, &stdout, done)
	grpcAddr := strings.Fields(waitForLine(t, &stdout, done, "momento: gRPC on "))[0]
	c := &momento.Client{BaseURL: url, Token: token}
	err := c.Set(ctx, "c1", "k", []byte("v"), time.Minute)
	var se *momento.StatusError
	if !errors.As(err, &se) || se.Status != 503 {
		t.Errorf("Set under --fault cache-put=503 = %v; want a 503", err)
	}
	if err := c.Set(ctx, "c2", "k", []byte("v"), time.Minute); err != nil {
		t.Errorf("Set after the fault: %v", err)
	}
	if got, found, err := c.Get(ctx, "c2", "k"); err != nil || !found || string(got) != "v" {
		t.Errorf("Get = %q, %t, %v; want %q", got, found, err, "v")
	}
	g, err := momentogrpc.Dial(grpcAddr, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got, found, err := g.Get(ctx, "c2", "k"); err != nil || !found || string(got) != "v" {
		t.Errorf("gRPC Get of the item set over HTTP = %q, %t, %v; want %q (one store)", got, found, err, "v")
	}
	bad := &momento.Client{BaseURL: url, Token: "other"}
	if err := bad.Delete(ctx, "c1", "k"); !errors.As(err, &se) || se.Status != 401 {
		t.Errorf("Delete with another token than $MOMENTO_API_KEY = %v; want a 401", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("momento serve after cancel = %v; want nil", err)
	}
	for _, want := range []string{"caches: c1, c2", "fault cache-put=503", "route=cache-put", "configured token"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("momento serve stderr = %q; want it to contain %q", stderr.String(), want)
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), token) {
		t.Errorf("momento serve output contains the token")
	}
}

func TestMomentoServeBadArgs(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string // in stderr or the error
	}{
		{nil, 2, "Available Commands:"},
		{[]string{"serve", "--max-bytes", "lots"}, 2, "want a positive size"},
		{[]string{"serve", "--limits=speed=3"}, 2, `unknown limit "speed"`},
		{[]string{"serve", "--too-large-status", "99"}, 2, "400 to 599"},
		{[]string{"key", "--addr", "127.0.0.1:0"}, 2, "fixed port"},
		{[]string{"get", "c"}, 2, "want 2 argument(s) (CACHE KEY), got 1"},
		{[]string{"start"}, 2, `unknown command "start" for "pipesim momento"`},
		{[]string{"sever"}, 2, "did you mean serve?"},
		{[]string{"serve", "--fault", "cache-post=503"}, 2, `unknown route "cache-post"`},
		{[]string{"serve", "--fault", "cache-put=503", "--fault", "cache-put=500"}, 2, "already given"},
		{[]string{"serve", "--cache", ""}, 2, "empty cache name"},
		{[]string{"serve", "--poll-timeout", "0s"}, 2, "not positive"},
		{[]string{"serve", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"serve", "-h"}, 0, "cache-put=refuse:3"},
		{[]string{"set", "c", "k", "v", "--ttl", "soon"}, 2, `invalid argument "soon" for "--ttl" flag`},
	}
	for _, tt := range tests {
		t.Setenv("MOMENTO_API_KEY", "help-must-not-show-this")
		var stdout, stderr syncBuffer
		cmd := &momentoCmd{streams: newStreams(nil, &stdout, &stderr)}
		err := cmd.Run(context.Background(), tt.args)
		if code := exitCode(err, &stderr); code != tt.wantCode {
			t.Errorf("momento %q = %v; want exit code %d", tt.args, err, tt.wantCode)
			continue
		}
		text := stderr.String() + stdout.String() // help asked for is on stdout
		if !strings.Contains(text, tt.wantErr) {
			t.Errorf("momento %q output %q; want it to contain %q", tt.args, text, tt.wantErr)
		}
		if strings.Contains(text, "help-must-not-show-this") {
			t.Errorf("momento %q output shows $MOMENTO_API_KEY", tt.args)
		}
	}
}

func TestMomentoServeAddrInUse(t *testing.T) {
	r, err := momento.NewServer(momento.Config{}).Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	defer r.Close()
	var stdout, stderr syncBuffer
	cmd := &momentoCmd{streams: newStreams(nil, &stdout, &stderr)}
	addr := strings.TrimPrefix(r.URL(), "http://")
	if err := cmd.Run(context.Background(), []string{"serve", "--addr", addr, "--grpc-addr", "127.0.0.1:0", "--state-dir", t.TempDir()}); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("momento serve on a bound address = %v; want an error naming %s", err, addr)
	}
}

// TestSimMomentoFlags: run and demo configure the embedded Momento with --momento-* flags.
func TestSimMomentoFlags(t *testing.T) {
	var f simFlags
	opts, err := parseSimFlags(&f, []string{"--momento-api-key", "k", "--momento-grpc-addr", "127.0.0.1:0", "--momento-limits",
		"--momento-max-bytes", "2MiB", "--momento-too-large-status", "400"})
	if err != nil {
		t.Fatal(err)
	}
	want := sim.EmbeddedOptions{APIKey: "k", GRPCAddr: "127.0.0.1:0", Limits: &momento.DocumentedLimits, MaxBytes: 2 << 20, TooLargeStatus: 400}
	if diff := cmp.Diff(want, opts.Momento); diff != "" {
		t.Errorf("--momento-* flags (-want +got):\n%s", diff)
	}
	for _, bad := range [][]string{{"--momento-too-large-status", "200"}, {"--momento-max-bytes", "-1"}, {"--momento-limits=x=1"}} {
		var f simFlags
		if _, err := parseSimFlags(&f, bad); err == nil {
			t.Errorf("run %q = nil error; want a usage error", bad)
		}
	}
}
