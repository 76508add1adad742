package pipe

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/pipesim/pipesim/internal/stream"
)

// dispatcher hands batches to lane workers: one goroutine per shard and lane, each delivering its
// batches in order. A batch is acknowledged once every lane holding part of it is done with it.
// The dispatcher owns the workers; close stops them and waits.
type dispatcher struct {
	r       *Runner
	mu      sync.Mutex
	workers map[laneKey]chan job
	wg      sync.WaitGroup
	failed  atomic.Pointer[error]

	// queued counts, per shard, the records handed to its lanes and not yet being delivered:
	// what waits behind a batch that is retried (Execution.Waiting).
	queued map[string]*atomic.Int64

	// The lane used last, for the dispatching goroutine alone: batches of one shard and lane
	// follow each other, and finding the lane then takes neither the lock nor a map lookup.
	lastKey   laneKey
	lastCh    chan job
	lastCount *atomic.Int64

	// eventNames, when the filters only ask for some eventNames (filter.Filters.TopStrings),
	// are those names: a record is then filtered by its EventName without reading its JSON.
	eventNames []string
}

type laneKey struct {
	shard string
	lane  int
}

type job struct {
	ctx   context.Context
	batch stream.Batch // the lane's part of the batch
	read  stream.Batch // the batch as read, for ReadAhead.Delivering
	ack   stream.AckFunc
	split *splitAck     // nil when the lane holds the whole batch
	count *atomic.Int64 // the shard's queued records, which include this job's until it starts
}

// splitAck acknowledges a batch split over several lanes once the last lane is done with it.
type splitAck struct {
	batch stream.Batch
	ack   stream.AckFunc
	left  atomic.Int32
}

// ReadAhead is implemented by a source whose records are all at hand (a replay file): the
// dispatcher may then queue up to ReadAhead batches per lane, so the reading and delivering
// goroutines do not hand over every batch one at a time. A polled stream keeps the queue short.
// Reading then runs ahead of delivery, so the dispatcher tells the source, through Delivering,
// of each batch read as the delivery of (part of) it starts, from the lane's goroutine: a
// source whose clock follows its records (the replay clock) follows the ones being delivered.
type ReadAhead interface {
	ReadAhead() int
	Delivering(read stream.Batch)
}

func newDispatcher(r *Runner) *dispatcher {
	d := &dispatcher{r: r, workers: map[laneKey]chan job{}, queued: map[string]*atomic.Int64{}}
	r.waiting = d.waiting
	if r.Pipe.Filters != nil && r.Filter == nil {
		if field, values, ok := r.Pipe.Filters.TopStrings(); ok && field == "eventName" {
			d.eventNames = values
		}
	}
	return d
}

// match reports whether rec passes the pipe's filters.
func (d *dispatcher) match(rec stream.Record) bool {
	if d.eventNames != nil && rec.EventName != "" { // the record's eventName is its EventName
		return slices.Contains(d.eventNames, rec.EventName)
	}
	if d.r.Filter != nil {
		return d.r.Filter.Match(rec.Doc)
	}
	return d.r.Pipe.Filters.Match(rec.Doc)
}

// dispatch filters the batch and queues its parts; a batch nothing matched is acked at once.
func (d *dispatcher) dispatch(ctx context.Context, batch stream.Batch, ack stream.AckFunc) {
	matched := d.filter(batch)
	if len(matched) == 0 {
		d.ack(ctx, batch, ack)
		return
	}
	if d.r.Pipe.Stream.Parallelization <= 1 { // one lane: no split to count
		ch, count := d.worker(ctx, laneKey{batch.ShardID, 0})
		count.Add(int64(len(matched)))
		ch <- job{ctx: ctx, batch: stream.Batch{ShardID: batch.ShardID, Records: matched}, read: batch, ack: ack, count: count}
		return
	}
	lanes := d.r.lanes(matched)
	split := &splitAck{batch: batch, ack: ack}
	for _, recs := range lanes {
		if len(recs) > 0 {
			split.left.Add(1)
		}
	}
	for i, recs := range lanes {
		if len(recs) > 0 {
			ch, count := d.worker(ctx, laneKey{batch.ShardID, i})
			count.Add(int64(len(recs)))
			ch <- job{ctx: ctx, batch: stream.Batch{ShardID: batch.ShardID, Records: recs}, read: batch, split: split, count: count}
		}
	}
}

