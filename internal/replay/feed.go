package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

// ErrBadInput is returned, wrapped with the line and reason, when strict reading meets input that
// is not a record.
var ErrBadInput = errors.New("bad input")

// DefaultChunkSize is how many records the feed hands its sources at once.
const DefaultChunkSize = 1024

// Options configure a Feed.
type Options struct {
	Reader Reader
	// Strict stops the replay at the first piece of input that is not a record; otherwise it is
	// reported to OnBad, counted and skipped.
	Strict bool
	// Speed is 0 for as fast as possible, or the multiple of the recorded pace (1 is the pace
	// of ApproximateCreationDateTime).
	Speed float64
	// ChunkSize is how many records go to the sources at once; 0 means DefaultChunkSize.
	ChunkSize int
	// OnBad hears of each piece of input that is not a record; it is called from Run.
	OnBad func(Item)
	// OnStream hears of each eventSourceARN the records carry, once, when its first record is
	// read; it is called from Run. replay warns there of a stream no pipe reads.
	OnStream func(arn string)
}

// Stats are what a feed has read so far. It is safe to read while the feed runs.
type Stats struct {
	Records atomic.Int64
	Bad     atomic.Int64
}

// chunk is a run of records every source sees, numbered from 0 in input order. The records'
// bytes live in one arena and their Docs in one slice, each Doc frozen (every pipe reads it) and
// noting its chunk's number under chunkKey, so that a record can be traced back to its chunk.
type chunk struct {
	seq     int
	records []stream.Record
	arena   []byte
	docs    []rawjson.Doc
}

// chunkKey is the note under which a record's Doc holds the number of its chunk.
var chunkKey = rawjson.NewKey()

// chunkSeq is the number of the chunk rec came from, or -1 for a record not from a feed.
func chunkSeq(rec stream.Record) int {
	if v, ok := rec.Doc.Note(chunkKey); ok {
		return int(v)
	}
	return -1
}

// arenaBytesPerRecord sizes a chunk's arena; a chunk whose records do not fit is cut short.
const arenaBytesPerRecord = 1024

// maxArenaBytes bounds a chunk's arena, however long the previous chunk's records were: records
// of 1 MB go out a few at a time, not a gigabyte at a time. Seed-sized records (~700 bytes)
// fill 1024-record chunks well under it.
const maxArenaBytes = 4 << 20

// Feed reads an input once and hands every record, in input order, to each of its sources, one
// per pipe. A slow source holds the feed back, so memory stays bounded whatever the input size.
type Feed struct {
	in    io.Reader
	opts  Options
	subs  []*Source
	Stats Stats
	Form  Form // the form read, once Run returned
	// Decide, if set, reads each record's Doc before it is frozen and handed to every source:
	// the pipes' filters are decided there, together, and their verdicts left in the Doc.
	Decide func(*rawjson.Doc)
}

// NewFeed returns a feed over in; add sources with Source, then call Run.
func NewFeed(in io.Reader, opts Options) *Feed {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	return &Feed{in: in, opts: opts}
}

// Source returns a new source that sees every record of the feed in batches of up to batchSize
// records of one shard. Call it before Run.
func (f *Feed) Source(batchSize int) *Source {
	s := &Source{ch: make(chan *chunk, 4), done: make(chan struct{}), freed: make(chan struct{}, 1),
		batchSize: max(batchSize, 1), eager: f.opts.Speed > 0, epoch: time.Now()}
	f.subs = append(f.subs, s)
	return s
}

// Run reads the input and feeds the sources until the input ends, ctx is cancelled or strict
// reading meets bad input; then it tells the sources the input is over (with the error, if any)
// and returns the error. It blocks while every source is busy.
func (f *Feed) Run(ctx context.Context) error {
	fd := feeding{f: f, ctx: ctx}
	rd := f.opts.Reader
	rd.Reuse = true // item copies each record into its chunk's arena
	form, err := rd.Read(ctxReader{ctx: ctx, r: f.in}, fd.item)
	f.Form = form
	if err == nil {
		err = fd.flush()
	}
	for _, s := range f.subs {
		s.end = err
		close(s.ch)
	}
	return err
}

// feeding is the state of one Run.
type feeding struct {
	f       *Feed
	ctx     context.Context
	cur     []stream.Record
	seq     int
	start   time.Time // wall clock of the first record, for the recorded pace
	first   time.Time // its ApproximateCreationDateTime
	shardOf map[string]string
	lastARN []byte
	lastID  string
	arena   []byte
	docs    []rawjson.Doc // the Docs of cur's records
}

func (fd *feeding) item(it Item) error {
	if it.Err != nil {
		fd.f.Stats.Bad.Add(1)
		if fd.f.opts.OnBad != nil {
			fd.f.opts.OnBad(it)
		}
		if fd.f.opts.Strict {
			return fmt.Errorf("%w: line %d: %v", ErrBadInput, it.Line, it.Err)
		}
		return nil
	}
	fd.f.Stats.Records.Add(1)
	it.Record.ShardID = fd.shardID(it.Record)
	if err := fd.pace(it.Record.ApproximateCreationDateTime); err != nil {
		return err
	}
	if err := fd.store(&it); err != nil {
		return err
	}
	fd.cur = append(fd.cur, it.Record)
	if len(fd.cur) >= fd.f.opts.ChunkSize {
		return fd.flush()
	}
	return nil
}

