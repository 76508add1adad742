package stream

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/google/go-cmp/cmp"
)

// scriptedStream plays a stream whose shards roll over, which DynamoDB
// Local only does every four hours: it answers DescribeStream (one shard a
// page, to exercise pagination), GetShardIterator and GetRecords from a
// script of shards. Everything else about streams is tested against the
// real DynamoDB Local.
type scriptedStream struct {
	mu     sync.Mutex
	shards []*scriptedShard // in the order DescribeStream lists them
	seq    int
}

type scriptedShard struct {
	id, parent string
	recs       []types.Record
	closed     bool
}

func (s *scriptedStream) shard(id string) *scriptedShard {
	for _, sh := range s.shards {
		if sh.id == id {
			return sh
		}
	}
	return nil
}

// add appends a shard, or records to a shard, and optionally closes it.
func (s *scriptedStream) add(id, parent string, closed bool, values ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.shard(id)
	if sh == nil {
		sh = &scriptedShard{id: id, parent: parent}
		s.shards = append(s.shards, sh)
	}
	for _, v := range values {
		s.seq++
		sh.recs = append(sh.recs, types.Record{
			EventID: aws.String(fmt.Sprintf("e%d", s.seq)), EventName: types.OperationTypeInsert,
			Dynamodb: &types.StreamRecord{
				Keys:           map[string]types.AttributeValue{"K": &types.AttributeValueMemberS{Value: "k"}},
				NewImage:       map[string]types.AttributeValue{"K": &types.AttributeValueMemberS{Value: "k"}, "V": &types.AttributeValueMemberN{Value: strconv.Itoa(v)}},
				SequenceNumber: aws.String(fmt.Sprintf("%021d", s.seq)), SizeBytes: aws.Int64(10),
			},
		})
	}
	sh.closed = closed
}

func (s *scriptedStream) DescribeStream(_ context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := 0
	if in.ExclusiveStartShardId != nil {
		for i < len(s.shards) && s.shards[i].id != *in.ExclusiveStartShardId {
			i++
		}
		i++
	}
	desc := &types.StreamDescription{StreamArn: in.StreamArn, StreamStatus: types.StreamStatusEnabled}
	if i < len(s.shards) {
		sh := s.shards[i]
		d := types.Shard{ShardId: aws.String(sh.id), SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("0")}}
		if sh.parent != "" {
			d.ParentShardId = aws.String(sh.parent)
		}
		if sh.closed {
			d.SequenceNumberRange.EndingSequenceNumber = aws.String("9")
		}
		desc.Shards = []types.Shard{d}
		if i+1 < len(s.shards) {
			desc.LastEvaluatedShardId = aws.String(sh.id)
		}
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: desc}, nil
}

func (s *scriptedStream) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.shard(*in.ShardId)
	pos := 0
	switch in.ShardIteratorType {
	case types.ShardIteratorTypeLatest:
		pos = len(sh.recs)
	case types.ShardIteratorTypeAfterSequenceNumber:
		for pos < len(sh.recs) && *sh.recs[pos].Dynamodb.SequenceNumber <= *in.SequenceNumber {
			pos++
		}
	}
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(sh.id + "|" + strconv.Itoa(pos))}, nil
}

func (s *scriptedStream) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, p, _ := strings.Cut(*in.ShardIterator, "|")
	pos, _ := strconv.Atoi(p)
	sh := s.shard(id)
	end := min(pos+int(*in.Limit), len(sh.recs))
	out := &dynamodbstreams.GetRecordsOutput{Records: sh.recs[pos:end]}
	if !sh.closed || end < len(sh.recs) {
		out.NextShardIterator = aws.String(id + "|" + strconv.Itoa(end))
	}
	return out, nil
}

func TestParentsBeforeChildren(t *testing.T) {
	api := &scriptedStream{}
	// Listed children first, to check the Source orders by lineage.
	api.add("shardId-grandchild", "shardId-child", false)
	api.add("shardId-child", "shardId-parent", true)
	api.add("shardId-parent", "", true, 0, 1, 2)
	api.add("shardId-child", "shardId-parent", true, 3, 4)
	api.add("shardId-grandchild", "shardId-child", false, 5, 6)
	src := connect(t, api, Config{StreamARN: testStreamARN, StartingPosition: TrimHorizon, BatchSize: 2, PollInterval: time.Millisecond})
	recs := readRecords(t, src, 7)
	if got, want := values(t, recs), []string{"k=0", "k=1", "k=2", "k=3", "k=4", "k=5", "k=6"}; !cmp.Equal(got, want) {
		t.Errorf("read %v; want %v (parents before children)", got, want)
	}
	if recs[0].ShardID != "shardId-parent" || recs[6].ShardID != "shardId-grandchild" {
		t.Errorf("shards = %s..%s; want shardId-parent..shardId-grandchild", recs[0].ShardID, recs[6].ShardID)
	}
}

func TestLatestSkipsClosedShardsAndReadsNewChildrenFromTheStart(t *testing.T) {
	api := &scriptedStream{}
	api.add("shardId-parent", "", true, 0, 1)
	api.add("shardId-open", "shardId-parent", false, 2)
	src := connect(t, api, Config{
		StreamARN: testStreamARN, StartingPosition: Latest, BatchSize: 10,
		PollInterval: time.Millisecond, ShardRefresh: 5 * time.Millisecond,
	})
	api.add("shardId-open", "shardId-parent", true, 3) // written after Connect, then the shard closes
	api.add("shardId-new", "shardId-open", false, 4)   // its child, found by the refresher
	got := values(t, readRecords(t, src, 2))
	if want := []string{"k=3", "k=4"}; !cmp.Equal(got, want) {
		t.Errorf("read %v; want %v", got, want)
	}
}

func TestLineageOrder(t *testing.T) {
	shard := func(id, parent string) types.Shard {
		s := types.Shard{ShardId: aws.String(id)}
		if parent != "" {
			s.ParentShardId = aws.String(parent)
		}
		return s
	}
	in := []types.Shard{shard("c2", "b"), shard("x", "gone"), shard("b", "a"), shard("a", ""), shard("c1", "b")}
	var got []string
	for _, s := range lineageOrder(in) {
		got = append(got, *s.ShardId)
	}
	if want := []string{"a", "b", "c2", "x", "c1"}; !cmp.Equal(got, want) {
		t.Errorf("lineageOrder() = %v; want %v", got, want)
	}
}

func TestUnackedBatchBlocksOnlyItsShard(t *testing.T) {
	api := &scriptedStream{}
	api.add("shardId-a", "", false, 0, 1)
	api.add("shardId-b", "", false, 10, 11)
	src := connect(t, api, Config{StreamARN: testStreamARN, StartingPosition: TrimHorizon, BatchSize: 1, PollInterval: time.Millisecond})
	first, _ := readBatch(t, src) // held, never acked
	second, ack := readBatch(t, src)
	if second.ShardID == first.ShardID {
		t.Fatalf("second batch from %s while its first is unacked; want the other shard", second.ShardID)
	}
	_ = ack(t.Context())
	third, _ := readBatch(t, src)
	if third.ShardID != second.ShardID {
		t.Errorf("third batch from %s; want %s (the only shard not blocked)", third.ShardID, second.ShardID)
	}
}
