package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/replay"
	"github.com/pipesim/pipesim/internal/sim"
	"github.com/pipesim/pipesim/internal/stream"
	"github.com/pipesim/pipesim/internal/term"
)

// dryRunEndpoint and dryRunKey stand in for MOMENTO_API_ENDPOINT and MOMENTO_API_KEY in a dry
// run that has none: nothing is sent, and the output stays the same from run to run.
const (
	dryRunEndpoint = "http://momento.local"
	dryRunKey      = "pipesim-dry-run"
)

// maxBadShown bounds the bad-input lines printed; all are counted.
const maxBadShown = 100

// replayCmd is `pipesim replay`: captured stream records through the pipes of a pipes file.
type replayCmd struct {
	streams
	o replayOptions
}

type replayOptions struct {
	pipeFlags
	records, out, format, speed, streamARN, clock string
	dryRun, strict, trace, verbose                bool
	maxRecordSize, maxAttempts                    int
}

func (c *replayCmd) spec() spec {
	return spec{
		use:   "replay --records FILE",
		short: "Run captured stream records through the design's pipes (--dry-run: only print the requests)",
		long: `replay reads stream records (JSON Lines from pipesim capture, a JSON array, get-records output or
a {"Records": [...]} event; - reads stdin) and hands every one to every running pipe, as if it read
the records' stream, with the pipes' filters, templates, retries and dead-letter queues. With
--dry-run nothing is sent: each request is written as a JSON line. A summary per pipe ends it.`,
		example: `  pipesim replay --records records.jsonl --dry-run
  pipesim replay --pipes pipes.yaml --records records.jsonl -v`,
		flags: c.flags,
		run:   func(ctx context.Context, _ []string) error { return c.run(ctx) },
	}
}

// Run runs `pipesim replay` with the arguments that follow its name.
func (c *replayCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

func (c *replayCmd) flags(fs *pflag.FlagSet) {
	o := &c.o
	o.pipeFlags.register(fs)
	fs.StringVar(&o.records, "records", "", "captured records (required; - reads stdin): JSON Lines, a JSON array, get-records output or a {\"Records\": [...]} event")
	fs.StringVar(&o.format, "format", "auto", "input form: auto, jsonl, array or document")
	fs.BoolVar(&o.dryRun, "dry-run", false, "write the requests that would be sent, as JSON Lines, instead of sending them")
	fs.StringVar(&o.out, "out", "", "dry-run output file (default stdout)")
	fs.StringVar(&o.speed, "speed", "max", "max (as fast as possible), recorded (the pace of ApproximateCreationDateTime) or Nx (N times that pace)")
	fs.BoolVar(&o.strict, "strict", false, "stop at the first piece of input that is not a stream record instead of skipping it")
	fs.StringVar(&o.streamARN, "stream-arn", "", "eventSourceARN for records without one (default: made from the first pipe's Source)")
	fs.StringVar(&o.clock, "clock", "recorded", "clock for record age and ingestion time: recorded (from the records) or wall")
	fs.BoolVar(&o.trace, "trace", false, "print a line per execution on stderr")
	fs.IntVar(&o.maxAttempts, "max-attempts", 0, fmt.Sprintf("executions of one batch before a pipe that would retry it for ever stops, the rest of its records not delivered (default: the pipe's MaximumRetryAttempts+1, or %d when it is -1)", replay.DefaultMaxAttempts))
	o.maxRecordSize = replay.DefaultMaxRecordSize
	fs.Func("max-record-size", "longest record, in bytes of input (`SIZE` such as 1108650, 2MiB or 512KiB); a longer one is bad input (default about 1 MiB: two 400 KB DynamoDB item images with their JSON)",
		func(v string) error {
			n, err := parseSize(v, 1<<10, 1<<30)
			o.maxRecordSize = n
			return err
		})
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "print a line per execution on stderr, with its request and the response (bodies, status; secrets as ********)")
}

// run replays the records and prints the summary on stderr. It blocks until every pipe is done
// with the input or the context is cancelled. Bad flags exit 2; bad input under --strict exits 1.
func (c *replayCmd) run(ctx context.Context) error {
	if c.o.records == "" {
		return &exitError{code: 2, err: fmt.Errorf("replay: --records is required")}
	}
	r, closeAll, err := c.setup()
	if err != nil {
		return err
	}
	defer closeAll()
	in, size, err := c.input()
	if err != nil {
		return err
	}
	defer in.Close()
	counted := &countingReader{r: in}
	stop := c.progress(counted, size)
	start := time.Now()
	sum, err := r.Replay(ctx, counted)
	stop()
	if sum != nil {
		c.summary(sum, time.Since(start))
	}
	return err
}

