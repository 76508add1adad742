package replay

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/rawjson"
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

	cur *sourceChunk
	pos int

	// OnChunkDone, if set, is called with a chunk's number and what was written for it (see
	// chunkOf) once every record of it is acknowledged (everything the pipe does for them is
	// done), from the goroutine that acknowledged the last one.
	OnChunkDone func(seq int, out []byte)

	mu     sync.Mutex
	active []*sourceChunk // chunks handed out and not yet done
	// activeBytes is the memory of the active chunks; the source takes no new chunk while it is
	// over maxActiveBytes (freed hears of each chunk done), so a pipe that reads ahead of its
	// deliveries holds a bounded part of the input, however long its records.
	activeBytes int
	freed       chan struct{}
	doneRecords int64 // records of the chunks done

	// The clock has its own lock: it is set for every batch delivered and read for every
	// execution, and the dry-run output looks up chunks as often.
	clock  sync.Mutex
	last   time.Time     // ApproximateCreationDateTime of the newest record being delivered
	lastAt time.Duration // when its delivery started, as time since epoch
	// epoch is when the source was made. Time since it reads only the monotonic clock, half
	// the cost of time.Now, and it is read for every batch delivered.
	epoch time.Time
	// eager hands out a short batch rather than wait for more records (recorded pace); at full
	// speed batches fill up, so they do not depend on timing.
	eager bool
}

// sourceChunk is a chunk as one source hands it out: left counts its records not yet
// acknowledged. The runtime may acknowledge batches out of order and from other goroutines (a
// batch nothing matched is acknowledged at once, before earlier batches are delivered), so a
// chunk is done only when every one of its records is.
type sourceChunk struct {
	*chunk
	src  *Source
	left atomic.Int32
	out  []byte // what the pipe wrote for the chunk's records (dry-run output)
	// acked marks the records acknowledged, for one-record batches; set by the reading
	// goroutine before any of them is handed out.
	acked []atomic.Bool
}

func (c *sourceChunk) release(n int32) {
	if c.left.Add(-n) != 0 {
		return
	}
	c.src.mu.Lock()
	c.src.active = slices.DeleteFunc(c.src.active, func(a *sourceChunk) bool { return a == c })
	c.src.activeBytes -= c.size()
	c.src.doneRecords += int64(len(c.records))
	c.src.mu.Unlock()
	select {
	case c.src.freed <- struct{}{}:
	default:
	}
	if c.src.OnChunkDone != nil {
		c.src.OnChunkDone(c.seq, c.out)
	}
}

// maxActiveBytes bounds the chunks a source has handed out and not yet seen done (see
// Source.activeBytes). Seed-sized chunks are under 1 MB: a pipe keeps a few at a time.
const maxActiveBytes = 64 << 20

// maxBatchBytes is Pipes' payload limit: a batch is cut before it grows past 6 MB ("until it has
// gathered a full batch, the batching window expires, or the batch reaches the payload limit of
// 6 MB").
const maxBatchBytes = 6 << 20

// size is the memory the chunk holds: its arena, its records and their Docs.
func (c *sourceChunk) size() int {
	return cap(c.arena) + cap(c.records)*recordSize + cap(c.docs)*docSize
}

var (
	recordSize = int(reflect.TypeFor[stream.Record]().Size())
	docSize    = int(reflect.TypeFor[rawjson.Doc]().Size())
)

// chunkOf finds the chunk a record handed out by this source came from; nil when it is done.
func (s *Source) chunkOf(rec stream.Record) *sourceChunk {
	seq := chunkSeq(rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.active {
		if c.seq == seq {
			return c
		}
	}
	return nil
}

// activeOut is what the pipe wrote for the chunks it has not finished (see OnChunkDone), in
// order: chunks cut short by a cancellation.
func (s *Source) activeOut() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b []byte
	for _, c := range s.active {
		b = append(b, c.out...)
	}
	return b
}

