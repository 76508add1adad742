package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/stream"
)

// captureCmd is `pipesim capture`: a table's stream records, in the Pipes shape, as JSON Lines.
type captureCmd struct {
	streams
	o captureOptions
}

type captureOptions struct {
	source, endpoint, region, from, out string
	follow                              bool
	limit                               int
	duration, idle, pollInterval        time.Duration
}

func (c *captureCmd) spec() spec {
	return spec{
		use:   "capture --source TABLE",
		short: "Write a table's stream records, in the shape Pipes delivers them, as JSON Lines",
		long: `capture reads a DynamoDB stream (of DynamoDB Local with --endpoint, else of AWS with the default
credential chain) and writes each record as one line, in the shape a pipe receives it, for
pipesim replay and pipe tests. Without --follow it stops once the stream is caught up.`,
		example: `  pipesim capture --source weather-stats-demo --endpoint http://localhost:8000 > records.jsonl
  pipesim capture --source orders --follow --limit 100 --out records.jsonl`,
		flags: c.flags,
		run:   func(ctx context.Context, _ []string) error { return c.run(ctx) },
	}
}

// Run runs `pipesim capture` with the arguments that follow its name.
func (c *captureCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

func (c *captureCmd) flags(fs *pflag.FlagSet) {
	o := &c.o
	fs.StringVar(&o.source, "source", "", "table name or stream ARN (required)")
	fs.StringVar(&o.endpoint, "endpoint", "", "DynamoDB Local endpoint; empty reads real AWS with the default credential chain and region")
	fs.StringVar(&o.region, "region", "", "region: of AWS, or the awsRegion of DynamoDB Local's records (default: the SDK's, else us-east-1 for DynamoDB Local)")
	fs.StringVar(&o.from, "from", stream.TrimHorizon, "where to start: TRIM_HORIZON (every record kept) or LATEST (only new ones)")
	fs.BoolVar(&o.follow, "follow", false, "keep reading new records until Ctrl-C, --limit or --duration")
	fs.IntVar(&o.limit, "limit", 0, "stop after this many records (0: no limit)")
	fs.DurationVar(&o.duration, "duration", 0, "stop after this long (0: no limit)")
	fs.DurationVar(&o.idle, "idle", 2*time.Second, "without --follow, stop once no record came for this long")
	fs.DurationVar(&o.pollInterval, "poll-interval", stream.DefaultPollInterval, "how often each shard is polled")
	fs.StringVar(&o.out, "out", "", "output file (default stdout)")
}

// Run captures until the stream is caught up (or, with --follow, until Ctrl-C), --limit or
// --duration, writing each record as one line. Progress goes to stderr.
func (c *captureCmd) run(ctx context.Context) error {
	if err := c.check(); err != nil {
		return &exitError{code: 2, err: err}
	}
	db, streamsAPI, region, err := c.clients(ctx)
	if err != nil {
		return err
	}
	arn, err := stream.ResolveStreamARN(ctx, db, c.o.source)
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	src := stream.NewSource(streamsAPI, stream.Config{StreamARN: arn, Region: region, StartingPosition: c.o.from,
		BatchSize: 1000, PollInterval: c.o.pollInterval})
	if err := src.Connect(ctx); err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	defer src.Close()
	w, closeOut, err := c.output()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "pipesim: capturing %s from %s\n", arn, c.o.from)
	n, err := c.copy(ctx, src, w)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	fmt.Fprintf(c.stderr, "pipesim: captured %d records\n", n)
	return err
}

func (c *captureCmd) check() error {
	switch {
	case c.o.source == "":
		return fmt.Errorf("capture: --source is required")
	case c.o.from != stream.TrimHorizon && c.o.from != stream.Latest:
		return fmt.Errorf("capture: --from %q: want TRIM_HORIZON or LATEST", c.o.from)
	case c.o.limit < 0 || c.o.duration < 0 || c.o.idle <= 0:
		return fmt.Errorf("capture: --limit and --duration must be >= 0, --idle > 0")
	}
	return checkPollInterval(c.o.pollInterval)
}

// clients connects to DynamoDB Local at --endpoint, or to AWS with the default chain.
func (c *captureCmd) clients(ctx context.Context) (*dynamodb.Client, *dynamodbstreams.Client, string, error) {
	if c.o.endpoint != "" { // the user's DynamoDB Local: sign as their applications do
		var load []func(*awsconfig.LoadOptions) error
		if c.o.region != "" {
			load = append(load, awsconfig.WithRegion(c.o.region))
		}
		db, st, id, err := ddblocal.UserClient(ctx, c.o.endpoint, "", load...)
		if err == nil {
			fmt.Fprintf(c.stderr, "pipesim: DynamoDB Local at %s as access key %s, region %s (%s)\n", c.o.endpoint, id.AccessKeyID, id.Region, id.From)
		}
		return db, st, id.Region, err
	}
	var opts []func(*awsconfig.LoadOptions) error
	if c.o.region != "" {
		opts = append(opts, awsconfig.WithRegion(c.o.region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, nil, "", fmt.Errorf("capture: AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, nil, "", &exitError{code: 2, err: errors.New("capture: no AWS region: set --region or AWS_REGION")}
	}
	return dynamodb.NewFromConfig(cfg), dynamodbstreams.NewFromConfig(cfg), "", nil
}

// copy writes records until a stop condition; it returns how many it wrote.
func (c *captureCmd) copy(ctx context.Context, src *stream.Source, w io.Writer) (int, error) {
	if c.o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.o.duration)
		defer cancel()
	}
	n := 0
	lastReport := time.Now()
	for c.o.limit == 0 || n < c.o.limit {
		batch, ack, err := c.read(ctx, src)
		if err != nil {
			return n, err
		}
		if batch == nil {
			return n, nil
		}
		for _, rec := range batch.Records {
			if c.o.limit > 0 && n == c.o.limit {
				break
			}
			if err := writeLine(w, rec.Doc.Bytes()); err != nil {
				return n, fmt.Errorf("capture: write: %w", err)
			}
			n++
		}
		_ = ack(ctx)
		if time.Since(lastReport) >= time.Second {
			fmt.Fprintf(c.stderr, "pipesim: %d records so far\n", n)
			lastReport = time.Now()
		}
	}
	return n, nil
}

// read returns the next batch, or nil when capture should stop: the context ended (Ctrl-C,
// --duration) or, without --follow, no record came for --idle.
func (c *captureCmd) read(ctx context.Context, src *stream.Source) (*stream.Batch, stream.AckFunc, error) {
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if !c.o.follow {
		rctx, cancel = context.WithTimeout(ctx, c.o.idle)
	}
	defer cancel()
	batch, ack, err := src.ReadBatch(rctx)
	if err == nil {
		return &batch, ack, nil
	}
	if rctx.Err() != nil || errors.Is(err, stream.ErrStreamDisabled) {
		return nil, nil, nil
	}
	return nil, nil, fmt.Errorf("capture: %w", err)
}

// output opens --out, or stdout, buffered.
func (c *captureCmd) output() (io.Writer, func() error, error) {
	if c.o.out == "" || c.o.out == "-" {
		bw := bufio.NewWriter(c.stdout)
		return bw, bw.Flush, nil
	}
	f, err := os.Create(c.o.out)
	if err != nil {
		return nil, nil, fmt.Errorf("capture: --out: %w", err)
	}
	bw := bufio.NewWriter(f)
	return bw, func() error {
		err := bw.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

func writeLine(w io.Writer, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return err
	}
	_, err := w.Write([]byte{'\n'})
	return err
}
