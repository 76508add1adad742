package ddblocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
)

// DefaultRegion is used by Client when region is empty.
const DefaultRegion = "us-east-1"

// Dummy credentials, signed with where nothing else is configured. DynamoDB Local checks no
// signature; without -sharedDb it keeps one database per access key and region.
const (
	DummyAccessKeyID     = "local"
	dummySecretAccessKey = "local"
)

// credentialsTimeout bounds the credential chain's lookup (a profile may ask a process or SSO).
const credentialsTimeout = 5 * time.Second

// Identity is who a client signs as: the access key ID (never the secret) and the region, which
// together pick the database of a DynamoDB Local started without -sharedDb, and where they came
// from, for the startup line.
type Identity struct {
	AccessKeyID string
	Region      string
	From        string
}

// ClientFor returns clients for inst. An endpoint the user gave is a DynamoDB Local the user's
// applications share, so the clients sign as they do (UserClient); one pipesim started runs with
// -sharedDb, where any credentials see the same tables, so dummy ones do (Client).
func ClientFor(ctx context.Context, inst *Instance, region string) (*dynamodb.Client, *dynamodbstreams.Client, Identity, error) {
	if inst.Kind == KindEndpoint {
		return UserClient(ctx, inst.Endpoint, region)
	}
	db, st, err := Client(ctx, inst.Endpoint, region)
	id := Identity{AccessKeyID: DummyAccessKeyID, Region: orDefault(region), From: "-sharedDb: any access key and region see the same tables"}
	return db, st, id, err
}

// UserClient returns clients for a DynamoDB Local the user runs (--dynamodb-endpoint,
// AWS_ENDPOINT_URL_DYNAMODB), signed as the user's applications sign: credentials and region
// from the standard AWS configuration chain (environment, shared config and credentials files,
// AWS_PROFILE, AWS_REGION). Without a configured region, region (else DefaultRegion) is used;
// without configured credentials, the dummy ones. The EC2 instance metadata service is never
// asked (it is not on loopback). load adds options to the chain (e.g. a region that must win).
func UserClient(ctx context.Context, endpoint, region string, load ...func(*awsconfig.LoadOptions) error) (*dynamodb.Client, *dynamodbstreams.Client, Identity, error) {
	if err := validateEndpoint(endpoint); err != nil {
		return nil, nil, Identity{}, err
	}
	load = append([]func(*awsconfig.LoadOptions) error{awsconfig.WithEC2IMDSClientEnableState(imds.ClientDisabled)}, load...)
	cfg, err := awsconfig.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, nil, Identity{}, fmt.Errorf("AWS configuration for DynamoDB at %s: %w", endpoint, err)
	}
	id := Identity{Region: cfg.Region}
	if id.Region == "" {
		id.Region = orDefault(region)
	}
	cfg.Region = id.Region
	if creds, ok := configuredCredentials(ctx, cfg); ok {
		id.AccessKeyID, id.From = creds.AccessKeyID, credentialSource(creds.Source)
	} else {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(DummyAccessKeyID, dummySecretAccessKey, "")
		id.AccessKeyID, id.From = DummyAccessKeyID, "no AWS credentials configured: dummy ones"
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
	st := dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(endpoint) })
	return db, st, id, nil
}

// configuredCredentials asks the chain for credentials; ok is false when none are configured (or
// the configured ones cannot be had, which the startup line then shows as dummy ones).
func configuredCredentials(ctx context.Context, cfg aws.Config) (aws.Credentials, bool) {
	if cfg.Credentials == nil {
		return aws.Credentials{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, credentialsTimeout)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(ctx)
	return creds, err == nil && creds.HasKeys()
}

// credentialSource says in words where the SDK found the credentials.
func credentialSource(source string) string {
	switch {
	case source == credentials.StaticCredentialsName:
		return "static"
	case strings.HasPrefix(source, "EnvConfigCredentials"):
		return "environment"
	case strings.HasPrefix(source, "SharedConfigCredentials"):
		profile := os.Getenv("AWS_PROFILE")
		if profile == "" {
			profile = "default"
		}
		return "shared config, profile " + profile
	}
	return source
}

func orDefault(region string) string {
	if region == "" {
		return DefaultRegion
	}
	return region
}

// Client returns DynamoDB and DynamoDB Streams clients for endpoint with
// static dummy credentials ("local"/"local"), so nothing needs AWS
// configuration: right for a DynamoDB Local that runs -sharedDb (see
// ClientFor and UserClient for one the user runs). It reads no shared config or environment and does not
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
	return aws.Config{
		Region:      orDefault(region),
		Credentials: credentials.NewStaticCredentialsProvider(DummyAccessKeyID, dummySecretAccessKey, ""),
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
