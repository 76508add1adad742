package pipe

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/stream"
)

// refusingURL is a loopback address where nothing listens: every request is refused, which
// Pipes retries without counting it against MaximumRetryAttempts.
func refusingURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestMaxAttemptsStopsTheRunner: a target that never answers, with MaximumRecordAgeInSeconds -1,
// is retried for ever on AWS; with Options.MaxAttempts the runner stops after that many
// executions of the batch, acknowledges nothing more and says so.
func TestMaxAttemptsStopsTheRunner(t *testing.T) {
	now := time.Now()
	p := testPipe(t, refusingURL(t), setup{maxRetries: 2, maxAge: -1})
	h := newHarness(p, stream.Batch{ShardID: "shard-1", Records: []stream.Record{record(1, "INSERT", "Austin", now)}},
		stream.Batch{ShardID: "shard-1", Records: []stream.Record{record(2, "INSERT", "Boston", now)}})
	h.runner.Opts.MaxAttempts = 4
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := h.runner.Run(ctx)
	var nd *NotDeliveredError
	if !errors.As(err, &nd) || nd.Attempts != 4 || nd.Records != 1 || nd.Pipe != "p1" {
		t.Fatalf("Run = %v; want a NotDeliveredError after 4 attempts at 1 record", err)
	}
	if !strings.Contains(err.Error(), `pipe "p1": stopped after 4 attempt(s) at a batch of 1 record(s), the last target invocation failed`) {
		t.Errorf("Run error = %q", err)
	}
	if len(h.src.acked) != 0 || len(h.dlq.msgs) != 0 {
		t.Errorf("acked %v, dead-lettered %d; want neither: the batch was not delivered", h.src.acked, len(h.dlq.msgs))
	}
	var outcomes []string
	for _, e := range h.traces {
		outcomes = append(outcomes, e.Outcome)
	}
	if got := strings.Join(outcomes, ","); got != "retrying,retrying,retrying,not delivered" {
		t.Errorf("outcomes = %s; want three retries, then not delivered", got)
	}
}

// TestMaxAttemptsKeepsPipeSemantics: a counted failure reaches MaximumRetryAttempts and the
// dead-letter queue as on AWS before MaxAttempts (set to MaximumRetryAttempts+1) comes into play.
func TestMaxAttemptsKeepsPipeSemantics(t *testing.T) {
	srv := newStatusServer(t, http.StatusInternalServerError, http.StatusInternalServerError, http.StatusInternalServerError)
	p := testPipe(t, srv.URL, setup{maxRetries: 1, maxAge: -1})
	now := time.Now()
	h := newHarness(p, stream.Batch{ShardID: "shard-1", Records: []stream.Record{record(1, "INSERT", "Austin", now)}},
		stream.Batch{ShardID: "shard-1", Records: []stream.Record{record(2, "INSERT", "Boston", now)}})
	h.runner.Opts.MaxAttempts = 2
	h.run(t)
	if len(h.dlq.msgs) != 1 || strings.Join(h.src.acked, ",") != "000000000000000000001,000000000000000000002" {
		t.Errorf("dead-lettered %d, acked %v; want the first batch dead-lettered after 2 attempts and both acknowledged", len(h.dlq.msgs), h.src.acked)
	}
}
