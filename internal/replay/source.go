package replay

import (
	"context"
	"sync"
	"time"

	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/stream"
)

// Source is one pipe's view of a Feed; it implements pipe.Source. Batches hold up to the pipe's
// BatchSize records of one synthetic shard, in input order: all records are available at once,
// as after a pause in polling, so batches fill up.
type Source struct {
	ch        chan *chunk
	done      chan struct{}
	closeOnce sync.Once
	batchSize int
	end       error // set by the feed before it closes ch

	cur *chunk
	pos int

	// OnChunkDone, if set, is called from the acknowledgement of the batch that finishes a
	// chunk, with the chunk's number: everything the pipe did for those records is done.
	OnChunkDone func(seq int)

	mu      sync.Mutex
	last   time.Time // ApproximateCreationDateTime of the newest record handed out
	lastAt time.Time // when it was handed out
	// eager hands out a short batch rather than wait for more records (recorded pace); at full
	// speed batches fill up, so they do not depend on timing.
	eager bool
}

// Connect does nothing: a replay source is always connected.
func (s *Source) Connect(context.Context) error { return nil }

// Close stops the feed from waiting for this source.
func (s *Source) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	return nil
}

// ReadBatch returns the next batch. It blocks until the feed has records or ends; at the end it
// returns pipe.ErrEndOfInput, or the error that stopped the feed.
func (s *Source) ReadBatch(ctx context.Context) (stream.Batch, stream.AckFunc, error) {
	var batch stream.Batch
	var finished []int
	for len(batch.Records) < s.batchSize {
		if s.cur == nil || s.pos == len(s.cur.records) {
			if s.eager && len(batch.Records) > 0 && len(s.ch) == 0 {
				break // hand out what is there rather than wait for more
			}
			if err := s.next(ctx); err != nil {
				if len(batch.Records) > 0 {
					break
				}
				return stream.Batch{}, nil, err
			}
		}
		rec := s.cur.records[s.pos]
		if batch.ShardID != "" && rec.ShardID != batch.ShardID {
			break
		}
		batch.ShardID = rec.ShardID
		batch.Records = append(batch.Records, rec)
		s.pos++
		if s.pos == len(s.cur.records) {
			finished = append(finished, s.cur.seq)
		}
	}
	if len(batch.Records) == 1 {
		batch.Records = s.cur.records[s.pos-1 : s.pos : s.pos] // no copy for the common BatchSize 1
	}
	s.observe(batch.Records[len(batch.Records)-1].ApproximateCreationDateTime)
	return batch, s.ack(finished), nil
}

func (s *Source) next(ctx context.Context) error {
	select {
	case c, ok := <-s.ch:
		if !ok {
			if s.end != nil {
				return s.end
			}
			return pipe.ErrEndOfInput
		}
		s.cur, s.pos = c, 0
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Source) ack(finished []int) stream.AckFunc {
	if len(finished) == 0 || s.OnChunkDone == nil {
		return noAck
	}
	return func(context.Context) error {
		for _, seq := range finished {
			s.OnChunkDone(seq)
		}
		finished = nil
		return nil
	}
}

func noAck(context.Context) error { return nil }

func (s *Source) observe(created time.Time) {
	if created.IsZero() {
		return
	}
	s.mu.Lock()
	s.last, s.lastAt = created, time.Now()
	s.mu.Unlock()
}

// Now is the replay clock: the ApproximateCreationDateTime of the newest record handed out, plus
// the time since. Used as the runner's clock, records age during retries as they would have when
// they were captured, and a file replayed days later is not older than MaximumRecordAgeInSeconds.
// Before the first dated record it is the wall clock.
func (s *Source) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last.IsZero() {
		return time.Now()
	}
	return s.last.Add(time.Since(s.lastAt))
}
