package ddblocal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
)

// DefaultRegion is used by Client when region is empty.
const DefaultRegion = "us-east-1"

// Client returns DynamoDB and DynamoDB Streams clients for endpoint with
// static dummy credentials ("local"/"local"), so nothing needs AWS
// configuration. It reads no shared config or environment and does not
// contact the endpoint; ctx is accepted for symmetry with config loading.
func Client(ctx context.Context, endpoint, region string) (*dynamodb.Client, *dynamodbstreams.Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := validateEndpoint(endpoint); err != nil {
		return nil, nil, err
	}
	cfg := awsConfig(region)
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
	st := dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(endpoint) })
	return db, st, nil
}

func awsConfig(region string) aws.Config {
	if region == "" {
		region = DefaultRegion
	}
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
}

// waitReady polls ListTables on endpoint until it answers, ctx is done,
// timeout passes, or exited (when not nil) is closed because the process
// serving it died. It returns nil once DynamoDB Local answered.
func waitReady(ctx context.Context, endpoint string, timeout time.Duration, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	db, _, err := Client(ctx, endpoint, "")
	if err != nil {
		return err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if last = ping(ctx, db); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w within %s: %v", ErrNotReady, timeout, last)
		case <-exited:
			return fmt.Errorf("%w: process exited", ErrNotReady)
		case <-tick.C:
		}
	}
}

// ping sends one ListTables with a short timeout and no SDK retries.
func ping(ctx context.Context, db *dynamodb.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := db.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)},
		func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	if err != nil && errors.Is(err, context.Canceled) {
		return ctx.Err()
	}
	return err
}
