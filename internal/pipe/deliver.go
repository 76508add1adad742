package pipe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/stream"
)

// Dead-letter conditions, as Pipes writes them in context.condition.
const (
	RetryAttemptsExhausted = "RetryAttemptsExhausted"
	RecordAgeExceeded      = "RecordAgeExceeded"
)

// DeliveryError is why a batch was not delivered; the dead-letter entry and the logs are written
// from it.
type DeliveryError struct {
	Target    string // the API destination's ARN
	Attempts  int    // executions that reached the target, counted or not
	Status    int    // the last HTTP status; 0 when none came back
	Condition string // RetryAttemptsExhausted or RecordAgeExceeded
	Cause     error
}

func (e *DeliveryError) Error() string {
	return fmt.Sprintf("deliver to %s: %s after %d attempt(s): %v", e.Target, e.Condition, e.Attempts, e.Cause)
}

func (e *DeliveryError) Unwrap() error { return e.Cause }

// Outcomes of an execution, as the terminal trace shows them.
const (
	OutcomeSucceeded    = "succeeded"
	OutcomeRetrying     = "retrying"
	OutcomeDeadLettered = "dead-lettered"
	OutcomeDropped      = "dropped"
	// OutcomeFiltered: no filter matched the record; there was no execution.
	OutcomeFiltered = "filtered out"
	// OutcomeNotDelivered: Options.MaxAttempts executions failed and the runner stopped.
	OutcomeNotDelivered = "not delivered"
)

// deliver executes a batch until it succeeds, is dead-lettered, or expires; with
// AUTOMATIC_BISECT a failing batch is halved and each half delivered on its own. It returns when
// the batch is done: only then may the shard move on.
func (r *Runner) deliver(ctx context.Context, batch stream.Batch) {
	counted, total := 0, 0
	var same failureRun
	for ctx.Err() == nil {
		if r.expired(batch) {
			r.deadLetter(ctx, batch, &DeliveryError{Target: r.Pipe.TargetARN, Attempts: total, Condition: RecordAgeExceeded,
				Cause: fmt.Errorf("a record is older than MaximumRecordAgeInSeconds (%s)", r.Pipe.Stream.MaxRecordAge)}, nil)
			return
		}
		exec := r.execute(ctx, batch, total+1)
		total++
		if exec.err == nil {
			return
		}
		if exec.class != httpdest.Internal {
			counted++ // connection failures are retried until the record expires, uncounted; timeouts count
		}
		if derr := r.giveUp(exec, counted, total); derr != nil {
			if r.Pipe.Stream.Bisect && len(batch.Records) > 1 {
				r.bisect(ctx, batch)
				return
			}
			r.deadLetter(ctx, batch, derr, exec)
			return
		}
		if r.Opts.MaxAttempts > 0 && total >= r.Opts.MaxAttempts {
			r.stopNotDelivered(exec, total)
			return
		}
		exec.delay = r.retryDelay(total, exec)
		r.traceExec(exec, OutcomeRetrying)
		if same.add(exec, r.Opts.SameFailures) {
			r.warnSameFailures(exec, same)
		}
		r.wait(ctx, exec.delay)
	}
}

// giveUp says whether the failed execution ends the batch's retries, and why.
func (r *Runner) giveUp(exec *execution, counted, total int) *DeliveryError {
	derr := &DeliveryError{Target: r.Pipe.TargetARN, Attempts: total, Status: exec.result.Status, Condition: RetryAttemptsExhausted, Cause: exec.err}
	switch {
	case exec.result.HasRetryAfter && exec.result.RetryAfter < 0:
		derr.Cause = fmt.Errorf("%w (negative Retry-After: EventBridge stops retrying)", exec.err)
		return derr
	case exec.class == httpdest.Failed && r.Opts.FailedToDLQ:
		return derr
	case exec.class == httpdest.Internal:
		return nil
	case r.Pipe.Stream.MaxRetries >= 0 && counted > r.Pipe.Stream.MaxRetries:
		return derr
	}
	return nil
}

func (r *Runner) bisect(ctx context.Context, batch stream.Batch) {
	half := len(batch.Records) / 2
	r.deliver(ctx, stream.Batch{ShardID: batch.ShardID, Records: batch.Records[:half]})
	r.deliver(ctx, stream.Batch{ShardID: batch.ShardID, Records: batch.Records[half:]})
}

// expired reports whether the batch's oldest record is past MaximumRecordAgeInSeconds, judged by
// ApproximateCreationDateTime as AWS does.
func (r *Runner) expired(batch stream.Batch) bool {
	maxAge := r.Pipe.Stream.MaxRecordAge
	if maxAge < 0 || len(batch.Records) == 0 {
		return false
	}
	oldest := batch.Records[0].ApproximateCreationDateTime
	return r.Opts.Now().Sub(oldest) > maxAge
}

// retryDelay is exponential backoff with full jitter, or the server's Retry-After when that is
// longer: "EventBridge chooses the more conservative value", the API destinations page says of
// event bus rules; that pipes do the same is inferred (docs/fidelity.md).
func (r *Runner) retryDelay(attempt int, exec *execution) time.Duration {
	ceiling := r.Opts.Backoff
	for i := 1; i < attempt && ceiling < r.Opts.MaxBackoff; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, r.Opts.MaxBackoff)
	d := time.Duration(rand.Int64N(int64(ceiling)) + 1)
	if exec.result.HasRetryAfter && exec.result.RetryAfter > d {
		d = exec.result.RetryAfter
	}
	return d
}

func (r *Runner) wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// deadLetter sends the batch's metadata (never its records, as on AWS) to the pipe's dead-letter
// queue. Without a queue the batch is dropped, and the logs say so.
func (r *Runner) deadLetter(ctx context.Context, batch stream.Batch, derr *DeliveryError, exec *execution) {
	if exec == nil {
		exec = &execution{id: newID(), batch: batch, err: derr}
	}
	q := r.Pipe.Stream.DLQ
	if q == nil || r.DLQ == nil {
		r.Logger.Warn("batch dropped: no dead-letter queue", "pipe", r.Pipe.Name, "shard", batch.ShardID, "reason", derr.Error())
		r.traceExec(exec, OutcomeDropped)
		return
	}
	body := DeadLetterMessage(r.Pipe.ARN, r.SourceARN, derr.Condition, batch, r.Opts.Now())
	// A dead-letter queue that cannot be written must not lose the batch: keep trying.
	for {
		err := r.DLQ.Send(ctx, q, body)
		if err == nil {
			break
		}
		r.Logger.Error("dead-letter queue write failed; retrying", "pipe", r.Pipe.Name, "queue", q.Name, "err", err)
		r.wait(ctx, r.Opts.Backoff)
		if ctx.Err() != nil {
			return
		}
	}
	r.traceExec(exec, OutcomeDeadLettered)
}

var errTransform = errors.New("target transformation failed")
