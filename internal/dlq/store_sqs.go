package dlq

import (
	"context"
	"errors"
	"sync"

	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sqsdlq"
)

// ErrListSQS: SQS queues cannot be listed by the store (it would list every queue of the
// account); the queue must be named.
var ErrListSQS = errors.New("--queue is required with --sqs-endpoint")

// SQS is the Store of the SQS queues q reaches; peek reads without taking (see Options.Peek).
func SQS(q *sqsdlq.Queues, peek bool) Store {
	return &sqsStore{q: q, peek: peek, handles: map[string]string{}}
}

type sqsStore struct {
	q    *sqsdlq.Queues
	peek bool

	mu      sync.Mutex
	handles map[string]string // message ID -> receipt handle, for Remove
}

func (s *sqsStore) Queues() ([]string, error) { return nil, ErrListSQS }

func (s *sqsStore) Messages(ctx context.Context, queue string) ([]pipe.QueueMessage, error) {
	var msgs []sqsdlq.Message
	var err error
	if s.peek {
		msgs, err = s.q.Peek(ctx, queue, 10)
	} else {
		msgs, err = s.q.Receive(ctx, queue, 10, 1)
	}
	out := make([]pipe.QueueMessage, len(msgs))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range msgs {
		s.handles[m.ID] = m.ReceiptHandle
		out[i] = pipe.QueueMessage{MessageID: m.ID, Body: m.Body}
	}
	return out, err
}

func (s *sqsStore) Remove(ctx context.Context, queue string, m pipe.QueueMessage) error {
	s.mu.Lock()
	h := s.handles[m.MessageID]
	s.mu.Unlock()
	return s.q.Delete(ctx, queue, h)
}

// Purge asks SQS to remove the queue's messages; it cannot say how many (-1).
func (s *sqsStore) Purge(ctx context.Context, queue string) (int, error) {
	return -1, s.q.Purge(ctx, queue)
}
