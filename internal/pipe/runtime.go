package pipe

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
	"github.com/pipesim/pipesim/internal/template"
)

// Source is where batches come from; *stream.Source implements it, and so does a replay file.
type Source interface {
	Connect(ctx context.Context) error
	ReadBatch(ctx context.Context) (stream.Batch, stream.AckFunc, error)
	Close() error
}

// OneBatch is a Source of one batch: ReadBatch returns it once (an empty one not at all), then
// ErrEndOfInput, with an acknowledgement that does nothing. A pipe test delivers a record
// through it, a redrive a dead-lettered batch.
type OneBatch struct {
	Batch stream.Batch
	read  bool
}

func (s *OneBatch) Connect(context.Context) error { return nil }
func (s *OneBatch) Close() error                  { return nil }

// ReadBatch returns the batch once, then ErrEndOfInput.
func (s *OneBatch) ReadBatch(context.Context) (stream.Batch, stream.AckFunc, error) {
	if s.read || len(s.Batch.Records) == 0 {
		return stream.Batch{}, nil, ErrEndOfInput
	}
	s.read = true
	return s.Batch, func(context.Context) error { return nil }, nil
}

// Sender sends one request; *httpdest.Sender implements it.
type Sender interface {
	Send(ctx context.Context, dest *httpdest.Destination, req *httpdest.Request) (httpdest.Result, error)
}

// DeadLetters receives dead-letter messages for a queue.
type DeadLetters interface {
	Send(ctx context.Context, queue *config.Queue, body []byte) error
}

// ErrEndOfInput is returned by a Source that has nothing more to read (a replay file is done).
var ErrEndOfInput = errors.New("end of input")

// Options are the runtime settings that are not part of the pipe's configuration.
type Options struct {
	// Backoff is the first retry delay; each retry doubles it, up to MaxBackoff, with full jitter.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// FailedToDLQ sends a batch whose target answered with a status API destinations do not retry
	// (1xx, 3xx, 4xx other than 401, 407, 409, 429) to the dead-letter queue at once, instead of
	// spending MaximumRetryAttempts on it.
	FailedToDLQ bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SameFailures is how many executions of a batch in a row must fail the same way (same class,
	// same status) before the logger warns that the shard is blocked and what Pipes would do that
	// pipesim does not (slow its polling, disable a pipe after nearly continuous 4xx answers);
	// the warning comes again each time the count doubles. 0 means 5; negative never warns.
	SameFailures int
	// MaxAttempts, when positive, bounds the executions of one batch that the pipe's settings
	// would go on retrying (a target that never answers, with MaximumRecordAgeInSeconds -1): the
	// runner then stops, the batch unacknowledged, and Run returns a *NotDeliveredError. Zero
	// retries as AWS does, for ever if the settings say so: a live pipe; a replay has an end.
	MaxAttempts int
}

func (o Options) withDefaults() Options {
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SameFailures == 0 {
		o.SameFailures = defaultSameFailures
	}
	return o
}

// Filter decides whether a record passes a pipe's FilterCriteria.
type Filter interface {
	Match(doc *rawjson.Doc) bool
}

// Runner runs one pipe. Create it with all fields set, then call Run.
type Runner struct {
	Pipe   *config.Pipe
	Source Source
	Sender Sender
	DLQ    DeadLetters // nil: a pipe without a dead-letter queue drops what it would dead-letter
	Log    *ExecLog    // execution logs; nil logs nothing
	// Trace hears of every execution's outcome, and of each record no filter matched. It is
	// called from several goroutines at once.
	Trace func(Execution)
	// Connected, if set, is called once the source is connected: from then on a LATEST pipe sees
	// every new record.
	Connected func()
	Logger    *slog.Logger
	Opts      Options
	// SourceARN is the stream ARN, for <aws.pipes.source-arn> and the dead-letter message.
	SourceARN string
	// Filter, if set, decides which records pass the pipe's filters instead of Pipe.Filters,
	// which it must answer as: a source that hands one Doc to several pipes decides their
	// filters together (filter.Group) and gives each pipe its Member.
	Filter Filter

	halt   context.CancelFunc                // stops Run (Opts.MaxAttempts)
	halted atomic.Pointer[NotDeliveredError] // why it was stopped

	waiting func(shard string) int // records queued behind the shard's batches in delivery
}

// Run reads and delivers batches until ctx is cancelled or the source ends. A record that cannot
// be rendered or delivered never stops the pipe: it is handled as the pipe's settings say.
// Batches of different shards, and with ParallelizationFactor N up to N batches of one shard, are
// delivered concurrently; a partition key's records always in order.
func (r *Runner) Run(ctx context.Context) error {
	r.Opts = r.Opts.withDefaults()
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	if err := r.Source.Connect(ctx); err != nil {
		return fmt.Errorf("pipe %q: connect source: %w", r.Pipe.Name, err)
	}
	defer r.Source.Close()
	if r.Connected != nil {
		r.Connected()
	}
	ctx, r.halt = context.WithCancel(ctx)
	defer r.halt()
	d := newDispatcher(r)
	err := r.readLoop(ctx, d)
	if werr := d.close(); err == nil {
		err = werr
	}
	if h := r.halted.Load(); h != nil {
		return h
	}
	return err
}

func (r *Runner) readLoop(ctx context.Context, d *dispatcher) error {
	for {
		batch, ack, err := r.Source.ReadBatch(ctx)
		if errors.Is(err, ErrEndOfInput) || ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("pipe %q: read: %w", r.Pipe.Name, err)
		}
		if err := d.err(); err != nil {
			return err
		}
		d.dispatch(ctx, batch, ack)
	}
}

// lanes splits records for ParallelizationFactor N into N lanes by partition key, keeping each
// key's records in order: AWS orders records per partition key, not per shard, when it processes
// a shard's batches concurrently. Lane i of every batch goes to the same worker; lanes may be
// empty.
func (r *Runner) lanes(recs []stream.Record) [][]stream.Record {
	n := r.Pipe.Stream.Parallelization
	if n <= 1 {
		return [][]stream.Record{recs}
	}
	byLane := make([][]stream.Record, n)
	for _, rec := range recs {
		h := fnv.New32a()
		h.Write(partitionKey(rec.Doc, r.Pipe.Stream.PartitionKey))
		i := h.Sum32() % uint32(n)
		byLane[i] = append(byLane[i], rec)
	}
	return byLane
}

// partitionKey is the record's partition key attribute when the table's key schema is known,
// else all of its Keys (each item then keeps its order, a finer grain than AWS's); nil when the
// record has no Keys.
func partitionKey(doc *rawjson.Doc, attr string) []byte {
	if attr != "" {
		if start, end, st := doc.Find(rawjson.KeyPath("dynamodb", "Keys", attr)); st == rawjson.Found {
			return doc.Bytes()[start:end]
		}
	}
	if start, end, st := doc.Find(keysPath); st == rawjson.Found {
		return doc.Bytes()[start:end]
	}
	return nil
}

var keysPath = rawjson.KeyPath("dynamodb", "Keys")

// vars are the reserved variables t renders for one execution; the clock is read only when t
// has the ingestion time.
func (r *Runner) vars(t *template.Template) template.Vars {
	v := template.Vars{PipeARN: r.Pipe.ARN, PipeName: r.Pipe.Name, SourceARN: r.SourceARN, TargetARN: r.Pipe.TargetARN}
	if t.UsesIngestionTime() {
		v.IngestionTime = r.Opts.Now()
	}
	return v
}
