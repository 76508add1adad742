package sim

import (
	"context"
	"fmt"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
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

// Redrive reads the batch a dead-letter message points at back from the stream and delivers it
// again through its pipe, with the pipe's filters, template, retries and dead-letter queue, as
// users redrive on AWS. A nil error means the batch was delivered or dead-lettered anew, so the
// caller may remove the message; an error means it must stay (its records cannot be read).
func (s *Sim) Redrive(ctx context.Context, msg pipe.QueueMessage) (RedriveResult, error) {
	res := RedriveResult{MessageID: msg.MessageID}
	dl, err := pipe.ParseDeadLetter(msg.Body)
	if err != nil {
		return res, err
	}
	p := s.pipeByARN(dl.PipeARN)
	if p == nil {
		return res, fmt.Errorf("message %s: pipe %s is not in the pipes file", msg.MessageID, dl.PipeARN)
	}
	res.Pipe = p.Name
	recs, err := stream.ReadRange(ctx, s.Streams, dl.StreamARN(), s.Config.Region, dl.ShardID(), dl.StartSequenceNumber(), dl.EndSequenceNumber())
	if err != nil {
		return res, fmt.Errorf("message %s: read %s: %w", msg.MessageID, dl.StreamARN(), err)
	}
	res.Records = len(recs)
	r := &pipe.Runner{Pipe: p, Source: &pipe.OneBatch{Batch: stream.Batch{ShardID: dl.ShardID(), Records: recs}},
		Sender: httpdest.NewSender(), DLQ: s.DeadLetters, Trace: func(e pipe.Execution) {
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