// setup loads the pipes file and chooses where requests go.
func (c *replayCmd) setup() (*replay.Run, func(), error) {
	r := &replay.Run{WallClock: c.o.clock == "wall", StreamARN: c.o.streamARN, Retry: c.o.retry(), MaxAttempts: c.o.maxAttempts}
	if c.o.maxAttempts < 0 {
		return nil, nil, &exitError{code: 2, err: fmt.Errorf("--max-attempts %d: want 1 or more (0: each pipe's default)", c.o.maxAttempts)}
	}
	if err := c.feedOptions(&r.Feed); err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	load, err := c.o.configOptions(nil)
	if err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	c.o.templateNotice = c.stderr
	pipesFile, tmpl, err := c.o.design()
	if err != nil {
		return nil, nil, err
	}
	dir := filepath.Dir(pipesFile)
	if tmpl != nil {
		dir = tmpl.Dir()
	}
	lookup, err := sim.LookupIn(dir)
	if err != nil {
		return nil, nil, err
	}
	closers := []func() error{}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			_ = closers[i]()
		}
	}
	if c.o.dryRun {
		lookup = dryRunLookup(lookup)
		w, closeOut, err := c.output()
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, closeOut)
		r.DryRun = w
	}
	load.Lookup = lookup
	if c.o.dryRun {
		r.Config, err = sim.LoadDesign(pipesFile, tmpl, load)
	} else {
		var emb *sim.Embedded
		if r.Config, emb, err = sim.LoadWithEmbeddedMomento(pipesFile, tmpl, load); emb != nil {
			closers = append(closers, emb.Close)
			announceReplayMomento(c.stderr, emb)
		}
	}
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	warnFindings(c.stderr, r.Config)
	cfg := r.Config
	r.Feed.OnStream = func(arn string) {
		if !replay.Reads(cfg, arn) {
			table, _ := replay.TableOf(arn)
			fmt.Fprintf(c.stderr, "pipesim: warning: records of table %s (%s), which no pipe reads: every pipe gets them anyway, "+
				"as if it read that table's stream (the pipes read %s); replay records captured from the pipes' table, or give the design that reads %s\n",
				table, arn, strings.Join(sourceTables(cfg), ", "), table)
		}
	}
	if !c.o.dryRun {
		r.Sender, r.DLQ = httpdest.NewSender(), &pipe.FileQueues{Dir: filepath.Join(c.o.stateDir, "dlq")}
		r.ExecLog = c.execLog(&closers)
	}
	if c.o.trace || c.o.verbose {
		r.Trace = newTracer(c.stderr, c.o.verbose).Trace
	}
	return r, closeAll, nil
}

func (c *replayCmd) feedOptions(o *replay.Options) error {
	var err error
	if o.Reader.Form, err = replay.ParseForm(c.o.format); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if o.Speed, err = replay.ParseSpeed(c.o.speed); err != nil {
		return fmt.Errorf("--speed: %w", err)
	}
	if c.o.clock != "recorded" && c.o.clock != "wall" {
		return fmt.Errorf("--clock %q: want recorded or wall", c.o.clock)
	}
	if c.o.streamARN != "" {
		if _, err := stream.ParseStreamARN(c.o.streamARN); err != nil {
			return fmt.Errorf("--stream-arn: %w", err)
		}
	}
	o.Strict = c.o.strict
	o.Reader.MaxRecordSize = c.o.maxRecordSize
	var shown atomic.Int64
	o.OnBad = func(it replay.Item) {
		hint := "skipped"
		if errors.Is(it.Err, replay.ErrRecordTooLarge) {
			hint = "skipped; --max-record-size raises the limit"
		}
		switch n := shown.Add(1); {
		case n <= maxBadShown:
			fmt.Fprintf(c.stderr, "pipesim: %s: line %d: %v (%s)\n", c.o.records, it.Line, it.Err, hint)
		case n == maxBadShown+1:
			fmt.Fprintf(c.stderr, "pipesim: more bad input; the summary counts it all\n")
		}
	}
	return nil
}

// dryRunLookup fills in a fixed endpoint and key when none is configured.
func dryRunLookup(lookup config.Lookup) config.Lookup {
	if _, ok := lookup(sim.EnvMomentoEndpoint); !ok {
		lookup = lookup.With(sim.EnvMomentoEndpoint, dryRunEndpoint)
	}
	if _, ok := lookup(sim.EnvMomentoKey); !ok {
		lookup = lookup.With(sim.EnvMomentoKey, dryRunKey)
	}
	return lookup
}

