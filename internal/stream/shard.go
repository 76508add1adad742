package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go"
)

// MaxBatchBytes is the Pipes payload limit: a batch is released before it
// would grow past 6 MB of record JSON.
const MaxBatchBytes = 6 << 20

// Backoff between retries of failing calls (DynamoDB Local unreachable,
// internal errors), which Pipes retries without end.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// reader reads one shard: it owns the shard's iterator and pending batch and
// runs in one goroutine owned by the Source.
type reader struct {
	s     *Source
	sh    *shard
	start position // where the shard starts; TRIM_HORIZON after trimmed data
	log   *slog.Logger

	iterator string   // "" => take a new one
	lastSeq  string   // sequence number of the last record read
	pending  []Record // read, not yet released
	bytes    int      // JSON bytes in pending
	firstAt  time.Time
	backoff  time.Duration
	window   *ackWindow // released batches awaiting their ack

	throttledSince int       // GetRecords throttled since the last report
	reportedAt     time.Time // when throttling was last reported; zero: never
}

func (s *Source) newReader(sh *shard) *reader {
	return &reader{s: s, sh: sh, start: sh.start, log: s.log.With("shard", sh.id), window: newAckWindow(s.cfg.MaxInFlight)}
}

// run waits for the parent (when not nil) to be finished, then polls the
// shard until it is closed and its last batch acked, or ctx is done.
func (r *reader) run(ctx context.Context, parent chan struct{}) {
	if parent != nil {
		select {
		case <-parent:
		case <-ctx.Done():
			return
		}
	}
	for ctx.Err() == nil {
		started := r.s.clock.Now()
		closed, full, err := r.poll(ctx)
		if err != nil {
			if !r.recover(ctx, err) {
				return
			}
			continue
		}
		if !r.releaseDue(ctx, closed) {
			return
		}
		if closed {
			r.finish(ctx)
			return
		}
		if !full {
			r.sleep(ctx, r.pollWait(started))
		}
	}
}

// poll takes an iterator when needed, reads one page and converts it. It
// reports whether the shard is closed (no next iterator) and whether the
// page was full, in which case the next poll follows at once.
func (r *reader) poll(ctx context.Context) (closed, full bool, err error) {
	if r.iterator == "" {
		if err := r.acquire(ctx); err != nil {
			return false, false, err
		}
	}
	if !r.s.cfg.ReadLimit.allow(r.s.cfg.StreamARN, r.sh.id, r.s.clock.Now()) {
		return false, false, throttled()
	}
	limit := min(r.s.cfg.BatchSize-len(r.pending), maxGetRecordsLimit)
	out, err := r.s.api.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{
		ShardIterator: aws.String(r.iterator), Limit: aws.Int32(int32(limit)),
	})
	if err != nil {
		return false, false, err
	}
	r.backoff = 0
	if err := r.add(out.Records); err != nil {
		return false, false, err
	}
	r.iterator = aws.ToString(out.NextShardIterator)
	return r.iterator == "", len(out.Records) == limit, nil
}

// pollWait is the time from now to the next poll of a fixed-rate schedule, as a ticker would
// keep it: one poll interval after the last poll started, so the round trip does not stretch the
// cycle; a poll that took longer than the interval is followed at once, once (a ticker drops the
// ticks it missed, so a slow poll never causes a burst). It is cut short when a batching window
// ends sooner.
func (r *reader) pollWait(lastStarted time.Time) time.Duration {
	now := r.s.clock.Now()
	wait := lastStarted.Add(r.s.cfg.PollInterval).Sub(now)
	if len(r.pending) > 0 && r.s.cfg.BatchingWindow > 0 {
		wait = min(wait, r.firstAt.Add(r.s.cfg.BatchingWindow).Sub(now))
	}
	return max(wait, 0)
}

// acquire takes a shard iterator: after the last record read, else at the
// shard's starting position.
func (r *reader) acquire(ctx context.Context) error {
	in := &dynamodbstreams.GetShardIteratorInput{
		StreamArn: aws.String(r.s.cfg.StreamARN), ShardId: aws.String(r.sh.id), ShardIteratorType: r.start.typ,
	}
	switch {
	case r.lastSeq != "":
		in.ShardIteratorType, in.SequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(r.lastSeq)
	case r.start.seq != "":
		in.SequenceNumber = aws.String(r.start.seq)
	}
	out, err := r.s.api.GetShardIterator(ctx, in)
	if err != nil {
		return r.acquireError(in, err)
	}
	r.iterator = aws.ToString(out.ShardIterator)
	return nil
}

