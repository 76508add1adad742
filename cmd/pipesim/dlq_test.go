package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/stream"
)

func TestDLQListAndShow(t *testing.T) {
	state := t.TempDir()
	q := &pipe.FileQueues{Dir: filepath.Join(state, "dlq")}
	created := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	batch := stream.Batch{ShardID: "shardId-1", Records: []stream.Record{
		{SequenceNumber: "000000000000000000011", ApproximateCreationDateTime: created},
		{SequenceNumber: "000000000000000000012", ApproximateCreationDateTime: created}}}
	body := pipe.DeadLetterMessage("arn:aws:pipes:us-east-1:000000000000:pipe/p1", "arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x",
		pipe.RetryAttemptsExhausted, batch, created)
	if err := q.Send(context.Background(), &config.Queue{Name: "dlq1"}, body); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	cmd := &dlqCmd{newStreams(nil, &out, &errOut)}
	if err := cmd.Run(context.Background(), []string{"list", "--state-dir", state}); err != nil {
		t.Fatalf("dlq list: %v (%s)", err, errOut.String())
	}
	for _, want := range []string{"dlq1: 1 message(s)", "p1  RetryAttemptsExhausted  shardId-1  000000000000000000011..000000000000000000012  (2 record(s))"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dlq list output:\n%s\nwant it to contain %q", out.String(), want)
		}
	}
	out.Reset()
	if err := cmd.Run(context.Background(), []string{"show", "--state-dir", state, "--queue", "dlq1"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"partnerResourceArn": "arn:aws:pipes:us-east-1:000000000000:pipe/p1"`) {
		t.Errorf("dlq show output:\n%s", out.String())
	}
	if err := cmd.Run(context.Background(), []string{"show", "--state-dir", state, "--queue", "dlq1", "no-such-id"}); err == nil {
		t.Error("dlq show of an unknown message ID: no error")
	}
	if err := cmd.Run(context.Background(), []string{"frobnicate"}); err == nil {
		t.Error("dlq frobnicate: no error")
	}
}

// TestDLQBadQueue: a --queue that is a path, or names no queue, is an error with a non-zero exit
// status (dlq show --queue ../../etc/passwd printed nothing and exited 0).
func TestDLQBadQueue(t *testing.T) {
	state := t.TempDir()
	if err := (&pipe.FileQueues{Dir: filepath.Join(state, "dlq")}).Send(context.Background(), &config.Queue{Name: "dlq1"}, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"show", "--queue", "../../etc/passwd"}, 2, `--queue: queue name "../../etc/passwd": want 1-80 characters`},
		{[]string{"list", "--queue", "/etc/passwd"}, 2, `--queue: queue name "/etc/passwd"`},
		{[]string{"redrive", "--queue", "../x"}, 2, `--queue: queue name "../x"`},
		{[]string{"show", "--queue", "unknown-dlq"}, 1, `no dead-letter queue "unknown-dlq" in ` + filepath.Join(state, "dlq")},
		{[]string{"list", "--queue", "unknown-dlq"}, 1, `no dead-letter queue "unknown-dlq"`},
	}
	for _, c := range cases {
		s, out, _ := testStreams()
		err := (&dlqCmd{streams: s}).Run(context.Background(), append(c.args, "--state-dir", state))
		code := exitCode(err, s.stderr)
		if code != c.code || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("pipesim dlq %q = exit %d, %v; want exit %d, an error containing %q", c.args, code, err, c.code, c.want)
		}
		if out.Len() > 0 {
			t.Errorf("pipesim dlq %q printed %q; want nothing on stdout", c.args, out)
		}
	}
}

// TestDLQPurge: purge removes every message of a queue and says how many; a queue that does not
// exist is an error.
func TestDLQPurge(t *testing.T) {
	state := t.TempDir()
	q := &pipe.FileQueues{Dir: filepath.Join(state, "dlq")}
	for range 2 {
		if err := q.Send(context.Background(), &config.Queue{Name: "dlq1"}, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	s, out, _ := testStreams()
	if err := (&dlqCmd{s}).Run(context.Background(), []string{"purge", "--state-dir", state, "--queue", "dlq1"}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "dlq1: purged 2 message(s)\n"; got != want {
		t.Errorf("dlq purge printed %q; want %q", got, want)
	}
	if left, _ := q.Messages("dlq1"); len(left) != 0 {
		t.Errorf("messages after purge = %v; want none", left)
	}
	err := (&dlqCmd{s}).Run(context.Background(), []string{"purge", "--state-dir", state, "--queue", "unknown-dlq"})
	if code := exitCode(err, s.stderr); code != 1 || !strings.Contains(err.Error(), `no dead-letter queue "unknown-dlq"`) {
		t.Errorf("dlq purge of a queue that does not exist = exit %d, %v; want 1 naming the queue", code, err)
	}
	err = (&dlqCmd{s}).Run(context.Background(), []string{"purge", "--state-dir", state})
	if code := exitCode(err, s.stderr); code != 2 {
		t.Errorf("dlq purge without --queue = exit %d, %v; want 2", code, err)
	}
}

// TestDLQRedriveQueues: redrive of a queue neither in the design nor ever written to is an error;
// a queue of the design nothing was dead-lettered to has nothing to redrive.
func TestDLQRedriveQueues(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	endpoint := ddblocaltest.Endpoint(t)
	state := t.TempDir()
	s, out, _ := testStreams()
	err := (&dlqCmd{s}).Run(context.Background(), []string{"redrive", "--dynamodb-endpoint", endpoint, "--state-dir", state, "--queue", "unknown-dlq"})
	if code := exitCode(err, s.stderr); code != 1 || !strings.Contains(err.Error(), `no dead-letter queue "unknown-dlq"`) {
		t.Errorf("dlq redrive of a queue that does not exist = exit %d, %v; want 1 naming the queue", code, err)
	}
	err = (&dlqCmd{s}).Run(context.Background(), []string{"redrive", "--dynamodb-endpoint", endpoint, "--state-dir", state, "--queue", "weather-stats-demo-dlq"})
	if err != nil || !strings.Contains(out.String(), "weather-stats-demo-dlq: no messages to redrive") {
		t.Errorf("dlq redrive of the design's empty queue = %v, printed %q; want no error and 'no messages to redrive'", err, out.String())
	}
	err = (&dlqCmd{s}).Run(context.Background(), []string{"redrive", "--fresh", "--queue", "weather-stats-demo-dlq"})
	if code := exitCode(err, s.stderr); code != 2 {
		t.Errorf("dlq redrive --fresh = exit %d, %v; want 2", code, err)
	}
}
