package stream

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// failingStore fails every Put.
type failingStore struct{ MemoryCheckpoints }

var errDiskFull = errors.New("disk full")

func (f *failingStore) Put(string, string) error { return errDiskFull }

func TestAckReturnsPutErrorAndReleasesTheShard(t *testing.T) {
	api := &scriptedStream{}
	api.add("shardId-1", "", false, 0, 1)
	src := connect(t, api, Config{StreamARN: testStreamARN, StartingPosition: TrimHorizon, BatchSize: 1,
		PollInterval: time.Millisecond, Checkpoints: &failingStore{}})
	_, ack := readBatch(t, src)
	err := ack(t.Context())
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), "shardId-1") {
		t.Errorf("ack() = %v; want the store's error naming the shard", err)
	}
	b, _ := readBatch(t, src)
	if got := values(t, b.Records); len(got) != 1 || got[0] != "k=1" {
		t.Errorf("next batch = %v; want [k=1] (the shard goes on)", got)
	}
}

func TestAckAfterContextCancelStillCheckpoints(t *testing.T) {
	api := &scriptedStream{}
	api.add("shardId-1", "", false, 0)
	store := &MemoryCheckpoints{}
	src := connect(t, api, Config{StreamARN: testStreamARN, StartingPosition: TrimHorizon, BatchSize: 1,
		PollInterval: time.Millisecond, Checkpoints: store})
	b, ack := readBatch(t, src)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := ack(ctx); err != nil {
		t.Errorf("ack(cancelled ctx) = %v; want nil", err)
	}
	if got, want := store.All()["shardId-1"], b.Records[0].SequenceNumber; got != want {
		t.Errorf("checkpoint = %q; want %q", got, want)
	}
}

func TestUnconvertibleRecordFailsTheSource(t *testing.T) {
	api := &scriptedStream{}
	api.add("shardId-1", "", false, 0)
	api.shards[0].recs[0].EventName = types.OperationType("EXPIRE")
	api.shards[0].recs[0].EventID = aws.String("bad-one")
	src := connect(t, api, Config{StreamARN: testStreamARN, StartingPosition: TrimHorizon, BatchSize: 1, PollInterval: time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	_, _, err := src.ReadBatch(ctx)
	if err == nil || !strings.Contains(err.Error(), `eventName "EXPIRE"`) {
		t.Errorf("ReadBatch() error = %v; want the conversion error", err)
	}
}

func TestBatchStopsBeforeSixMegabytes(t *testing.T) {
	api := &scriptedStream{}
	api.add("shardId-1", "", false, 0, 1, 2, 3, 4, 5, 6)
	big := strings.Repeat("x", 1<<20) // each record's JSON is a little over 1 MiB
	for _, r := range api.shards[0].recs {
		r.Dynamodb.NewImage["Blob"] = &types.AttributeValueMemberS{Value: big}
	}
	src := connect(t, api, Config{StreamARN: testStreamARN, StartingPosition: TrimHorizon, BatchSize: 10,
		BatchingWindow: 200 * time.Millisecond, PollInterval: time.Millisecond})
	var sizes []int
	for total := 0; total < 7; {
		b, ack := readBatch(t, src)
		sizes = append(sizes, len(b.Records))
		total += len(b.Records)
		bytes := 0
		for _, r := range b.Records {
			bytes += r.Doc.Len()
		}
		if bytes > MaxBatchBytes {
			t.Errorf("batch of %d records = %d bytes; want at most %d", len(b.Records), bytes, MaxBatchBytes)
		}
		_ = ack(t.Context())
		if len(sizes) > 7 {
			break
		}
	}
	if want := []int{5, 2}; !slices.Equal(sizes, want) {
		t.Errorf("batch sizes = %v; want %v (a sixth record would pass 6 MB)", sizes, want)
	}
}
