package dlq

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sqsdlq"
	"github.com/pipesim/pipesim/internal/sqsdlq/sqsdlqtest"
)

// sender is how the runtime writes dead letters to either kind of queue.
type sender interface {
	Send(ctx context.Context, queue *config.Queue, body []byte) error
}

// checkStore: what the runtime dead-lettered, the store reads back and removes one by one.
func checkStore(t *testing.T, send sender, st Store, queue string) {
	t.Helper()
	ctx := context.Background()
	for i := range 2 {
		if err := send.Send(ctx, &config.Queue{Name: queue}, fmt.Appendf(nil, `{"n":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := st.Messages(ctx, queue)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].MessageID == "" {
		t.Fatalf("Messages(%s) = %+v; want the 2 messages sent", queue, msgs)
	}
	if err := st.Remove(ctx, queue, msgs[0]); err != nil {
		t.Fatalf("Remove(%s): %v", msgs[0].MessageID, err)
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(context.Background(), Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Messages(context.Background(), "none-dlq"); err == nil {
		t.Error("Messages(a queue nothing was dead-lettered to) = nil error")
	}
	fq := &pipe.FileQueues{Dir: dir + "/dlq"}
	checkStore(t, fq, st, "files-dlq")
	names, err := st.Queues()
	if err != nil || len(names) != 1 || names[0] != "files-dlq" {
		t.Errorf("Queues() = %q, %v; want [files-dlq]", names, err)
	}
	if msgs, _ := st.Messages(context.Background(), "files-dlq"); len(msgs) != 1 {
		t.Errorf("after Remove, %d messages; want 1", len(msgs))
	}
	if n, err := st.Purge(context.Background(), "files-dlq"); n != 1 || err != nil {
		t.Errorf("Purge = %d, %v; want 1, nil", n, err)
	}
	if _, err := st.Purge(context.Background(), "none-dlq"); !errors.Is(err, ErrNoQueue) {
		t.Errorf("Purge(a queue nothing was dead-lettered to) error = %v; want ErrNoQueue", err)
	}
}

// TestSQS reads a real SQS-compatible server (goaws): a store that receives messages removes
// what it is told to, and one that peeks reads them too.
func TestSQS(t *testing.T) {
	endpoint := sqsdlqtest.Endpoint(t)
	ctx := context.Background()
	opts := Options{SQSEndpoint: endpoint, SQSProtocol: sqsdlq.ProtocolQuery, Region: "us-east-1"}
	q, err := sqsdlq.New(ctx, sqsdlq.Options{Endpoint: endpoint, Region: "us-east-1", Protocol: sqsdlq.ProtocolQuery})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkStore(t, q, st, "store-sqs-dlq")
	if _, err := st.Queues(); !errors.Is(err, ErrListSQS) {
		t.Errorf("Queues() error = %v; want ErrListSQS", err)
	}
	opts.Peek = true
	peek, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, &config.Queue{Name: "store-peek-dlq"}, []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	if msgs, err := peek.Messages(ctx, "store-peek-dlq"); err != nil || len(msgs) != 1 {
		t.Fatalf("peek Messages = %d, %v; want the message sent", len(msgs), err)
	}
}