// acquireError names a checkpoint the shard does not hold.
func (r *reader) acquireError(in *dynamodbstreams.GetShardIteratorInput, err error) error {
	var api smithy.APIError
	if r.lastSeq == "" && r.start.checkpoint && errors.As(err, &api) && api.ErrorCode() == "ValidationException" {
		return fmt.Errorf("shard %s: checkpoint %s: %w: %v", r.sh.id, aws.ToString(in.SequenceNumber), ErrBadCheckpoint, api.ErrorMessage())
	}
	return fmt.Errorf("shard %s: get %s iterator: %w", r.sh.id, in.ShardIteratorType, err)
}

// add converts a page of records onto the pending batch.
func (r *reader) add(records []types.Record) error {
	now := r.s.clock.Now()
	for _, rec := range records {
		if !r.s.cfg.RawCreationTime {
			refineCreationTime(&rec, now)
		}
		c, err := ConvertRecord(rec, r.s.cfg.StreamARN, r.s.cfg.Region)
		if err != nil {
			return &convertError{fmt.Errorf("shard %s: %w", r.sh.id, err)}
		}
		c.ShardID = r.sh.id
		if len(r.pending) == 0 {
			r.firstAt = now
		}
		r.pending = append(r.pending, c)
		r.bytes += c.Doc.Len()
		r.lastSeq = c.SequenceNumber
	}
	return nil
}

// refineCreationTime replaces DynamoDB Local's ApproximateCreationDateTime,
// rounded down to the minute, by the second the record is read, kept within
// that minute. Values not on a whole minute are left alone.
func refineCreationTime(rec *types.Record, now time.Time) {
	d := rec.Dynamodb
	if d == nil || d.ApproximateCreationDateTime == nil {
		return
	}
	t := *d.ApproximateCreationDateTime
	if t.Truncate(time.Minute) != t {
		return
	}
	sec := now.Truncate(time.Second)
	if sec.After(t) && sec.Before(t.Add(time.Minute)) {
		refined := *d // the page's record may be shared; change a copy
		refined.ApproximateCreationDateTime = &sec
		rec.Dynamodb = &refined
	}
}

// releaseDue releases batches while one is due: full (BatchSize or 6 MB),
// the batching window elapsed (window 0: whatever was read), or the shard
// closed. Each release blocks until ReadBatch takes the batch and it is
// acked. It returns false when ctx ended first.
func (r *reader) releaseDue(ctx context.Context, closed bool) bool {
	for len(r.pending) > 0 {
		cfg := r.s.cfg
		full := len(r.pending) >= cfg.BatchSize || r.bytes >= MaxBatchBytes
		windowEnded := cfg.BatchingWindow == 0 || r.s.clock.Now().Sub(r.firstAt) >= cfg.BatchingWindow
		if !full && !windowEnded && !closed {
			return true
		}
		if !r.release(ctx) {
			return false
		}
	}
	return true
}

// release hands the longest due prefix of the pending records to ReadBatch
// and waits for its ack.
func (r *reader) release(ctx context.Context) bool {
	n, size := 0, 0
	for n < len(r.pending) && n < r.s.cfg.BatchSize {
		if n > 0 && size+r.pending[n].Doc.Len() > MaxBatchBytes {
			break
		}
		size += r.pending[n].Doc.Len()
		n++
	}
	batch := Batch{ShardID: r.sh.id, Records: r.pending[:n:n]}
	r.pending = append([]Record(nil), r.pending[n:]...)
	r.bytes -= size
	r.firstAt = r.s.clock.Now()
	ack := r.window.add(r.s.cfg.Checkpoints, batch)
	select {
	case r.s.ready <- pending{batch: batch, ack: ack}:
	case <-ctx.Done():
		return false
	}
	return r.window.waitRoom(ctx)
}

// finish marks the shard read to its end, once every released batch is acked, and asks for its
// children.
func (r *reader) finish(ctx context.Context) {
	if !r.window.waitEmpty(ctx) {
		return
	}
	r.log.Debug("shard finished")
	close(r.sh.done)
	r.s.askRefresh()
}

