package stream

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// ErrRangeGone: the records of a sequence range are no longer in the stream (trimmed, or the
// stream is gone).
var ErrRangeGone = errors.New("records no longer in the stream")

// maxEmptyReads bounds how many empty GetRecords answers ReadRange accepts on an open shard
// before it concludes the rest of the range is gone.
const maxEmptyReads = 5

// ReadRange reads the records of one shard from startSeq to endSeq inclusive, as a dead-letter
// redrive does: the dead-letter message names the range, not the records.
func ReadRange(ctx context.Context, api API, streamARN, region, shardID, startSeq, endSeq string) ([]Record, error) {
	it, err := api.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: aws.String(streamARN), ShardId: aws.String(shardID),
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(startSeq)})
	if err != nil {
		return nil, rangeError(shardID, startSeq, err)
	}
	var out []Record
	iter, empty := it.ShardIterator, 0
	for iter != nil && empty < maxEmptyReads {
		res, err := api.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return nil, rangeError(shardID, startSeq, err)
		}
		if len(res.Records) == 0 {
			empty++
		}
		for _, r := range res.Records {
			rec, err := ConvertRecord(r, streamARN, region)
			if err != nil {
				return nil, err
			}
			if compareSeq(rec.SequenceNumber, endSeq) > 0 {
				return out, nil
			}
			out = append(out, rec)
		}
		if len(out) > 0 && out[len(out)-1].SequenceNumber == endSeq {
			return out, nil
		}
		iter = res.NextShardIterator
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("shard %s from %s: %w", shardID, startSeq, ErrRangeGone)
	}
	return out, nil
}

func rangeError(shardID, seq string, err error) error {
	var trimmed *types.TrimmedDataAccessException
	var missing *types.ResourceNotFoundException
	if errors.As(err, &trimmed) || errors.As(err, &missing) {
		return fmt.Errorf("shard %s from %s: %w: %v", shardID, seq, ErrRangeGone, err)
	}
	return fmt.Errorf("shard %s from %s: %w", shardID, seq, err)
}

// compareSeq orders sequence numbers: decimal strings, compared by value.
func compareSeq(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
