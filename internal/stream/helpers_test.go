package stream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

// waitLimit bounds how long a test waits for records that must come; it is
// a guard against hangs, not a speed assertion.
const waitLimit = 30 * time.Second

// testClients returns clients of the test binary's shared DynamoDB Local.
func testClients(t *testing.T) (*dynamodb.Client, *dynamodbstreams.Client) {
	t.Helper()
	db, st, err := ddblocal.Client(t.Context(), ddblocaltest.Endpoint(t), "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	return db, st
}

// uniqueName gives each test its own table name, so tests run in parallel.
func uniqueName(t *testing.T, suffix string) string {
	t.Helper()
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return clean[:min(len(clean), 200)] + "-" + suffix + "-" + hex.EncodeToString(b)
}

// createTable creates a table keyed by the string K; with a view type its
// stream is enabled and the stream ARN returned. It is deleted at cleanup.
func createTable(t *testing.T, db *dynamodb.Client, name string, view ddbtypes.StreamViewType) string {
	t.Helper()
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("K"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("K"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}
	if view != "" {
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: view}
	}
	out, err := db.CreateTable(t.Context(), in)
	if err != nil {
		t.Fatalf("CreateTable(%s): %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return aws.ToString(out.TableDescription.LatestStreamArn)
}

// streamTable creates a NEW_AND_OLD_IMAGES table and returns its name,
// stream ARN and the clients.
func streamTable(t *testing.T) (string, string, *dynamodb.Client, *dynamodbstreams.Client) {
	t.Helper()
	db, st := testClients(t)
	name := uniqueName(t, "t")
	return name, createTable(t, db, name, ddbtypes.StreamViewTypeNewAndOldImages), db, st
}

// put writes item K=key with attribute V=v.
func put(t *testing.T, db *dynamodb.Client, table, key string, v int) {
	t.Helper()
	_, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]ddbtypes.AttributeValue{
			"K": &ddbtypes.AttributeValueMemberS{Value: key},
			"V": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(v)},
		},
	})
	if err != nil {
		t.Fatalf("PutItem(%s, %s=%d): %v", table, key, v, err)
	}
}

// connect builds and connects a Source, closed at cleanup.
func connect(t *testing.T, st API, cfg Config) *Source {
	t.Helper()
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 100
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 20 * time.Millisecond
	}
	src := NewSource(st, cfg)
	if err := src.Connect(t.Context()); err != nil {
		t.Fatalf("Connect(%s) error: %v", cfg.StreamARN, err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// readBatch reads one batch, failing the test when none comes in waitLimit.
func readBatch(t *testing.T, src *Source) (Batch, AckFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	b, ack, err := src.ReadBatch(ctx)
	if err != nil {
		t.Fatalf("ReadBatch() error: %v", err)
	}
	return b, ack
}

// readRecords reads and acks batches until n records came.
func readRecords(t *testing.T, src *Source, n int) []Record {
	t.Helper()
	var got []Record
	for len(got) < n {
		b, ack := readBatch(t, src)
		got = append(got, b.Records...)
		if err := ack(t.Context()); err != nil {
			t.Fatalf("ack: %v", err)
		}
	}
	return got
}

// values returns "K=V" of each record's NewImage (or "K=-" for a REMOVE).
func values(t *testing.T, recs []Record) []string {
	t.Helper()
	out := make([]string, len(recs))
	for i, r := range recs {
		var m struct {
			Dynamodb struct {
				Keys     map[string]map[string]string
				NewImage map[string]map[string]string
			} `json:"dynamodb"`
		}
		if err := json.Unmarshal(r.Doc.Bytes(), &m); err != nil {
			t.Fatalf("record %s: %v", r.Doc.Bytes(), err)
		}
		v := "-"
		if m.Dynamodb.NewImage != nil {
			v = m.Dynamodb.NewImage["V"]["N"]
		}
		out[i] = m.Dynamodb.Keys["K"]["S"] + "=" + v
	}
	return out
}

// expectNoBatch checks that no batch is released within d. It is a
// behaviour check (something must not happen), not a speed assertion.
func expectNoBatch(t *testing.T, src *Source, d time.Duration, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	if b, _, err := src.ReadBatch(ctx); err == nil {
		t.Fatalf("ReadBatch() = batch of %d records (%v); want none: %s", len(b.Records), values(t, b.Records), why)
	}
}

// faultyAPI passes calls to the real DynamoDB Local but fails chosen
// GetRecords calls with a given error first, to drive recoveries that take
// hours to happen for real (an expired iterator after 15 minutes, records
// trimmed after 24 hours).
type faultyAPI struct {
	API
	mu     sync.Mutex
	calls  int
	failAt map[int]error // GetRecords call number (1-based) => error returned instead
}

func (f *faultyAPI) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	f.mu.Lock()
	f.calls++
	err := f.failAt[f.calls]
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return f.API.GetRecords(ctx, in, opts...)
}
