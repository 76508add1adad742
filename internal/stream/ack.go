package stream

import (
	"context"
	"fmt"
	"sync"
)

// ackWindow tracks a shard's released batches until they are acked. Acks may arrive in any order
// (a pipe delivers batches of different partition keys concurrently), but the checkpoint moves
// only over the longest acked prefix, so a restart never skips an undelivered batch.
type ackWindow struct {
	mu      sync.Mutex
	max     int
	flights []*flight     // released, in release order, not yet checkpointed
	changed chan struct{} // closed and replaced whenever flights shrinks
}

type flight struct {
	lastSeq string
	acked   bool
}

func newAckWindow(maxInFlight int) *ackWindow {
	return &ackWindow{max: max(maxInFlight, 1), changed: make(chan struct{})}
}

// add records a released batch and returns its AckFunc. The AckFunc runs once; it puts the
// checkpoint even when its ctx is already done (a shutdown acking its last delivery): the batch
// was delivered, and forgetting that would deliver it again.
func (w *ackWindow) add(store CheckpointStore, b Batch) AckFunc {
	f := &flight{lastSeq: b.Records[len(b.Records)-1].SequenceNumber}
	w.mu.Lock()
	w.flights = append(w.flights, f)
	w.mu.Unlock()
	var once sync.Once
	return func(context.Context) error {
		var err error
		once.Do(func() { err = w.ack(store, b.ShardID, f) })
		return err
	}
}

// ack marks f done and checkpoints the acked prefix.
func (w *ackWindow) ack(store CheckpointStore, shardID string, f *flight) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	f.acked = true
	n := 0
	for n < len(w.flights) && w.flights[n].acked {
		n++
	}
	if n == 0 {
		return nil
	}
	last := w.flights[n-1].lastSeq
	w.flights = w.flights[n:]
	close(w.changed)
	w.changed = make(chan struct{})
	if store == nil {
		return nil
	}
	if err := store.Put(shardID, last); err != nil {
		return fmt.Errorf("checkpoint shard %s at %s: %w", shardID, last, err)
	}
	return nil
}

// waitRoom blocks until fewer than max batches await their ack; false when ctx ended first.
func (w *ackWindow) waitRoom(ctx context.Context) bool {
	return w.wait(ctx, func(n int) bool { return n < w.max })
}

// waitEmpty blocks until every released batch is acked; false when ctx ended first.
func (w *ackWindow) waitEmpty(ctx context.Context) bool {
	return w.wait(ctx, func(n int) bool { return n == 0 })
}

func (w *ackWindow) wait(ctx context.Context, ok func(inFlight int) bool) bool {
	for {
		w.mu.Lock()
		done, changed := ok(len(w.flights)), w.changed
		w.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}
