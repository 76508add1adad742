package pipe

import (
	"context"
	"fmt"
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
}

type laneKey struct {
	shard string
	lane  int
}

type job struct {
	ctx   context.Context
	batch stream.Batch
	done  func()
}

func newDispatcher(r *Runner) *dispatcher {
	return &dispatcher{r: r, workers: map[laneKey]chan job{}}
}

// dispatch filters the batch and queues its parts; a batch nothing matched is acked at once.
func (d *dispatcher) dispatch(ctx context.Context, batch stream.Batch, ack stream.AckFunc) {
	matched := d.r.filter(batch)
	if len(matched) == 0 {
		d.ack(ctx, batch, ack)
		return
	}
	lanes := d.r.lanes(matched)
	var left atomic.Int32
	for _, recs := range lanes {
		if len(recs) > 0 {
			left.Add(1)
		}
	}
	done := func() {
		if left.Add(-1) == 0 {
			d.ack(ctx, batch, ack)
		}
	}
	for i, recs := range lanes {
		if len(recs) > 0 {
			d.worker(ctx, laneKey{batch.ShardID, i}) <- job{ctx: ctx, batch: stream.Batch{ShardID: batch.ShardID, Records: recs}, done: done}
		}
	}
}

// ack acknowledges a delivered batch; the first failure is kept for Run to return.
func (d *dispatcher) ack(ctx context.Context, batch stream.Batch, ack stream.AckFunc) {
	if err := ack(ctx); err != nil {
		err = fmt.Errorf("pipe %q: checkpoint shard %s: %w", d.r.Pipe.Name, batch.ShardID, err)
		d.failed.CompareAndSwap(nil, &err)
	}
}

func (d *dispatcher) err() error {
	if p := d.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// worker returns the lane's queue, starting its goroutine on first use.
func (d *dispatcher) worker(ctx context.Context, k laneKey) chan job {
	d.mu.Lock()
	defer d.mu.Unlock()
	ch, ok := d.workers[k]
	if ok {
		return ch
	}
	ch = make(chan job, max(d.r.Pipe.Stream.Parallelization, 1))
	d.workers[k] = ch
	d.wg.Go(func() {
		for j := range ch {
			if j.ctx.Err() != nil {
				continue // not acknowledged: read again after a restart
			}
			d.r.deliver(j.ctx, j.batch)
			if j.ctx.Err() == nil {
				j.done()
			}
		}
	})
	return ch
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
