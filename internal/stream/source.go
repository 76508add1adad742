package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// Source reads one stream for one pipe, with its own shard iterators, so
// several Sources on one stream each see every record, as several pipes do
// on AWS.
type Source struct {
	api   API
	cfg   Config
	log   *slog.Logger
	clock clock // the wall clock; a test may set its own before Connect

	mu        sync.Mutex
	shards    map[string]*shard // every shard seen, by ID
	connected bool
	closed    bool

	ctx     context.Context // ends the goroutines the Source owns
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	ready   chan pending  // shard readers hand released batches here
	refresh chan struct{} // asks the refresher to re-read shards now

	failOnce sync.Once
	failed   chan struct{} // closed on a fatal error, kept in err
	err      error
}

// pending is a released batch on its way to ReadBatch.
type pending struct {
	batch Batch
	ack   AckFunc
}

// shard is one shard of the stream and where this Source starts it.
type shard struct {
	id, parentID string
	start        position
	done         chan struct{} // closed once the shard is read to its end and its last batch acked
}

// position is where a shard reader starts: an iterator type, with the
// sequence number for AFTER_SEQUENCE_NUMBER (from a checkpoint).
type position struct {
	typ        types.ShardIteratorType
	seq        string
	checkpoint bool // seq came from the checkpoint store
}

// NewSource returns an unconnected Source reading cfg.StreamARN through api.
func NewSource(api API, cfg Config) *Source {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Source{
		api:     api,
		cfg:     cfg,
		clock:   wallClock{},
		log:     cfg.Logger.With("stream", cfg.StreamARN),
		shards:  make(map[string]*shard),
		ctx:     ctx,
		cancel:  cancel,
		ready:   make(chan pending),
		refresh: make(chan struct{}, 1),
		failed:  make(chan struct{}),
	}
}

// Connect validates the configuration, reads every shard with
// DescribeStream (paginated), takes the first iterator of each shard that
// can start now (so LATEST means "after Connect returned") and starts one
// reader goroutine per shard plus a refresher that finds new shards; the
// Source owns them until Close. It blocks on those calls; a stream that does
// not exist gives an error wrapping ErrStreamGone, an unreachable DynamoDB
// Local a one-line error naming the stream.
func (s *Source) Connect(ctx context.Context) error {
	if err := s.cfg.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.connected:
		return nil
	}
	described, _, err := describeShards(ctx, s.api, s.cfg.StreamARN)
	if err != nil {
		return err
	}
	readers, err := s.plan(ctx, described)
	if err != nil {
		return err
	}
	s.connected = true
	for _, r := range readers {
		s.startReader(r)
	}
	s.wg.Add(1)
	go s.refresher()
	return nil
}

// describeShards lists every shard of the stream, following
// LastEvaluatedShardId, and returns the stream's status. ResourceNotFound
// means the stream is gone.
func describeShards(ctx context.Context, api API, streamARN string) ([]types.Shard, types.StreamStatus, error) {
	var all []types.Shard
	var start *string
	for {
		out, err := api.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{
			StreamArn: aws.String(streamARN), ExclusiveStartShardId: start,
		})
		if err != nil {
			return nil, "", describeError(streamARN, err)
		}
		all = append(all, out.StreamDescription.Shards...)
		start = out.StreamDescription.LastEvaluatedShardId
		if start == nil {
			return all, out.StreamDescription.StreamStatus, nil
		}
	}
}

func describeError(streamARN string, err error) error {
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		return fmt.Errorf("stream %s: %w", streamARN, ErrStreamGone)
	}
	return fmt.Errorf("describe stream %s: %w", streamARN, err)
}

// plan decides where each described shard starts, parents before children,
// and takes the first iterator of each shard that need not wait for a
// parent. It runs under s.mu and returns the readers to start.
func (s *Source) plan(ctx context.Context, described []types.Shard) ([]*reader, error) {
	var readers []*reader
	for _, d := range lineageOrder(described) {
		sh, skip, err := s.placeShard(d, false)
		if err != nil {
			return nil, err
		}
		if skip {
			continue
		}
		r := s.newReader(sh)
		if s.waitsForParent(sh) == nil {
			if err := r.acquire(ctx); err != nil {
				return nil, err
			}
		}
		readers = append(readers, r)
	}
	return readers, nil
}

// lineageOrder returns shards so that a parent comes before its children;
// otherwise the order DescribeStream gave is kept.
func lineageOrder(shards []types.Shard) []types.Shard {
	byID := make(map[string]types.Shard, len(shards))
	for _, d := range shards {
		byID[aws.ToString(d.ShardId)] = d
	}
	seen := make(map[string]bool, len(shards))
	out := make([]types.Shard, 0, len(shards))
	var visit func(d types.Shard)
	visit = func(d types.Shard) {
		id := aws.ToString(d.ShardId)
		if seen[id] {
			return
		}
		seen[id] = true
		if p, ok := byID[aws.ToString(d.ParentShardId)]; ok {
			visit(p)
		}
		out = append(out, d)
	}
	for _, d := range shards {
		visit(d)
	}
	return out
}

