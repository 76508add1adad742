package dlq

import (
	"context"
	"fmt"

	"github.com/pipesim/pipesim/internal/pipe"
)

// Files is the Store of the local queue files q holds.
func Files(q *pipe.FileQueues) Store { return fileStore{q} }

type fileStore struct{ q *pipe.FileQueues }

func (f fileStore) Queues() ([]string, error) { return f.q.Queues() }

// Messages are the queue's messages; a queue without a file (nothing was ever dead-lettered to
// it, or it does not exist) is an error.
func (f fileStore) Messages(_ context.Context, queue string) ([]pipe.QueueMessage, error) {
	ok, err := f.q.Has(queue)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no dead-letter queue %q in %s: nothing was dead-lettered to it ('pipesim dlq list' lists the queues)", ErrNoQueue, queue, f.q.Dir)
	}
	return f.q.Messages(queue)
}

func (f fileStore) Remove(_ context.Context, queue string, m pipe.QueueMessage) error {
	_, err := f.q.Delete(queue, m.MessageID)
	return err
}

// Purge removes the queue's messages; a queue without a file is an error (ErrNoQueue).
func (f fileStore) Purge(ctx context.Context, queue string) (int, error) {
	if _, err := f.Messages(ctx, queue); err != nil {
		return 0, err
	}
	return f.q.Purge(queue)
}
