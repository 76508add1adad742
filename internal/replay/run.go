package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/filter"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

// StreamLabel is the label of the stream ARN replay makes up for a pipe whose Source is a table
// name; real labels are the stream's creation time.
const StreamLabel = "1970-01-01T00:00:00.000"

// Run configures a replay.
type Run struct {
	Config *config.Config
	Feed   Options
	// DryRun, if set, receives the request of every execution as JSON Lines instead of it being
	// sent; every execution then succeeds.
	DryRun io.Writer
	Sender pipe.Sender      // used when DryRun is nil
	DLQ    pipe.DeadLetters // nil: what would be dead-lettered is dropped
	// ExecLog opens a pipe's execution log; nil (or a nil log) logs nothing.
	ExecLog func(p *config.Pipe) (*pipe.ExecLog, error)
	Retry   pipe.Options
	// WallClock judges record age and ingestion time by the wall clock instead of the replay
	// clock (Source.Now).
	WallClock bool
	// StreamARN is the eventSourceARN of records that carry none; "" derives it from the first
	// running pipe's Source.
	StreamARN string
	Logger    *slog.Logger
	// Trace hears of every execution, after the summary counted it.
	Trace func(pipe.Execution)
	// MaxAttempts bounds the executions of a batch that a pipe would go on retrying (see
	// pipe.Options.MaxAttempts): the pipe then stops, and the rest of its records are not
	// delivered. 0 gives each pipe MaximumRetryAttempts+1, or DefaultMaxAttempts when
	// MaximumRetryAttempts is -1 (retry for ever): a replay ends, a live pipe need not.
	MaxAttempts int
}

// DefaultMaxAttempts is the executions of one batch a replay makes for a pipe that would retry
// it for ever.
const DefaultMaxAttempts = 10

// maxAttempts is the bound on executions of a batch of pipe p.
func (r *Run) maxAttempts(p *config.Pipe) int {
	switch {
	case r.MaxAttempts > 0:
		return r.MaxAttempts
	case p.Stream.MaxRetries >= 0:
		return p.Stream.MaxRetries + 1
	}
	return DefaultMaxAttempts
}

// Summary is what a replay did.
type Summary struct {
	Form    Form
	Records int64 // records read
	Bad     int64 // pieces of input skipped as not records
	Pipes   []*PipeSummary
}

// PipeSummary counts one pipe's work (complete once Replay returned). Records are counted, not
// executions, except for Sent and Failed, which count requests.
type PipeSummary struct {
	Name         string
	Matched      int64 // records a filter matched (all of them without filters)
	Sent         int64 // requests sent (in a dry run: written)
	Failed       int64 // requests that failed, retried or not
	Succeeded    int64 // records delivered
	DeadLettered int64
	Dropped      int64 // failed records of a pipe without a dead-letter queue
	// NotDelivered counts the records read that the pipe did not finish with: it stopped
	// after MaxAttempts executions of a batch (or the replay was cancelled).
	NotDelivered int64
	// Stopped is why the pipe stopped before the end of its input; nil when it did not.
	Stopped error
}

// pipeCounts are a pipe's counters while it runs. The pipe's goroutines (the one reading, for
// filtered records, and its lanes') add to them at once, with atomics rather than a lock they
// would contend for; each pipe's counters have cache lines of their own, so that the lanes of
// different pipes, on different cores, do not take the same line from each other for every
// execution.
type pipeCounts struct {
	_                                                       [64]byte
	matched, sent, failed, succeeded, deadLettered, dropped atomic.Int64
	_                                                       [64]byte
}

// count adds the execution.
func (c *pipeCounts) count(e pipe.Execution) {
	n := int64(len(e.Records))
	if e.Request != nil {
		c.sent.Add(1)
	}
	switch e.Outcome {
	case pipe.OutcomeFiltered:
		return
	case pipe.OutcomeSucceeded:
		c.succeeded.Add(n)
	case pipe.OutcomeRetrying, pipe.OutcomeNotDelivered:
		c.failed.Add(1)
		return // the same records are counted again when they are done, or as not delivered
	case pipe.OutcomeDeadLettered:
		c.deadLettered.Add(n)
	case pipe.OutcomeDropped:
		c.dropped.Add(n)
	}
	if e.Outcome != pipe.OutcomeSucceeded && e.Request != nil {
		c.failed.Add(1)
	}
	c.matched.Add(n)
}

