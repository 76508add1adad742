package stream

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go"
)

func TestReadLimiterWindow(t *testing.T) {
	l := NewReadLimiter(5)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 5 {
		if !l.allow("s", "shard-1", t0.Add(time.Duration(i)*10*time.Millisecond)) {
			t.Fatalf("call %d of the first second refused; want 5 allowed", i+1)
		}
	}
	if l.allow("s", "shard-1", t0.Add(500*time.Millisecond)) {
		t.Fatal("6th call within one second allowed; want it refused")
	}
	if !l.allow("s", "shard-2", t0.Add(500*time.Millisecond)) {
		t.Error("a call on another shard refused; the limit is per shard")
	}
	if !l.allow("s2", "shard-1", t0.Add(500*time.Millisecond)) {
		t.Error("a call on another stream's shard of the same ID refused")
	}
	// The refused call did not count: one second after the first call, one more goes through.
	if !l.allow("s", "shard-1", t0.Add(time.Second)) {
		t.Error("call one second after the first refused")
	}
	if l.allow("s", "shard-1", t0.Add(time.Second)) {
		t.Error("two calls freed by one expired call")
	}
	if NewReadLimiter(0) != nil || !(*ReadLimiter)(nil).allow("s", "shard-1", t0) {
		t.Error("a limit of 0 limits; want no limit")
	}
}

// TestThrottledReadRetried: a GetRecords over the limit gets DynamoDB Streams'
// LimitExceededException, which the reader reports and retries with the same iterator.
func TestThrottledReadRetried(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	api := &pollingStream{clock: clock, roundTrip: 10 * time.Millisecond, calls: 4, done: make(chan struct{})}
	var logs bytes.Buffer
	var mu sync.Mutex
	src := NewSource(api, Config{StreamARN: pollTestARN, StartingPosition: Latest, BatchSize: 1, PollInterval: 100 * time.Millisecond,
		ReadLimit: NewReadLimiter(2), Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))})
	src.clock = clock
	if err := src.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	select {
	case <-api.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the reader stopped polling")
	}
	api.mu.Lock()
	starts := slices.Clone(api.starts)
	api.mu.Unlock()
	// Polls at 0 and 100ms use the second's two calls; the third is throttled until 1s.
	if got := starts[2].Sub(starts[0]); got < time.Second {
		t.Errorf("third GetRecords reached DynamoDB %s after the first; want >= 1s (2 calls per second)", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "LimitExceededException: Rate exceeded") || strings.Count(logs.String(), "throttled") != 1 {
		t.Errorf("log = %q; want one report of a LimitExceededException: Rate exceeded", logs.String())
	}
	if !strings.Contains(logs.String(), "readLimitPerSecond=2") {
		t.Errorf("log = %q; want the limit named (readLimitPerSecond=2)", logs.String())
	}
}

// TestThrottledError: a refused read gets what the SDK returns for DynamoDB Streams' answer: the
// GetRecords operation error around LimitExceededException "Rate exceeded".
func TestThrottledError(t *testing.T) {
	err := throttled()
	var lee *types.LimitExceededException
	var op *smithy.OperationError
	switch {
	case !errors.As(err, &lee):
		t.Fatalf("throttled() = %v; want a LimitExceededException", err)
	case lee.ErrorMessage() != "Rate exceeded" || lee.ErrorCode() != "LimitExceededException":
		t.Errorf("throttled() = %s: %q; want LimitExceededException: \"Rate exceeded\"", lee.ErrorCode(), lee.ErrorMessage())
	case !errors.As(err, &op) || op.Service() != "DynamoDB Streams" || op.Operation() != "GetRecords":
		t.Errorf("throttled() = %v; want the GetRecords operation error of DynamoDB Streams", err)
	}
	if want := "operation error DynamoDB Streams: GetRecords, LimitExceededException: Rate exceeded"; err.Error() != want {
		t.Errorf("throttled().Error() = %q; want %q", err.Error(), want)
	}
}

// throttlingStream is a pollingStream whose first GetRecords calls are answered with the
// ThrottlingException DynamoDB Streams also sends; it counts the iterators taken.
type throttlingStream struct {
	*pollingStream
	mu        sync.Mutex
	throttles int // GetRecords calls still to throttle
	iterators int
}

func (s *throttlingStream) GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	s.mu.Lock()
	s.iterators++
	s.mu.Unlock()
	return s.pollingStream.GetShardIterator(ctx, in, opts...)
}

func (s *throttlingStream) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	s.mu.Lock()
	throttle := s.throttles > 0
	if throttle {
		s.throttles--
	}
	s.mu.Unlock()
	if throttle {
		return nil, &smithy.OperationError{ServiceID: dynamodbstreams.ServiceID, OperationName: "GetRecords",
			Err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}}
	}
	return s.pollingStream.GetRecords(ctx, in, opts...)
}

// TestThrottlingExceptionKeepsIterator: a read the service throttles with ThrottlingException is
// retried with the same iterator, as a LimitExceededException is. Taking a new one would skip the
// records written meanwhile when the shard started at LATEST.
func TestThrottlingExceptionKeepsIterator(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	api := &throttlingStream{pollingStream: &pollingStream{clock: clock, roundTrip: 10 * time.Millisecond, calls: 2, done: make(chan struct{})}, throttles: 3}
	var logs bytes.Buffer
	var mu sync.Mutex
	src := NewSource(api, Config{StreamARN: pollTestARN, StartingPosition: Latest, BatchSize: 1,
		Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))})
	src.clock = clock
	if err := src.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	select {
	case <-api.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the reader stopped polling")
	}
	api.mu.Lock()
	iterators := api.iterators
	api.mu.Unlock()
	if iterators != 1 {
		t.Errorf("%d shard iterators taken for 3 throttled reads; want 1 (the same read retried)", iterators)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "ThrottlingException") || strings.Count(logs.String(), "throttled") != 1 {
		t.Errorf("log = %q; want one report of the ThrottlingException", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// countingAPI counts the GetRecords calls that reach DynamoDB Local.
type countingAPI struct {
	API
	mu    sync.Mutex
	calls int
}

func (c *countingAPI) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.API.GetRecords(ctx, in, opts...)
}

// TestReadLimitSharedByPipes: three pipes on one stream, each polling 20 times a second, share
// the shard's 5 reads per second against the real DynamoDB Local, and each still reads every
// record.
func TestReadLimitSharedByPipes(t *testing.T) {
	table, arn, db, st := streamTable(t)
	api := &countingAPI{API: st}
	limit := NewReadLimiter(5)
	var srcs []*Source
	for range 3 {
		srcs = append(srcs, connect(t, api, Config{StreamARN: arn, StartingPosition: TrimHorizon, ReadLimit: limit, PollInterval: 50 * time.Millisecond}))
	}
	start := time.Now()
	put(t, db, table, "a", 1)
	put(t, db, table, "b", 2)
	for i, src := range srcs {
		if got := values(t, readRecords(t, src, 2)); !slices.Equal(got, []string{"a=1", "b=2"}) {
			t.Errorf("pipe %d read %v; want [a=1 b=2]", i, got)
		}
	}
	time.Sleep(time.Second) // let the readers keep polling against the limit
	api.mu.Lock()
	calls := api.calls
	api.mu.Unlock()
	elapsed := time.Since(start)
	if max := 5 * (int(elapsed/time.Second) + 2); calls > max {
		t.Errorf("%d GetRecords reached DynamoDB Local in %s; want at most %d (5 a second, one shard)", calls, elapsed, max)
	}
}