// placeShard records a shard and decides its starting position: its
// checkpoint; else TRIM_HORIZON when found after Connect, when the
// configuration says so, or when its parent is being read; else LATEST for
// an open shard, and nothing at all (skip) for a closed one under LATEST.
// It runs under s.mu.
func (s *Source) placeShard(d types.Shard, late bool) (sh *shard, skip bool, err error) {
	sh = &shard{id: aws.ToString(d.ShardId), parentID: aws.ToString(d.ParentShardId), done: make(chan struct{})}
	s.shards[sh.id] = sh
	seq, ok, err := s.checkpoint(sh.id)
	switch {
	case err != nil:
		return nil, false, err
	case ok:
		sh.start = position{typ: types.ShardIteratorTypeAfterSequenceNumber, seq: seq, checkpoint: true}
	case late || s.cfg.StartingPosition == TrimHorizon || s.parentRead(sh):
		sh.start = position{typ: types.ShardIteratorTypeTrimHorizon}
	case d.SequenceNumberRange != nil && d.SequenceNumberRange.EndingSequenceNumber != nil:
		close(sh.done) // closed before we came, under LATEST: nothing of it is ours
		return sh, true, nil
	default:
		sh.start = position{typ: types.ShardIteratorTypeLatest}
	}
	return sh, false, nil
}

// checkpoint reads the shard's checkpoint, if there is a store.
func (s *Source) checkpoint(shardID string) (string, bool, error) {
	if s.cfg.Checkpoints == nil {
		return "", false, nil
	}
	seq, ok, err := s.cfg.Checkpoints.Get(shardID)
	if err != nil {
		return "", false, fmt.Errorf("read checkpoint of shard %s: %w", shardID, err)
	}
	if ok && !validSequenceNumber(seq) {
		return "", false, fmt.Errorf("checkpoint of shard %s: sequence number %q: %w", shardID, seq, ErrBadCheckpoint)
	}
	return seq, ok, nil
}

// validSequenceNumber applies the API's rule: 21 to 40 digits.
func validSequenceNumber(seq string) bool {
	if len(seq) < 21 || len(seq) > 40 {
		return false
	}
	for _, c := range seq {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parentRead reports whether this Source reads the shard's parent. Under
// s.mu.
func (s *Source) parentRead(sh *shard) bool {
	p, ok := s.shards[sh.parentID]
	if !ok {
		return false
	}
	select {
	case <-p.done:
		return p.start.typ != "" // finished by reading, not skipped
	default:
		return true
	}
}

// waitsForParent returns the done channel of a parent still being read, or
// nil. Under s.mu.
func (s *Source) waitsForParent(sh *shard) chan struct{} {
	p, ok := s.shards[sh.parentID]
	if !ok {
		return nil
	}
	select {
	case <-p.done:
		return nil
	default:
		return p.done
	}
}

// startReader starts r's goroutine, owned by the Source. Under s.mu.
func (s *Source) startReader(r *reader) {
	parent := s.waitsForParent(r.sh)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		r.run(s.ctx, parent)
	}()
}

// refresher re-reads the shard list every ShardRefresh, or at once when a
// shard closes, and starts readers for new shards. It ends with the Source.
func (s *Source) refresher() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.ShardRefresh)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		case <-s.refresh:
		}
		if err := s.discover(s.ctx); err != nil {
			if errors.Is(err, ErrStreamGone) || errors.Is(err, ErrStreamDisabled) {
				s.fail(err)
				return
			}
			s.log.Warn("re-reading shards failed; will retry", "err", err)
		}
	}
}

// discover describes the stream and starts readers for shards not seen
// before; they start at their checkpoint or TRIM_HORIZON, after their parent.
// A disabled stream whose shards are all read gives ErrStreamDisabled.
func (s *Source) discover(ctx context.Context) error {
	described, status, err := describeShards(ctx, s.api, s.cfg.StreamARN)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if status == types.StreamStatusDisabled && s.allDone(described) {
		return fmt.Errorf("stream %s: %w", s.cfg.StreamARN, ErrStreamDisabled)
	}
	for _, d := range lineageOrder(described) {
		if _, known := s.shards[aws.ToString(d.ShardId)]; known {
			continue
		}
		sh, skip, err := s.placeShard(d, true)
		if err != nil {
			return err
		}
		if !skip {
			s.log.Info("new shard", "shard", sh.id, "parent", sh.parentID)
			s.startReader(s.newReader(sh))
		}
	}
	return nil
}

// allDone reports whether every described shard is known and finished.
// Under s.mu.
func (s *Source) allDone(described []types.Shard) bool {
	for _, d := range described {
		sh, ok := s.shards[aws.ToString(d.ShardId)]
		if !ok {
			return false
		}
		select {
		case <-sh.done:
		default:
			return false
		}
	}
	return true
}

// askRefresh asks the refresher to re-read shards now, without blocking.
func (s *Source) askRefresh() {
	select {
	case s.refresh <- struct{}{}:
	default:
	}
}

// fail records the first fatal error; ReadBatch returns it from then on.
func (s *Source) fail(err error) {
	s.failOnce.Do(func() {
		s.err = err
		close(s.failed)
	})
}

// ReadBatch blocks until a batch is released by any shard, ctx is done, the
// Source fails (the stream is gone, a checkpoint is bad) or is closed. A
// shard's next batch is released only after the previous one's AckFunc ran,
// so batches of one shard arrive in order, one at a time. A live stream has
// no end of input.
func (s *Source) ReadBatch(ctx context.Context) (Batch, AckFunc, error) {
	s.mu.Lock()
	connected, closed := s.connected, s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return Batch{}, nil, ErrClosed
	case !connected:
		return Batch{}, nil, ErrNotConnected
	}
	select {
	case p := <-s.ready:
		return p.batch, p.ack, nil
	case <-s.failed:
		return Batch{}, nil, s.err
	case <-ctx.Done():
		return Batch{}, nil, ctx.Err()
	case <-s.ctx.Done():
		return Batch{}, nil, ErrClosed
	}
}

// Close stops every goroutine of the Source and waits for them. Batches
// already returned may still be acknowledged (their checkpoints are put).
// Close is idempotent.
func (s *Source) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}
