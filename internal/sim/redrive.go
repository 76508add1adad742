package sim

import (
	"context"
	"errors"
	"fmt"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/stream"
)

// RedriveResult says what happened to one redriven message.
type RedriveResult struct {
	MessageID string
	Pipe      string
	Records   int
	Outcome   string // the delivery's last outcome: succeeded, dead-lettered, dropped
}

// GoneError is Redrive's error when a dead letter's records are no longer in the stream: the
// message cannot be redriven, and stays in its queue until it is purged.
type GoneError struct {
	Why string // one clause: what happened to the stream
}

func (e *GoneError) Error() string { return "its records are no longer in the stream: " + e.Why }

// whyGone says, in one clause, why the records of dl cannot be read: the table is gone, it has
// another stream now, or they are older than the stream keeps records.
func (s *Sim) whyGone(ctx context.Context, dl pipe.DeadLetter) string {
	arn, err := stream.ParseStreamARN(dl.StreamARN())
	if err != nil {
		return fmt.Sprintf("stream %s", dl.StreamARN())
	}
	latest, err := stream.ResolveStreamARN(ctx, s.DynamoDB, arn.Table)
	switch {
	case errors.Is(err, stream.ErrNoTable):
		return fmt.Sprintf("table %s does not exist in DynamoDB Local at %s", arn.Table, s.DynamoDBEndpoint)
	case err == nil && latest != dl.StreamARN():
		return fmt.Sprintf("table %s has had a new stream since (it was re-created, or DynamoDB Local's data was not kept)", arn.Table)
	case err != nil:
		return fmt.Sprintf("table %s: %v", arn.Table, err)
	}
	return fmt.Sprintf("stream %s no longer holds sequence numbers %s..%s (a stream keeps records for 24 hours)",
		dl.StreamARN(), dl.StartSequenceNumber(), dl.EndSequenceNumber())
}

// Redrive reads the batch a dead-letter message points at back from the stream and delivers it
// again through its pipe, with the pipe's filters, template, retries and dead-letter queue, as
// users redrive on AWS. A nil error means the batch was delivered or dead-lettered anew, so the
// caller may remove the message; an error means it must stay: a *GoneError when its records are
// no longer in the stream.
func (s *Sim) Redrive(ctx context.Context, msg pipe.QueueMessage) (RedriveResult, error) {
	res := RedriveResult{MessageID: msg.MessageID}
	dl, err := pipe.ParseDeadLetter(msg.Body)
	if err != nil {
		return res, err
	}
	p := s.pipeByARN(dl.PipeARN)
	if p == nil {
		return res, fmt.Errorf("pipe %s is not in the design", dl.PipeARN)
	}
	res.Pipe = p.Name
	recs, err := stream.ReadRange(ctx, s.Streams, dl.StreamARN(), s.Config.Region, dl.ShardID(), dl.StartSequenceNumber(), dl.EndSequenceNumber())
	if errors.Is(err, stream.ErrRangeGone) {
		return res, &GoneError{Why: s.whyGone(ctx, dl)}
	}
	if err != nil {
		return res, fmt.Errorf("read %s: %w", dl.StreamARN(), err)
	}
	res.Records = len(recs)
	r := &pipe.Runner{Pipe: p, Source: &pipe.OneBatch{Batch: stream.Batch{ShardID: dl.ShardID(), Records: recs}},
		Sender: s.sender(), DLQ: s.DeadLetters, Trace: func(e pipe.Execution) {
			if e.Outcome != pipe.OutcomeRetrying {
				res.Outcome = e.Outcome
				if s.opts.Trace != nil {
					s.opts.Trace(e)
				}
			}
		}, Logger: s.opts.Logger, Opts: s.opts.Retry, SourceARN: dl.StreamARN()}
	if err := r.Run(ctx); err != nil {
		return res, err
	}
	return res, ctx.Err()
}

func (s *Sim) pipeByARN(arn string) *config.Pipe {
	for _, p := range s.Config.Pipes {
		if p.ARN == arn {
			return p
		}
	}
	return nil
}
