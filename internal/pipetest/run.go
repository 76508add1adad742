package pipetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/replay"
	"github.com/pipesim/pipesim/internal/stream"
)

// defaultMaxAttempts ends a case whose pipe is still retrying.
const defaultMaxAttempts = 20

// Result is one case's result.
type Result struct {
	Case     string
	Failures []string // empty when the case passed
	Err      error    // the case could not run (its record is bad)
	Elapsed  time.Duration
}

// Passed reports whether the case passed.
func (r Result) Passed() bool { return r.Err == nil && len(r.Failures) == 0 }

// observed is what one pipe did with a case's record.
type observed struct {
	outcome  string
	requests []*httpdest.Request
	dlq      [][]byte
}

// Run runs every case in file order and returns their results. Nothing is sent: each pipe's
// destination answers as the case's respond list says (200 when none is given). It blocks until
// every case is done or ctx is cancelled.
func (f *File) Run(ctx context.Context) []Result {
	results := make([]Result, 0, len(f.Cases))
	for i, c := range f.Cases {
		start := time.Now()
		res := Result{Case: c.Name}
		rec, err := f.record(c, i)
		if err != nil {
			res.Err = err
		} else {
			res.Failures = f.runCase(ctx, c, rec)
		}
		res.Elapsed = time.Since(start)
		results = append(results, res)
	}
	return results
}

func (f *File) record(c *Case, i int) (stream.Record, error) {
	arn, region := f.streamARN(), f.Config.Region
	if c.Change != nil {
		return c.Change.Record(c.Name, i, arn, region)
	}
	return recordOf(c.Record, replay.Normalize{StreamARN: arn, Region: region})
}

func (f *File) streamARN() string {
	for _, p := range f.Config.Pipes {
		if p.Running {
			return replay.StreamARN(f.Config, p)
		}
	}
	return ""
}

// runCase runs the record through each pipe the case expects something of, in pipes-file order.
func (f *File) runCase(ctx context.Context, c *Case, rec stream.Record) []string {
	var failures []string
	for _, p := range f.Config.Pipes {
		e, ok := c.Expect[p.Name]
		if !ok {
			continue
		}
		obs, err := f.runPipe(ctx, c, p, e, rec)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", p.Name, err))
			continue
		}
		failures = append(failures, check(p.Name, e, obs)...)
	}
	return failures
}

// runPipe runs one pipe over the record with a mocked destination and dead-letter queue. The
// clock stands still at the record's creation time, so retries never age the record.
func (f *File) runPipe(ctx context.Context, c *Case, p *config.Pipe, e *Expect, rec stream.Record) (*observed, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	maxAttempts := c.MaxAttempts
	if maxAttempts == 0 {
		maxAttempts = defaultMaxAttempts
	}
	obs := &observed{}
	sender := &mockSender{responses: e.Respond, max: maxAttempts, stop: cancel, obs: obs}
	now := rec.ApproximateCreationDateTime
	if now.IsZero() {
		now = DefaultTime
	}
	rec.ShardID = "shardId-test-00000001"
	r := &pipe.Runner{Pipe: p, Source: &pipe.OneBatch{Batch: stream.Batch{ShardID: rec.ShardID, Records: []stream.Record{rec}}}, Sender: sender, DLQ: &memoryQueue{obs: obs},
		SourceARN: replay.StreamARN(f.Config, p),
		Opts:      pipe.Options{Backoff: time.Microsecond, MaxBackoff: time.Microsecond, Now: func() time.Time { return now }},
		Trace:     func(x pipe.Execution) { obs.outcome = x.Outcome },
	}
	if err := r.Run(ctx); err != nil {
		return nil, err
	}
	if sender.exhausted {
		obs.outcome = Retrying
	}
	if obs.outcome == pipe.OutcomeFiltered {
		obs.outcome = Filtered
	}
	return obs, nil
}

// mockSender answers with the case's responses in order, the last repeating, and stops the pipe
// after max attempts.
type mockSender struct {
	responses []*Response
	max       int
	stop      func()
	obs       *observed
	exhausted bool
}

var (
	errUnreachable = errors.New("mocked connection failure")
	errTimeout     = fmt.Errorf("mocked timeout: no response within %s", httpdest.Timeout)
)

// Send records the request and returns the next mocked answer; it never blocks.
func (m *mockSender) Send(ctx context.Context, _ *httpdest.Destination, req *httpdest.Request) (httpdest.Result, error) {
	if len(m.obs.requests) >= m.max {
		m.exhausted = true
		m.stop()
		return httpdest.Result{}, context.Canceled
	}
	m.obs.requests = append(m.obs.requests, req)
	resp := &Response{Status: http.StatusOK}
	if n := len(m.responses); n > 0 {
		resp = m.responses[min(len(m.obs.requests), n)-1]
	}
	if strings.EqualFold(resp.Error, "timeout") {
		return httpdest.Result{Class: httpdest.TimedOut, Err: errTimeout}, nil
	}
	if resp.Error != "" {
		return httpdest.Result{Class: httpdest.Internal, Err: fmt.Errorf("%w: %s", errUnreachable, resp.Error)}, nil
	}
	h := http.Header{}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	return httpdest.Result{Class: httpdest.Classify(resp.Status), Status: resp.Status, Header: h, Body: []byte(resp.Body)}, nil
}

// memoryQueue keeps dead-letter messages.
type memoryQueue struct {
	mu  sync.Mutex
	obs *observed
}

func (q *memoryQueue) Send(_ context.Context, _ *config.Queue, body []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.obs.dlq = append(q.obs.dlq, body)
	return nil
}
