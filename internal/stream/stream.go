package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// Starting positions of a pipe (PipeSourceDynamoDBStreamParameters).
const (
	TrimHorizon = "TRIM_HORIZON"
	Latest      = "LATEST"
)

// Defaults and limits.
const (
	// DefaultPollInterval is the documented base rate: "EventBridge polls
	// shards in your DynamoDB stream for records at a base rate of four
	// times per second".
	DefaultPollInterval = 250 * time.Millisecond
	// DefaultShardRefresh is how often DescribeStream is re-read for new
	// shards. A closed shard triggers a re-read at once as well.
	DefaultShardRefresh = 10 * time.Second
	// MaxBatchSize and MaxBatchingWindow are the Pipes API limits.
	MaxBatchSize      = 10000
	MaxBatchingWindow = 300 * time.Second
	// maxGetRecordsLimit is the largest Limit GetRecords accepts.
	maxGetRecordsLimit = 1000
)

var (
	// ErrNoStream means the table has no stream enabled.
	ErrNoStream = errors.New("table has no stream")
	// ErrNoTable means the table does not exist.
	ErrNoTable = errors.New("table not found")
	// ErrStreamGone means the stream does not exist (any more): the table
	// was deleted or re-created, its stream disabled, or DynamoDB Local
	// restarted without a database file. A checkpoint for it cannot resume.
	ErrStreamGone = errors.New("stream no longer exists")
	// ErrStreamDisabled means the stream was disabled (its table deleted
	// or re-created, or its stream turned off) and every record of it was
	// read: no more will come. For a table name, resolve the table's new
	// stream and connect again.
	ErrStreamDisabled = errors.New("stream disabled and read to its end")
	// ErrBadCheckpoint means a checkpointed sequence number is not in its
	// shard.
	ErrBadCheckpoint = errors.New("checkpoint not in shard")
	// ErrBadARN means a string is not a DynamoDB stream ARN.
	ErrBadARN = errors.New("not a DynamoDB stream ARN")
	// ErrBadTableName means a source is neither a stream ARN nor a valid
	// table name.
	ErrBadTableName = errors.New("invalid table name")
	// ErrNotConnected means ReadBatch was called before Connect.
	ErrNotConnected = errors.New("source not connected")
	// ErrClosed means the Source was closed.
	ErrClosed = errors.New("source closed")
)

// Record is one stream record as a pipe sees it.
type Record struct {
	ShardID, EventID, EventName, SequenceNumber string
	ApproximateCreationDateTime                 time.Time
	SizeBytes                                   int64
	// Doc is the record exactly as Pipes delivers it (one JSON object, keys in the order real
	// records carry them), and what the stages found in it so far: filters, the input template,
	// the target's $.path values and the request builder all read the record through it. A
	// source that hands one Record to several pipes freezes its Doc first.
	Doc *rawjson.Doc
}

// Batch is up to BatchSize records of one shard, in stream order.
type Batch struct {
	ShardID string
	Records []Record
}

// AckFunc acknowledges a batch once it was delivered or dead-lettered: it
// puts the checkpoint (the batch's last sequence number) and releases the
// shard's next batch. The shard is released even when Put fails, and the
// error is returned. Calling it again does nothing and returns nil.
type AckFunc func(ctx context.Context) error

// CheckpointStore keeps, per shard, the sequence number of the last
// acknowledged record of one pipe on one stream.
type CheckpointStore interface {
	Get(shardID string) (sequenceNumber string, ok bool, err error)
	Put(shardID, sequenceNumber string) error // called only on acknowledgement
}

// Config is a Source's configuration.
type Config struct {
	StreamARN        string
	Region           string          // awsRegion of records; "" => the record's own (DynamoDB Local says "ddblocal")
	StartingPosition string          // "LATEST" | "TRIM_HORIZON"
	BatchSize        int             // 1..10000
	BatchingWindow   time.Duration   // MaximumBatchingWindowInSeconds
	PollInterval     time.Duration   // 0 => 250ms (four times a second)
	Checkpoints      CheckpointStore // nil => none; with a checkpoint a shard resumes AFTER_SEQUENCE_NUMBER
	ShardRefresh     time.Duration   // how often DescribeStream is re-read for new shards; 0 => 10s
	Logger           *slog.Logger    // recoveries (trimmed data, expired iterators); nil => discarded

	// RawCreationTime keeps DynamoDB Local's ApproximateCreationDateTime,
	// which it rounds down to the minute. By default pipesim refines it to
	// the second the record was first read, kept within that minute, as
	// AWS rounds down to the second.
	RawCreationTime bool
	// MaxInFlight is how many released batches of one shard may await their ack at once
	// (ParallelizationFactor); 0 or 1 releases a shard's next batch only after the previous one
	// is acked. Acks may come in any order; the checkpoint only ever moves to the end of the
	// longest acked prefix of released batches.
	MaxInFlight int
	// ReadLimit, shared by the Sources of every pipe, refuses GetRecords calls over DynamoDB
	// Streams' per-shard rate as the service does; nil allows all.
	ReadLimit *ReadLimiter
}

// API is the part of *dynamodbstreams.Client a Source uses.
type API interface {
	DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// DescribeTableAPI is the part of *dynamodb.Client ResolveStreamARN uses.
type DescribeTableAPI interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// The SDK clients and the in-memory store satisfy the interfaces.
var (
	_ API              = (*dynamodbstreams.Client)(nil)
	_ DescribeTableAPI = (*dynamodb.Client)(nil)
	_ CheckpointStore  = (*MemoryCheckpoints)(nil)
)

// Validate checks cfg, naming the bad field and value.
func (cfg Config) Validate() error {
	if _, err := ParseStreamARN(cfg.StreamARN); err != nil {
		return fmt.Errorf("stream source: %w", err)
	}
	if cfg.StartingPosition != Latest && cfg.StartingPosition != TrimHorizon {
		return fmt.Errorf("stream source: starting position %q: want LATEST or TRIM_HORIZON", cfg.StartingPosition)
	}
	if cfg.BatchSize < 1 || cfg.BatchSize > MaxBatchSize {
		return fmt.Errorf("stream source: batch size %d: want 1..%d", cfg.BatchSize, MaxBatchSize)
	}
	if cfg.BatchingWindow < 0 || cfg.BatchingWindow > MaxBatchingWindow {
		return fmt.Errorf("stream source: batching window %s: want 0..%s", cfg.BatchingWindow, MaxBatchingWindow)
	}
	if cfg.PollInterval < 0 || cfg.ShardRefresh < 0 {
		return fmt.Errorf("stream source: poll interval %s, shard refresh %s: want >= 0", cfg.PollInterval, cfg.ShardRefresh)
	}
	return nil
}

// withDefaults fills the zero values that have defaults.
func (cfg Config) withDefaults() Config {
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.ShardRefresh == 0 {
		cfg.ShardRefresh = DefaultShardRefresh
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}