// Acknowledged is how many of the feed's records the pipe acknowledged: delivered,
// dead-lettered, dropped or filtered out. Call it once the pipe's runner has returned.
func (s *Source) Acknowledged() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.doneRecords
	for _, c := range s.active {
		n += int64(len(c.records)) - int64(c.left.Load())
	}
	return n
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
	if s.batchSize == 1 {
		return s.readOne(ctx)
	}
	var batch stream.Batch
	var held []*sourceChunk // the chunks the batch takes records from, in order, with repeats
	size := 0
	for len(batch.Records) < s.batchSize {
		if s.cur == nil || s.pos == len(s.cur.records) {
			if s.eager && len(batch.Records) > 0 && len(s.ch) == 0 {
				break // hand out what is there rather than wait for more
			}
			if err := s.next(ctx, len(batch.Records) == 0); err != nil {
				if len(batch.Records) > 0 {
					break
				}
				return stream.Batch{}, nil, err
			}
		}
		rec := s.cur.records[s.pos]
		if batch.ShardID != "" && rec.ShardID != batch.ShardID || size > 0 && size+rec.Doc.Len() > maxBatchBytes {
			break
		}
		size += rec.Doc.Len()
		batch.ShardID = rec.ShardID
		batch.Records = append(batch.Records, rec)
		held = append(held, s.cur)
		s.pos++
	}
	return batch, ackChunks(held), nil
}

// ackChunks releases, once, each record of the batch in the chunk it came from.
func ackChunks(held []*sourceChunk) stream.AckFunc {
	var once sync.Once
	return func(context.Context) error {
		once.Do(func() {
			for _, c := range held {
				c.release(1)
			}
		})
		return nil
	}
}

// readOne is ReadBatch for BatchSize 1, the common case: the batch is a view of the chunk.
func (s *Source) readOne(ctx context.Context) (stream.Batch, stream.AckFunc, error) {
	if s.cur == nil || s.pos == len(s.cur.records) {
		if err := s.next(ctx, true); err != nil {
			return stream.Batch{}, nil, err
		}
	}
	s.pos++
	recs := s.cur.records[s.pos-1 : s.pos : s.pos]
	return stream.Batch{ShardID: recs[0].ShardID, Records: recs}, s.cur.ackOne(s.pos - 1), nil
}

// ackOne is the acknowledgement of the one-record batch of record i of the chunk. Its flag lives
// in the chunk, allocated once for all its records.
func (c *sourceChunk) ackOne(i int) stream.AckFunc {
	if c.acked == nil {
		c.acked = make([]atomic.Bool, len(c.records))
	}
	return func(context.Context) error {
		if c.acked[i].CompareAndSwap(false, true) {
			c.release(1)
		}
		return nil
	}
}

// ReadAhead lets the runtime queue up to a chunk of batches per lane: every record of the feed
// is at hand, so reading ahead costs nothing and saves a goroutine switch per batch.
func (s *Source) ReadAhead() int { return DefaultChunkSize }

// Delivering moves the replay clock (Now) to the batch whose delivery starts. The clock follows
// delivery, not reading, which runs up to ReadAhead batches ahead.
func (s *Source) Delivering(read stream.Batch) {
	if len(read.Records) > 0 {
		s.observe(read.Records[len(read.Records)-1].ApproximateCreationDateTime)
	}
}

// next takes the feed's next chunk. At the start of a batch (first) it waits, while the source
// holds more than maxActiveBytes, for a chunk to be done; within a batch it does not, since the
// batch's own chunks cannot be done before it is delivered.
func (s *Source) next(ctx context.Context, first bool) error {
	for first && s.holdsTooMuch() {
		select {
		case <-s.freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	select {
	case c, ok := <-s.ch:
		if !ok {
			if s.end != nil {
				return s.end
			}
			return pipe.ErrEndOfInput
		}
		sc := &sourceChunk{chunk: c, src: s}
		sc.left.Store(int32(len(c.records)))
		s.mu.Lock()
		s.active = append(s.active, sc)
		s.activeBytes += sc.size()
		s.mu.Unlock()
		s.cur, s.pos = sc, 0
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Source) holdsTooMuch() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.activeBytes > maxActiveBytes
}

func (s *Source) observe(created time.Time) {
	if created.IsZero() {
		return
	}
	at := time.Since(s.epoch)
	s.clock.Lock()
	s.last, s.lastAt = created, at
	s.clock.Unlock()
}

// Now is the replay clock: the ApproximateCreationDateTime of the last record of the batch whose
// delivery started last (see Delivering), plus the time since. Used as the runner's clock,
// records age during retries as they would have when they were captured, and a file replayed
// days later is not older than MaximumRecordAgeInSeconds. Before the first dated record it is
// the wall clock.
func (s *Source) Now() time.Time {
	s.clock.Lock()
	defer s.clock.Unlock()
	if s.last.IsZero() {
		return time.Now()
	}
	return s.last.Add(time.Since(s.epoch) - s.lastAt)
}
