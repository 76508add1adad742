package dlq

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sqsdlq"
)

// Store is a set of dead-letter queues whose messages can be read and removed one by one.
type Store interface {
	// Queues names the queues, when the store can list them.
	Queues() ([]string, error)
	// Messages returns the queue's messages (at most 10 at a time from SQS).
	Messages(ctx context.Context, queue string) ([]pipe.QueueMessage, error)
	// Remove deletes a message Messages returned, once its batch is delivered again.
	Remove(ctx context.Context, queue string, m pipe.QueueMessage) error
	// Purge removes every message of an existing queue; n is how many, -1 when the store
	// cannot tell (SQS removes them within 60 seconds).
	Purge(ctx context.Context, queue string) (n int, err error)
}

// ErrNoQueue: the local store has no file for the queue, nothing was ever dead-lettered to it
// (or it does not exist).
var ErrNoQueue = errors.New("no such dead-letter queue")

// Options picks the queues.
type Options struct {
	// StateDir is pipesim's state directory: the queue files are in its dlq folder.
	StateDir string
	// SQSEndpoint, when set, reads the SQS queues there instead of the files.
	SQSEndpoint, SQSProtocol, Region string
	// Peek reads SQS messages without taking them (list, show): each is hidden for a second.
	// Without it they are received for a redrive, and come back after their visibility timeout
	// unless removed.
	Peek bool
}

// Open returns the store opts name. It fails when the SQS client cannot be made.
func Open(ctx context.Context, opts Options) (Store, error) {
	if opts.SQSEndpoint == "" {
		return Files(&pipe.FileQueues{Dir: filepath.Join(opts.StateDir, "dlq")}), nil
	}
	q, err := sqsdlq.New(ctx, sqsdlq.Options{Endpoint: opts.SQSEndpoint, Region: opts.Region, Protocol: opts.SQSProtocol})
	if err != nil {
		return nil, err
	}
	return SQS(q, opts.Peek), nil
}
