package stream

import (
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go"
)

// DefaultReadLimit is the GetRecords calls per second per shard that ReadLimiter allows by
// default. DynamoDB Streams publishes no number; it says no more than two processes should read
// a shard at once, or reads may be throttled (LimitExceededException). Five is the per-shard
// GetRecords rate of Kinesis Data Streams, on which DynamoDB Streams' API is modelled.
const DefaultReadLimit = 5

// Backoff of a reader whose GetRecords was throttled: doubling from minBackoff, at most this.
const maxThrottleBackoff = time.Second

// ReadLimiter emulates DynamoDB Streams' read limit: at most PerSecond GetRecords calls in any
// second on one shard, counted across every reader of the process (every pipe on the stream),
// which DynamoDB Local does not enforce. A call over the limit is refused, without reaching
// DynamoDB Local, with the error DynamoDB Streams gives, and does not count against the limit.
// A nil *ReadLimiter allows every call. Safe for concurrent use.
type ReadLimiter struct {
	perSecond int

	mu    sync.Mutex
	calls map[string][]time.Time // per stream shard: when the allowed calls of the last second were made
}

// NewReadLimiter returns a limiter of perSecond calls per shard; perSecond <= 0 returns nil (no
// limit).
func NewReadLimiter(perSecond int) *ReadLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &ReadLimiter{perSecond: perSecond, calls: map[string][]time.Time{}}
}

// allow reports whether a GetRecords call on shard of stream may go ahead at now, and counts it
// when it may.
func (l *ReadLimiter) allow(stream, shard string, now time.Time) bool {
	if l == nil {
		return true
	}
	key := stream + " " + shard
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.calls[key]
	for len(recent) > 0 && now.Sub(recent[0]) >= time.Second {
		recent = recent[1:]
	}
	if len(recent) >= l.perSecond {
		l.calls[key] = recent
		return false
	}
	l.calls[key] = append(recent, now)
	return true
}

// throttledMessage is DynamoDB Streams' message for a throttled read, as an SDK reported it
// (aws/aws-sdk-java-v2#470: "Rate exceeded", HTTP 400); it says nothing of shard or limit, so
// the reader's log line adds those.
const throttledMessage = "Rate exceeded"

// throttled is the error a refused GetRecords gets, shaped as the SDK returns DynamoDB Streams'
// answer: the operation error around LimitExceededException, the error GetRecords documents for
// a request rate that is too high.
func throttled() error {
	return &smithy.OperationError{ServiceID: dynamodbstreams.ServiceID, OperationName: "GetRecords",
		Err: &types.LimitExceededException{Message: aws.String(throttledMessage)}}
}

// perSecondOrZero is the limit for a log line; 0 when there is none.
func (l *ReadLimiter) perSecondOrZero() int {
	if l == nil {
		return 0
	}
	return l.perSecond
}
