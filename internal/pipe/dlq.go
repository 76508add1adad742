package pipe

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pipesim/pipesim/internal/atomicfile"
	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/names"
	"github.com/pipesim/pipesim/internal/stream"
)

// dlqMessage is the body Pipes sends to a dead-letter queue for a DynamoDB stream source: batch
// metadata, not the records.
type dlqMessage struct {
	Context struct {
		PartnerResourceARN string `json:"partnerResourceArn"`
		Condition          string `json:"condition"`
	} `json:"context"`
	Version   string        `json:"version"`
	Timestamp string        `json:"timestamp"`
	BatchInfo ddbStreamInfo `json:"DDBStreamBatchInfo"`
}

type ddbStreamInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// DeadLetterMessage builds the dead-letter body for a batch. timestamp has milliseconds; the
// arrival times are whole seconds, from the records' ApproximateCreationDateTime.
func DeadLetterMessage(pipeARN, streamARN, condition string, batch stream.Batch, now time.Time) []byte {
	var m dlqMessage
	m.Context.PartnerResourceARN = pipeARN
	m.Context.Condition = condition
	m.Version = "1.0"
	m.Timestamp = now.UTC().Format("2006-01-02T15:04:05.000Z")
	first, last := batch.Records[0], batch.Records[len(batch.Records)-1]
	m.BatchInfo = ddbStreamInfo{
		ShardID:                         batch.ShardID,
		StartSequenceNumber:             first.SequenceNumber,
		EndSequenceNumber:               last.SequenceNumber,
		ApproximateArrivalOfFirstRecord: first.ApproximateCreationDateTime.UTC().Format(time.RFC3339),
		ApproximateArrivalOfLastRecord:  last.ApproximateCreationDateTime.UTC().Format(time.RFC3339),
		BatchSize:                       len(batch.Records),
		StreamARN:                       streamARN,
	}
	b, _ := json.Marshal(m)
	return b
}

// QueueMessage is one message of a local queue file.
type QueueMessage struct {
	MessageID     string `json:"MessageId"`
	SentTimestamp int64  `json:"SentTimestamp"`
	Body          string `json:"Body"`
}

// FileQueues keeps one JSON file per queue in a directory: the dead-letter queues when no SQS
// endpoint is configured. Each write replaces the file atomically, so a queue file is never
// half-written.
type FileQueues struct {
	Dir string
	mu  sync.Mutex
}

// Send appends a message to the queue's file.
func (q *FileQueues) Send(_ context.Context, queue *config.Queue, body []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	path, err := q.path(queue.Name)
	if err != nil {
		return err
	}
	msgs, err := q.read(queue.Name)
	if err != nil {
		return err
	}
	msgs = append(msgs, QueueMessage{MessageID: newID().String(), SentTimestamp: time.Now().UnixMilli(), Body: string(body)})
	return writeJSONAtomic(path, msgs)
}

// Messages lists a queue's messages, oldest first.
func (q *FileQueues) Messages(queue string) ([]QueueMessage, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.read(queue)
}

// Has reports whether the queue has a file: whether a message was ever sent to it. An invalid
// queue name is an error.
func (q *FileQueues) Has(queue string) (bool, error) {
	path, err := q.path(queue)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	return err == nil, err
}

// path is the queue's file, dir/<queue>.json; a name that is not a queue name is an error.
func (q *FileQueues) path(queue string) (string, error) {
	return names.File(q.Dir, names.Queue, queue, ".json")
}

func (q *FileQueues) read(queue string) ([]QueueMessage, error) {
	path, err := q.path(queue)
	if err != nil {
		return nil, err
	}
	data, err := bounded.ReadFile(path, bounded.QueueFile)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var msgs []QueueMessage
	if err := json.Unmarshal(data, &msgs); err != nil {
		return nil, fmt.Errorf("queue file %s: %w", path, err)
	}
	return msgs, nil
}

// writeJSONAtomic writes v to path as indented JSON, never half-written (atomicfile).
func writeJSONAtomic(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Replace(path, append(data, '\n'), 0o600)
}

// DeadLetter is a parsed dead-letter message.
type DeadLetter struct {
	PipeARN   string
	Condition string
	Timestamp string
	Info      ddbStreamInfo
}

// ShardID, StartSequenceNumber, EndSequenceNumber, StreamARN and BatchSize describe the batch.
func (d DeadLetter) ShardID() string             { return d.Info.ShardID }
func (d DeadLetter) StartSequenceNumber() string { return d.Info.StartSequenceNumber }
func (d DeadLetter) EndSequenceNumber() string   { return d.Info.EndSequenceNumber }
func (d DeadLetter) StreamARN() string           { return d.Info.StreamARN }
func (d DeadLetter) BatchSize() int              { return d.Info.BatchSize }

// ParseDeadLetter reads a dead-letter body written for a DynamoDB stream source.
func ParseDeadLetter(body string) (DeadLetter, error) {
	var m dlqMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return DeadLetter{}, fmt.Errorf("dead-letter message: %w", err)
	}
	if m.Context.PartnerResourceARN == "" || m.BatchInfo.ShardID == "" || m.BatchInfo.StartSequenceNumber == "" {
		return DeadLetter{}, fmt.Errorf("dead-letter message: not a DynamoDB stream batch (no context.partnerResourceArn or DDBStreamBatchInfo)")
	}
	return DeadLetter{PipeARN: m.Context.PartnerResourceARN, Condition: m.Context.Condition, Timestamp: m.Timestamp, Info: m.BatchInfo}, nil
}

// Delete removes a message from a queue file; it reports whether the message was there.
func (q *FileQueues) Delete(queue, messageID string) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	msgs, err := q.read(queue)
	if err != nil {
		return false, err
	}
	for i, m := range msgs {
		if m.MessageID == messageID {
			path, err := q.path(queue)
			if err != nil {
				return false, err
			}
			return true, writeJSONAtomic(path, append(msgs[:i:i], msgs[i+1:]...))
		}
	}
	return false, nil
}

// Queues lists the queue files in the directory.
func (q *FileQueues) Queues() ([]string, error) {
	entries, err := os.ReadDir(q.Dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var queues []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() && names.Queue.Check(name) == nil {
			queues = append(queues, name)
		}
	}
	return queues, nil
}