// recover handles a failed call the way Pipes does: expired iterators are
// re-taken after the last record read, trimmed data restarts at
// TRIM_HORIZON, a vanished shard finishes, a vanished stream, a bad
// checkpoint or an unconvertible record fails the Source, anything else is
// retried with backoff (with the same iterator unless the service refused it). It returns false when the reader must stop.
func (r *reader) recover(ctx context.Context, err error) bool {
	var expired *types.ExpiredIteratorException
	var trimmed *types.TrimmedDataAccessException
	var notFound *types.ResourceNotFoundException
	var throttled *types.LimitExceededException
	switch {
	case ctx.Err() != nil:
		return false
	case errors.As(err, &throttled) || isThrottling(err):
		return r.throttle(ctx, err)
	case errors.As(err, &expired):
		r.log.Info("shard iterator expired; re-taking it", "after", r.lastSeq)
		r.iterator = ""
	case errors.As(err, &trimmed):
		r.log.Warn("records trimmed from the shard before they were read; restarting at TRIM_HORIZON", "after", r.lastSeq)
		r.iterator, r.lastSeq = "", ""
		r.start = position{typ: types.ShardIteratorTypeTrimHorizon}
	case errors.As(err, &notFound):
		return r.vanished(ctx, err)
	case errors.Is(err, ErrBadCheckpoint) || errors.As(err, new(*convertError)):
		r.s.fail(err)
		return false
	default:
		r.log.Warn("reading shard failed; retrying", "err", err)
		if refusedIterator(err) {
			r.iterator = ""
		}
		r.backoff = min(max(2*r.backoff, minBackoff), maxBackoff)
		return r.sleep(ctx, r.backoff)
	}
	return true
}

// refusedIterator reports whether a failed call's answer blames the request, so the iterator is
// taken again. A transient failure (no answer, a server error) keeps it: an iterator stays valid
// for 15 minutes (an expired one is answered with ExpiredIteratorException), and taking a new one
// at LATEST before anything was read would skip the records written meanwhile.
func refusedIterator(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorFault() == smithy.FaultClient
}

// throttleReport is how often a reader reports that its reads keep being throttled, after it
// reported the first.
const throttleReport = time.Minute

// throttle handles a throttled GetRecords as a stream poller does: the iterator stays valid, so
// the same read is retried after a backoff, and nothing is skipped. The first throttle of a
// reader is reported with its cause, later ones as a count every throttleReport.
func (r *reader) throttle(ctx context.Context, err error) bool {
	r.throttledSince++
	now := r.s.clock.Now()
	switch {
	case r.reportedAt.IsZero():
		r.log.Warn("GetRecords throttled: more reads of this shard than DynamoDB Streams allows; retrying the same read after a backoff",
			"err", err, "readLimitPerSecond", r.s.cfg.ReadLimit.perSecondOrZero())
		r.reportedAt, r.throttledSince = now, 0
	case now.Sub(r.reportedAt) >= throttleReport:
		r.log.Info("GetRecords still throttled: too many readers on the shard", "throttled", r.throttledSince, "since", now.Sub(r.reportedAt).Round(time.Second))
		r.reportedAt, r.throttledSince = now, 0
	}
	r.backoff = min(max(2*r.backoff, minBackoff), maxThrottleBackoff)
	return r.sleep(ctx, r.backoff)
}

// isThrottling reports an error DynamoDB Streams throttles with beside LimitExceededException:
// ThrottlingException, which its API model does not list but the service sends (the DynamoDB
// Streams Kinesis Adapter treats it, on GetRecords, as a throttled read).
func isThrottling(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "ThrottlingException"
}

// vanished tells a deleted stream (fatal) from an expired shard: DynamoDB
// Local drops shards 24 hours old and answers "Invalid ShardId in
// ShardIterator"; their records are gone, so the shard is finished.
func (r *reader) vanished(ctx context.Context, err error) bool {
	if _, _, derr := describeShards(ctx, r.s.api, r.s.cfg.StreamARN); errors.Is(derr, ErrStreamGone) {
		r.s.fail(derr)
		return false
	}
	r.log.Warn("shard no longer exists; its unread records are lost", "err", err)
	if r.releaseDue(ctx, true) {
		r.finish(ctx)
	}
	return false
}

// convertError marks a record that cannot be converted: reading it again
// would fail again, so the Source fails instead of retrying without end.
type convertError struct{ err error }

func (e *convertError) Error() string { return e.err.Error() }
func (e *convertError) Unwrap() error { return e.err }

// sleep waits d or until ctx is done; it reports whether ctx is still live.
func (r *reader) sleep(ctx context.Context, d time.Duration) bool {
	return r.s.clock.Sleep(ctx, d)
}