// fill copies the counts into the pipe's summary, once the pipe is done.
func (c *pipeCounts) fill(s *PipeSummary) {
	s.Matched, s.Sent, s.Failed = c.matched.Load(), c.sent.Load(), c.failed.Load()
	s.Succeeded, s.DeadLettered, s.Dropped = c.succeeded.Load(), c.deadLettered.Load(), c.dropped.Load()
}

// Replay reads the input and runs every RUNNING pipe over all of its records, each pipe with its
// own source, in input order. It blocks until the input is read and every pipe is done with it,
// or ctx is cancelled: then it returns once the pipes have stopped, without waiting for a read
// of the input that blocks. The summary is complete even when an error is returned.
func (r *Run) Replay(ctx context.Context, in io.Reader) (*Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feedOpts := r.Feed
	feedOpts.Reader.Normalize.StreamARN = r.streamARN()
	if feedOpts.Reader.Normalize.Region == "" {
		feedOpts.Reader.Normalize.Region = r.Config.Region
	}
	feed := NewFeed(in, feedOpts)
	runners, counts, sum, out, err := r.runners(feed, cancel)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(runners)+2) // the feed's first: it says why the replay stopped
	var wg sync.WaitGroup
	for i, rn := range runners {
		wg.Go(func() {
			defer rn.Source.Close() // the feed stops waiting for a pipe that failed
			errs[i+1] = rn.Run(ctx)
		})
	}
	fed := make(chan error, 1)
	go func() { fed <- feed.Run(ctx) }()
	select {
	case errs[0] = <-fed:
		sum.Form = feed.Form
	case <-ctx.Done():
		// The feed stops at its next read; but the input may block for ever (a terminal, a
		// pipe nobody writes to): then the replay ends without waiting for the read to return,
		// and the feed's goroutine ends when it does.
		t := time.NewTimer(feedGrace)
		select {
		case errs[0] = <-fed:
			sum.Form = feed.Form
		case <-t.C:
			errs[0] = ctx.Err()
		}
		t.Stop()
	}
	wg.Wait()
	if out != nil {
		errs[len(runners)+1] = out.finish(out.rest())
	}
	sum.Records, sum.Bad = feed.Stats.Records.Load(), feed.Stats.Bad.Load()
	for i, p := range sum.Pipes {
		counts[i].fill(p)
		p.NotDelivered = max(sum.Records-runners[i].Source.(*Source).Acknowledged(), 0)
		if nd := (*pipe.NotDeliveredError)(nil); errors.As(errs[i+1], &nd) {
			p.Stopped = nd
		}
	}
	return sum, firstError(errs)
}

// feedGrace is how long a cancelled replay waits for its feed to stop reading.
const feedGrace = 250 * time.Millisecond

// firstError prefers the error that stopped the replay over the cancellations it caused.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// dryRun is a dry run's output and its pipes.
type dryRun struct {
	*dryRunOutput
	pipes []*dryRunPipe
}

func (d *dryRun) rest() [][]byte {
	rest := make([][]byte, len(d.pipes))
	for i, p := range d.pipes {
		rest[i] = p.rest()
	}
	return rest
}

func (r *Run) runners(feed *Feed, cancel func()) ([]*pipe.Runner, []*pipeCounts, *Summary, *dryRun, error) {
	var running []*config.Pipe
	for _, p := range r.Config.Pipes {
		if p.Running {
			running = append(running, p)
		}
	}
	sum := &Summary{}
	var dr *dryRun
	if r.DryRun != nil {
		dr = &dryRun{dryRunOutput: newDryRunOutput(r.DryRun, len(running), cancel)}
	}
	var runners []*pipe.Runner
	var counts []*pipeCounts
	for i, p := range running {
		rn, c, err := r.runner(feed, p, i, dr)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		runners, counts = append(runners, rn), append(counts, c)
		sum.Pipes = append(sum.Pipes, &PipeSummary{Name: p.Name})
	}
	if err := shareFilters(feed, runners); err != nil {
		return nil, nil, nil, nil, err
	}
	return runners, counts, sum, dr, nil
}

