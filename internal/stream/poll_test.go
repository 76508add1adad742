package stream

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// fakeClock is a clock that only moves when a reader sleeps or the fake stream answers.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) bool {
	if d > 0 {
		c.advance(d)
	}
	return ctx.Err() == nil
}

// pollingStream is one open shard with no records whose GetRecords takes roundTrip on the fake
// clock; it notes when each call started and stops answering after calls.
type pollingStream struct {
	clock     *fakeClock
	roundTrip time.Duration
	calls     int
	mu        sync.Mutex
	starts    []time.Time
	done      chan struct{}
}

const pollTestARN = "arn:aws:dynamodb:us-east-1:000000000000:table/poll/stream/2024-01-01T00:00:00.000"

func (p *pollingStream) DescribeStream(context.Context, *dynamodbstreams.DescribeStreamInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: &types.StreamDescription{
		StreamStatus: types.StreamStatusEnabled,
		Shards: []types.Shard{{ShardId: aws.String("shardId-00000001"),
			SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("100")}}},
	}}, nil
}

func (p *pollingStream) GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String("iterator")}, nil
}

func (p *pollingStream) GetRecords(ctx context.Context, _ *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	p.mu.Lock()
	if len(p.starts) == p.calls {
		p.mu.Unlock()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	p.starts = append(p.starts, p.clock.Now())
	if len(p.starts) == p.calls {
		close(p.done)
	}
	p.mu.Unlock()
	p.clock.advance(p.roundTrip)
	return &dynamodbstreams.GetRecordsOutput{NextShardIterator: aws.String("iterator")}, nil
}

// pollStarts connects a Source to a pollingStream and returns when its first calls polls started.
func pollStarts(t *testing.T, roundTrip time.Duration, calls int) []time.Duration {
	t.Helper()
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	api := &pollingStream{clock: clock, roundTrip: roundTrip, calls: calls, done: make(chan struct{})}
	src := NewSource(api, Config{StreamARN: pollTestARN, StartingPosition: Latest, BatchSize: 1})
	src.clock = clock
	if err := src.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	select {
	case <-api.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the reader polled %d times, not %d", len(api.starts), calls)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	gaps := make([]time.Duration, 0, calls-1)
	for i := 1; i < len(api.starts); i++ {
		gaps = append(gaps, api.starts[i].Sub(api.starts[i-1]))
	}
	return gaps
}

// TestPollsAtFixedRate: Pipes polls four times a second; the GetRecords round trip does not
// stretch the cycle (it did: 250 ms was waited after each poll returned).
func TestPollsAtFixedRate(t *testing.T) {
	for _, gap := range pollStarts(t, 100*time.Millisecond, 10) {
		if gap != DefaultPollInterval {
			t.Fatalf("polls started %s apart with a 100ms round trip; want %s", gap, DefaultPollInterval)
		}
	}
}

// TestSlowPollNoBurst: a poll slower than the interval is followed at once, once, as a ticker
// that drops missed ticks would: never two polls at the same instant to catch up.
func TestSlowPollNoBurst(t *testing.T) {
	for _, gap := range pollStarts(t, 400*time.Millisecond, 6) {
		if gap != 400*time.Millisecond {
			t.Fatalf("polls started %s apart with a 400ms round trip; want 400ms (back to back, no burst)", gap)
		}
	}
}