// filter keeps the records some filter matches, without copying: when
// every record matches (a batch of one always does, or has none) the batch's records are
// returned as they are, and a filtered record is traced as a view of the batch. Filtering is
// part of polling on AWS: a record no filter matches is skipped without an execution and
// without a log.
func (d *dispatcher) filter(batch stream.Batch) []stream.Record {
	filters := d.r.Pipe.Filters
	if filters == nil {
		return batch.Records
	}
	var matched []stream.Record
	for i, rec := range batch.Records {
		switch ok := d.match(rec); {
		case ok && len(matched) == i: // every record so far matched: keep the batch's
			matched = batch.Records[:i+1]
		case ok:
			matched = append(matched, rec)
		default:
			if len(matched) == i {
				matched = slices.Clone(matched) // from here on matched differs from the batch
			}
			if d.r.Trace != nil {
				d.r.Trace(Execution{Pipe: d.r.Pipe.Name, Records: batch.Records[i : i+1 : i+1], Outcome: OutcomeFiltered})
			}
		}
	}
	return matched
}

// done acknowledges the job's batch, or counts the lane off when the batch was split.
func (d *dispatcher) done(j job) {
	if j.split == nil {
		d.ack(j.ctx, j.batch, j.ack)
	} else if j.split.left.Add(-1) == 0 {
		d.ack(j.ctx, j.split.batch, j.split.ack)
	}
}

// ack acknowledges a delivered batch; the first failure is kept for Run to return.
func (d *dispatcher) ack(ctx context.Context, batch stream.Batch, ack stream.AckFunc) {
	if err := ack(ctx); err != nil {
		d.fail(fmt.Errorf("pipe %q: checkpoint shard %s: %w", d.r.Pipe.Name, batch.ShardID, err))
	}
}

// fail keeps err if it is the first failure. It is apart from ack so that only a failure puts an
// error on the heap (failed keeps its address), not every acknowledgement.
func (d *dispatcher) fail(err error) {
	d.failed.CompareAndSwap(nil, &err)
}

func (d *dispatcher) err() error {
	if p := d.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// worker returns the lane's queue and its shard's count of queued records, starting the lane's
// goroutine on first use. Only the goroutine that dispatches calls it.
func (d *dispatcher) worker(ctx context.Context, k laneKey) (chan job, *atomic.Int64) {
	if d.lastCh != nil && d.lastKey == k {
		return d.lastCh, d.lastCount
	}
	ch, count := d.lane(ctx, k)
	d.lastKey, d.lastCh, d.lastCount = k, ch, count
	return ch, count
}

// waiting is how many records of the shard are queued behind the batches being delivered.
func (d *dispatcher) waiting(shard string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.queued[shard]; c != nil {
		return int(c.Load())
	}
	return 0
}

// lane returns the lane's queue, starting its goroutine on first use, and its shard's count.
func (d *dispatcher) lane(ctx context.Context, k laneKey) (chan job, *atomic.Int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	count := d.queued[k.shard]
	if count == nil {
		count = new(atomic.Int64)
		d.queued[k.shard] = count
	}
	ch, ok := d.workers[k]
	if ok {
		return ch, count
	}
	depth := max(d.r.Pipe.Stream.Parallelization, 1)
	ra, _ := d.r.Source.(ReadAhead)
	if ra != nil {
		depth = max(depth, ra.ReadAhead())
	}
	ch = make(chan job, depth)
	d.workers[k] = ch
	d.wg.Go(func() {
		for j := range ch {
			j.count.Add(-int64(len(j.batch.Records)))
			if j.ctx.Err() != nil {
				continue // not acknowledged: read again after a restart
			}
			if ra != nil {
				ra.Delivering(j.read)
			}
			d.r.deliver(j.ctx, j.batch)
			if j.ctx.Err() == nil {
				d.done(j)
			}
		}
	})
	return ch, count
}

// close stops the workers once their queues are drained (or skipped, when ctx ended) and returns
// the first acknowledgement failure.
func (d *dispatcher) close() error {
	d.mu.Lock()
	for _, ch := range d.workers {
		close(ch)
	}
	d.mu.Unlock()
	d.wg.Wait()
	return d.err()
}