// shareFilters decides the filters of the pipes that read a record's bytes to decide them in
// one read of each record, in the feed, before the record's Doc is handed to every pipe
// (filter.Group); each such pipe then finds its verdict in the Doc. Pipes whose filters only
// ask for some eventNames are left to decide from the record's EventName, which reads nothing,
// and one pipe alone has nothing to share.
func shareFilters(feed *Feed, runners []*pipe.Runner) error {
	var reading []*pipe.Runner
	for _, rn := range runners {
		f := rn.Pipe.Filters
		if f == nil || f.Len() == 0 {
			continue
		}
		if field, _, ok := f.TopStrings(); ok && field == "eventName" {
			continue
		}
		reading = append(reading, rn)
	}
	if len(reading) < 2 {
		return nil
	}
	reading = reading[:min(len(reading), filter.MaxGroupPipes)]
	fs := make([]*filter.Filters, len(reading))
	for i, rn := range reading {
		fs[i] = rn.Pipe.Filters
	}
	g, err := filter.NewGroup(fs...)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	for i, rn := range reading {
		rn.Filter = g.Member(i)
	}
	feed.Decide = func(doc *rawjson.Doc) { g.Decide(doc) }
	return nil
}

func (r *Run) runner(feed *Feed, p *config.Pipe, i int, dr *dryRun) (*pipe.Runner, *pipeCounts, error) {
	src := feed.Source(p.Stream.BatchSize)
	ps := &pipeCounts{}
	rn := &pipe.Runner{Pipe: p, Source: src, Sender: r.Sender, DLQ: r.DLQ, Opts: r.Retry, SourceARN: StreamARN(r.Config, p)}
	rn.Opts.MaxAttempts = r.maxAttempts(p)
	var dp *dryRunPipe
	if dr != nil {
		dp = newDryRunPipe(dr.dryRunOutput, i, p, src)
		dr.pipes = append(dr.pipes, dp)
		rn.Sender, src.OnChunkDone = dp, dp.chunkDone
	} else if r.Sender == nil {
		return nil, nil, fmt.Errorf("replay: no sender and no dry-run output")
	}
	rn.Trace = func(e pipe.Execution) {
		if dp != nil {
			dp.trace(e)
		}
		ps.count(e)
		if r.Trace != nil {
			r.Trace(e)
		}
	}
	if r.Logger != nil {
		rn.Logger = r.Logger.With("pipe", p.Name)
	}
	if !r.WallClock {
		rn.Opts.Now = src.Now
	}
	if r.ExecLog != nil {
		lg, err := r.ExecLog(p)
		if err != nil {
			return nil, nil, fmt.Errorf("pipe %q: execution log: %w", p.Name, err)
		}
		rn.Log = lg
	}
	return rn, ps, nil
}

// streamARN is r.StreamARN, else the first running pipe's stream.
func (r *Run) streamARN() string {
	if r.StreamARN != "" {
		return r.StreamARN
	}
	for _, p := range r.Config.Pipes {
		if p.Running {
			return StreamARN(r.Config, p)
		}
	}
	return ""
}

// StreamARN is the stream ARN of a pipe's Source: the Source itself when it is a stream ARN,
// else one made up from the table name, the file's region and account, and StreamLabel.
func StreamARN(cfg *config.Config, p *config.Pipe) string {
	if strings.HasPrefix(p.Source, "arn:") {
		return p.Source
	}
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s/stream/%s", cfg.Region, cfg.AccountID, p.Source, StreamLabel)
}

// Reads reports whether a running pipe of cfg reads the table of the stream (or table) ARN arn:
// its Source is the table, or a stream of it. Replay hands every record to every pipe, as if each
// read the records' stream, so a record of another table answers a question nobody asked. An ARN
// that names no table is not judged (true).
func Reads(cfg *config.Config, arn string) bool {
	table, ok := TableOf(arn)
	if !ok {
		return true
	}
	for _, p := range cfg.Pipes {
		if !p.Running {
			continue
		}
		if t, ok := TableOf(p.Source); p.Source == table || ok && t == table {
			return true
		}
	}
	return false
}

// TableOf is the table a stream ARN (…:table/T/stream/L) or table ARN (…:table/T) names.
func TableOf(arn string) (string, bool) {
	if a, err := stream.ParseStreamARN(arn); err == nil {
		return a.Table, true
	}
	_, rest, ok := strings.Cut(arn, ":table/")
	if !ok || !strings.HasPrefix(arn, "arn:") || rest == "" {
		return "", false
	}
	table, _, _ := strings.Cut(rest, "/")
	return table, true
}