// input opens --records; size is -1 when unknown (stdin, a pipe).
func (c *replayCmd) input() (io.ReadCloser, int64, error) {
	if c.o.records == "-" {
		if rc, ok := c.stdin.(io.ReadCloser); ok {
			return rc, -1, nil
		}
		return io.NopCloser(c.stdin), -1, nil
	}
	f, err := os.Open(c.o.records)
	if err != nil {
		return nil, 0, fmt.Errorf("replay: %w", err)
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}

// output opens the dry-run output, buffered.
func (c *replayCmd) output() (io.Writer, func() error, error) {
	var w io.Writer = c.stdout
	var f *os.File
	if c.o.out != "" && c.o.out != "-" {
		var err error
		if f, err = os.Create(c.o.out); err != nil {
			return nil, nil, fmt.Errorf("replay: --out: %w", err)
		}
		w = f
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	return bw, func() error {
		err := bw.Flush()
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		return err
	}, nil
}

// execLog opens each pipe's execution log under the state directory, and its execution history,
// as `pipesim run` does.
func (c *replayCmd) execLog(closers *[]func() error) func(*config.Pipe) (*pipe.ExecLog, error) {
	return func(p *config.Pipe) (*pipe.ExecLog, error) {
		lg, closeLog, err := sim.OpenExecLog(c.o.stateDir, p, nil)
		if closeLog != nil {
			*closers = append(*closers, closeLog)
		}
		if err != nil {
			return nil, err
		}
		history, closeHistory, err := sim.OpenHistory(c.o.stateDir, p, nil)
		if err != nil {
			return nil, err
		}
		*closers = append(*closers, closeHistory)
		return pipe.Tee(lg, history), nil
	}
}

// summary prints what the replay did.
func (c *replayCmd) summary(sum *replay.Summary, took time.Duration) {
	rate := float64(sum.Records) / max(took.Seconds(), 1e-9)
	peak := ""
	if rss, ok := peakRSS(); ok {
		peak = fmt.Sprintf(", peak memory %.0f MB", float64(rss)/1e6)
	}
	fmt.Fprintf(c.stderr, "pipesim: replay read %d records (%s), skipped %d as bad input, in %s (%.0f records/s%s)\n",
		sum.Records, sum.Form, sum.Bad, took.Round(time.Millisecond), rate, peak)
	var table bytes.Buffer // one write: the summary's lines stay together
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "pipe\tmatched\tsent\tfailed\tsucceeded\tdead-lettered\tdropped\tnot delivered\t")
	for _, p := range sum.Pipes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", p.Name, p.Matched, p.Sent, p.Failed, p.Succeeded, p.DeadLettered, p.Dropped, p.NotDelivered)
	}
	_ = tw.Flush()
	for _, p := range sum.Pipes {
		if p.Stopped != nil {
			fmt.Fprintf(&table, "pipesim: %d record(s) not delivered by %s: it stopped after --max-attempts executions of a batch (see docs/replay.md)\n", p.NotDelivered, p.Name)
		}
	}
	c.stderr.Write(table.Bytes())
}

// peakRSS is the process's peak resident memory (VmHWM, Linux); false where it is not known.
func peakRSS() (int64, bool) {
	data, err := bounded.ReadFile("/proc/self/status", 1<<20)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return kb << 10, true
			}
		}
	}
	return 0, false
}

// countingReader counts the bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progress draws a progress bar on stderr while the replay runs, when stderr is a terminal. The
// returned function stops it and clears the line.
func (c *replayCmd) progress(in *countingReader, size int64) func() {
	f, ok := term.File(c.stderr)
	if !ok {
		return func() {}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(c.stderr, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprint(c.stderr, "\r\033[K"+progressLine(in.n.Load(), size))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// progressLine is a 30-column bar when the size is known, else the bytes read.
func progressLine(read, size int64) string {
	if size <= 0 {
		return fmt.Sprintf("replay: %.1f MB read", float64(read)/1e6)
	}
	const width = 30
	filled := int(float64(width) * float64(read) / float64(size))
	filled = min(max(filled, 0), width)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	return fmt.Sprintf("replay: [%s] %3.0f%% %.1f/%.1f MB", bar, 100*float64(read)/float64(size), float64(read)/1e6, float64(size)/1e6)
}

// announceReplayMomento says where the embedded Momento of a replay is, and its key when
// pipesim made it up (a key the user gave is never printed).
func announceReplayMomento(w io.Writer, emb *sim.Embedded) {
	if emb.MadeUp {
		fmt.Fprintf(w, "pipesim: embedded Momento HTTP API on %s (API key %s)\n", emb.URL, emb.Token)
		return
	}
	fmt.Fprintf(w, "pipesim: embedded Momento HTTP API on %s (API key: your MOMENTO_API_KEY)\n", emb.URL)
}

// sourceTables are the tables the running pipes read, each once.
func sourceTables(cfg *config.Config) []string {
	var out []string
	for _, p := range cfg.Pipes {
		t, ok := replay.TableOf(p.Source)
		if !ok {
			t = p.Source
		}
		if p.Running && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
