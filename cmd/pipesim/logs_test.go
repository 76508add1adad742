package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// logsState is a state dir whose history holds two pipes: big-orders (written by a real run of
// internal/sim's TestVerboseTrace design: a 503 then 200, a REMOVE, a 400 three times; times and
// the port made fixed) and audit (a connection refused).
const logsState = "testdata/logs"

func checkGoldenFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, d)
	}
}

func TestLogsCommand(t *testing.T) {
	cases := []struct {
		name, golden string
		args         []string
	}{
		{"all pipes", "logs.golden", nil},
		{"one pipe", "logs-audit.golden", []string{"--pipe", "audit"}},
		{"whole records", "logs-v.golden", []string{"--pipe", "big-orders", "-v"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s, out, stderr := testStreams()
			c := &logsCmd{streams: s, loc: time.UTC}
			if err := c.Run(context.Background(), append([]string{"--state-dir", logsState}, tt.args...)); err != nil {
				t.Fatalf("pipesim logs %q = %v\n%s", tt.args, err, stderr)
			}
			checkGoldenFile(t, filepath.Join("testdata", tt.golden), out.String())
		})
	}
}

func TestLogsCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--state-dir", t.TempDir()}, 1, "no execution history in"},
		{[]string{"--state-dir", logsState, "--pipe", "nope"}, 1, "pipes with history: audit, big-orders"},
		{[]string{"--state-dir", logsState, "extra"}, 2, `unexpected argument "extra"`},
	}
	for _, tt := range cases {
		s, _, stderr := testStreams()
		err := (&logsCmd{streams: s}).Run(context.Background(), tt.args)
		if code := exitCode(err, stderr); code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("pipesim logs %q exits %d with\n%s\nwant %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

// lockedBuffer is a strings.Builder the follower writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsFollow: --follow prints what is already there, then what is appended, and a pipe whose
// history starts later, until cancelled.
func TestLogsFollow(t *testing.T) {
	state := t.TempDir()
	dir := filepath.Join(state, "executions")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	audit, err := os.ReadFile(filepath.Join(logsState, "executions", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(audit), "\n")
	if err := os.WriteFile(filepath.Join(dir, "audit.jsonl"), []byte(lines[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	s, _, stderr := testStreams()
	s.stdout = &out
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&logsCmd{streams: s, loc: time.UTC, poll: 5 * time.Millisecond}).Run(ctx, []string{"--state-dir", state, "--follow"})
	}()
	waitForText(t, &out, "ExecutionStarted")
	f, err := os.OpenFile(filepath.Join(dir, "audit.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(lines[1][:20]) // half a line is not printed until it is whole
	time.Sleep(20 * time.Millisecond)
	f.WriteString(lines[1][20:] + strings.Join(lines[2:], ""))
	f.Close()
	waitForText(t, &out, "ExecutionFailed: error: target invocation failed")
	big, err := os.ReadFile(filepath.Join(logsState, "executions", "big-orders.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big-orders.jsonl"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	waitForText(t, &out, "big-orders")
	cancel()
	if err := <-done; err != nil {
		t.Errorf("pipesim logs --follow = %v\n%s", err, stderr)
	}
	if stderr.Len() > 0 {
		t.Errorf("pipesim logs --follow complained:\n%s", stderr)
	}
	if n := strings.Count(out.String(), "\n"); n != len(lines)-1+48 {
		t.Errorf("pipesim logs --follow printed %d lines; want %d:\n%s", n, len(lines)-1+48, out.String())
	}
}

func waitForText(t *testing.T, out *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