// store moves the record (its bytes, the strings that view them, its Doc) into the chunk,
// cutting the chunk first when it is full; the Doc notes the chunk and is frozen, for every pipe
// to read.
func (fd *feeding) store(it *Item) error {
	n := it.Record.Doc.Len()
	if len(fd.arena)+n > cap(fd.arena) {
		if err := fd.flush(); err != nil {
			return err
		}
		if n > cap(fd.arena) {
			fd.arena = make([]byte, 0, max(min(fd.f.opts.ChunkSize*arenaBytesPerRecord, maxArenaBytes), n))
		}
	}
	if fd.docs == nil {
		fd.docs = make([]rawjson.Doc, fd.f.opts.ChunkSize)
	}
	start := len(fd.arena)
	fd.arena = append(fd.arena, it.Record.Doc.Bytes()...)
	doc := &fd.docs[len(fd.cur)] // flush comes at ChunkSize records: there is room
	it.own(fd.arena[start:len(fd.arena):len(fd.arena)], doc)
	doc.SetNote(chunkKey, uint64(fd.seq))
	if fd.f.Decide != nil {
		fd.f.Decide(doc)
	}
	doc.Freeze()
	return nil
}

// shardID is the synthetic shard of a record: one per eventSourceARN, since captured records do
// not say which shard they came from.
func (fd *feeding) shardID(rec stream.Record) string {
	if fd.lastID != "" && endsWithARN(rec.Doc.Bytes(), fd.lastARN) {
		return fd.lastID // records of one stream follow each other
	}
	arn := streamARNOf(rec.Doc.Bytes())
	id, ok := fd.shardOf[string(arn)]
	if !ok {
		if fd.shardOf == nil {
			fd.shardOf = map[string]string{}
		}
		id = fmt.Sprintf("shardId-replay-%08d", len(fd.shardOf)+1)
		fd.shardOf[string(arn)] = id
		if fd.f.opts.OnStream != nil {
			fd.f.opts.OnStream(string(arn))
		}
	}
	fd.lastARN, fd.lastID = append(fd.lastARN[:0], arn...), id
	return id
}

// arnKey is the last key of a normalised record.
const arnKey = `,"eventSourceARN":"`

// endsWithARN reports whether rec ends with eventSourceARN arn, which has no '"': then
// streamARNOf(rec) is arn, found without searching.
func endsWithARN(rec, arn []byte) bool {
	n := len(rec) - len(arn) - 2
	return n >= len(arnKey) && string(rec[len(rec)-2:]) == `"}` && bytes.Equal(rec[n:len(rec)-2], arn) &&
		string(rec[n-len(arnKey):n]) == arnKey
}

// streamARNOf finds eventSourceARN, the last key of a normalised record, cheaply.
func streamARNOf(rec []byte) []byte {
	i := bytes.LastIndex(rec, []byte(arnKey))
	if i < 0 {
		return nil
	}
	s := rec[i+len(arnKey):]
	if j := bytes.IndexByte(s, '"'); j >= 0 {
		return s[:j]
	}
	return nil
}

// pace waits, at the recorded pace, until the record is due; what was read before it is handed
// out first.
func (fd *feeding) pace(created time.Time) error {
	if fd.f.opts.Speed <= 0 || created.IsZero() {
		return fd.ctx.Err()
	}
	if fd.start.IsZero() {
		fd.start, fd.first = time.Now(), created
		return nil
	}
	due := fd.start.Add(time.Duration(min(float64(created.Sub(fd.first))/fd.f.opts.Speed, math.MaxInt64)))
	wait := time.Until(due)
	if wait <= 0 {
		return nil
	}
	if err := fd.flush(); err != nil {
		return err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-fd.ctx.Done():
		return fd.ctx.Err()
	}
}

// flush hands the records read so far to every source that is still reading.
func (fd *feeding) flush() error {
	if len(fd.cur) == 0 {
		return fd.ctx.Err()
	}
	c := &chunk{seq: fd.seq, records: fd.cur, arena: fd.arena, docs: fd.docs}
	fd.seq++
	fd.cur, fd.docs = make([]stream.Record, 0, fd.f.opts.ChunkSize), nil
	// The next arena fits records like these with room to spare (zeroing it is not free), up to
	// maxArenaBytes.
	perRecord := len(fd.arena)/len(c.records) + len(fd.arena)/len(c.records)/8 + 16
	fd.arena = make([]byte, 0, min(fd.f.opts.ChunkSize*perRecord, maxArenaBytes))
	for _, s := range fd.f.subs {
		select {
		case s.ch <- c:
		case <-s.done:
		case <-fd.ctx.Done():
			return fd.ctx.Err()
		}
	}
	return nil
}

// ctxReader reads r until ctx ends: an input that never ends (/dev/zero) or holds one long line
// to skip stops at the next read once the replay is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// The range of a multiple of the recorded pace: a million times is a day of records in 0.09 s
// (faster is "max"), a thousandth a second of records in 17 minutes. Outside it a speed means
// nothing, or overflows the wait for a record.
const (
	MinSpeed = 0.001
	MaxSpeed = 1e6
)

// ParseSpeed reads --speed: "max" (or "") is as fast as possible, "recorded" the recorded pace,
// "Nx" N times the recorded pace.
func ParseSpeed(s string) (float64, error) {
	switch s {
	case "", "max":
		return 0, nil
	case "recorded":
		return 1, nil
	}
	n, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
	if err != nil || !strings.HasSuffix(s, "x") || !(n >= MinSpeed && n <= MaxSpeed) {
		return 0, fmt.Errorf("speed %q: want max, recorded, or a multiple of the recorded pace from %sx to %sx, such as 10x", s,
			strconv.FormatFloat(MinSpeed, 'f', -1, 64), strconv.FormatFloat(MaxSpeed, 'f', -1, 64))
	}
	return n, nil
}
