package stream

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/google/go-cmp/cmp"
)

func TestLatestVersusTrimHorizon(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	put(t, db, table, "before", 1)
	put(t, db, table, "before", 2)
	latest := connect(t, st, Config{StreamARN: arn, StartingPosition: Latest})
	horizon := connect(t, st, Config{StreamARN: arn, StartingPosition: TrimHorizon})
	put(t, db, table, "after", 3)

	if got, want := values(t, readRecords(t, latest, 1)), []string{"after=3"}; !cmp.Equal(got, want) {
		t.Errorf("LATEST source read %v; want %v", got, want)
	}
	if got, want := values(t, readRecords(t, horizon, 3)), []string{"before=1", "before=2", "after=3"}; !cmp.Equal(got, want) {
		t.Errorf("TRIM_HORIZON source read %v; want %v", got, want)
	}
	expectNoBatch(t, latest, 300*time.Millisecond, "LATEST must not see records written before Connect")
}

func TestTwoSourcesEachSeeEveryRecord(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	a := connect(t, st, Config{StreamARN: arn, StartingPosition: Latest, BatchSize: 1})
	b := connect(t, st, Config{StreamARN: arn, StartingPosition: Latest, BatchSize: 3})
	var want []string
	for i := range 7 {
		put(t, db, table, "k", i)
		want = append(want, "k="+strconv.Itoa(i))
	}
	if got := values(t, readRecords(t, a, 7)); !cmp.Equal(got, want) {
		t.Errorf("first source read %v; want %v", got, want)
	}
	if got := values(t, readRecords(t, b, 7)); !cmp.Equal(got, want) {
		t.Errorf("second source read %v; want %v", got, want)
	}
}

func TestOrderPerKeyOverManyUpdates(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	src := connect(t, st, Config{StreamARN: arn, StartingPosition: Latest, BatchSize: 7})
	const updates = 60
	var want []string
	for i := range updates {
		key := "k" + strconv.Itoa(i%3)
		put(t, db, table, key, i)
		want = append(want, key+"="+strconv.Itoa(i))
	}
	recs := readRecords(t, src, updates)
	if got := values(t, recs); !cmp.Equal(got, want) {
		t.Errorf("read %v; want %v", got, want)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].SequenceNumber <= recs[i-1].SequenceNumber {
			t.Errorf("record %d sequence %s not after %s", i, recs[i].SequenceNumber, recs[i-1].SequenceNumber)
		}
	}
}

func TestAckGatesTheShardsNextBatch(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	src := connect(t, st, Config{StreamARN: arn, StartingPosition: Latest, BatchSize: 1})
	for i := range 3 {
		put(t, db, table, "k", i)
	}
	first, ack := readBatch(t, src)
	expectNoBatch(t, src, 500*time.Millisecond, "the shard's next batch must wait for the ack")
	if err := ack(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := ack(t.Context()); err != nil {
		t.Errorf("second ack() = %v; want nil (no-op)", err)
	}
	rest := readRecords(t, src, 2)
	got := values(t, append(first.Records, rest...))
	if want := []string{"k=0", "k=1", "k=2"}; !cmp.Equal(got, want) {
		t.Errorf("read %v; want %v", got, want)
	}
}

func TestBatchingWindowGathersRecords(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	for i := range 7 {
		put(t, db, table, "k", i) // written first, so the polls find them all at once
	}
	src := connect(t, st, Config{StreamARN: arn, StartingPosition: TrimHorizon, BatchSize: 3, BatchingWindow: time.Second})
	var sizes []int
	var got []Record
	for len(got) < 7 {
		b, ack := readBatch(t, src)
		sizes = append(sizes, len(b.Records))
		got = append(got, b.Records...)
		if err := ack(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	// Two full batches at once, then the last record when the window ends.
	if want := []int{3, 3, 1}; !cmp.Equal(sizes, want) {
		t.Errorf("batch sizes = %v; want %v", sizes, want)
	}
}

func TestBatchingWindowZeroReleasesWhatOnePollRead(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	src := connect(t, st, Config{StreamARN: arn, StartingPosition: Latest, BatchSize: 100})
	put(t, db, table, "k", 1)
	b, ack := readBatch(t, src)
	if len(b.Records) != 1 {
		t.Errorf("window 0 batch = %d records; want the 1 written", len(b.Records))
	}
	_ = ack(t.Context())
}

func TestCheckpointResumeLosesNothing(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	store := &MemoryCheckpoints{}
	for i := range 5 {
		put(t, db, table, "k", i) // written first, so polls read full batches: 2, 2, 1
	}
	cfg := Config{StreamARN: arn, StartingPosition: TrimHorizon, BatchSize: 2, Checkpoints: store}
	first := connect(t, st, cfg)
	acked := readRecords(t, first, 4) // two batches of two, acked
	inFlight, _ := readBatch(t, first)
	first.Close()
	if len(acked) != 4 || len(inFlight.Records) != 1 {
		t.Fatalf("first source read %d acked + %d in flight; want 4 + 1", len(acked), len(inFlight.Records))
	}
	if got := store.All()[inFlight.ShardID]; got != acked[3].SequenceNumber {
		t.Errorf("checkpoint = %s; want last acked %s", got, acked[3].SequenceNumber)
	}
	put(t, db, table, "k", 5)
	cfg.StartingPosition = Latest
	second := connect(t, st, cfg) // LATEST, but the checkpoint wins
	got := values(t, readRecords(t, second, 2))
	if want := []string{"k=4", "k=5"}; !cmp.Equal(got, want) {
		t.Errorf("resumed source read %v; want %v (the unacked batch again, then the new record)", got, want)
	}
}

func TestBadCheckpointIsReported(t *testing.T) {
	t.Parallel()
	_, arn, _, st := streamTable(t)
	out, err := st.DescribeStream(t.Context(), &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	store := &MemoryCheckpoints{}
	shardID := aws.ToString(out.StreamDescription.Shards[0].ShardId)
	_ = store.Put(shardID, "not-a-sequence-number")
	src := NewSource(st, Config{StreamARN: arn, StartingPosition: Latest, BatchSize: 1, Checkpoints: store})
	defer src.Close()
	if err := src.Connect(t.Context()); !errors.Is(err, ErrBadCheckpoint) {
		t.Errorf("Connect() with checkpoint %q error = %v; want ErrBadCheckpoint", "not-a-sequence-number", err)
	}
}

// TestConnectToMissingStream is what a checkpointed stream ARN meets after
// DynamoDB Local restarted in memory: the ARN names no stream.
func TestConnectToMissingStream(t *testing.T) {
	t.Parallel()
	_, arn, _, st := streamTable(t)
	missing := arn[:strings.LastIndex(arn, "/")+1] + "2001-01-01T00:00:00.000"
	src := NewSource(st, Config{StreamARN: missing, StartingPosition: TrimHorizon, BatchSize: 1})
	defer src.Close()
	if err := src.Connect(t.Context()); !errors.Is(err, ErrStreamGone) {
		t.Errorf("Connect(%s) error = %v; want ErrStreamGone", missing, err)
	}
}

// TestTableDeletedWhileReading: as on AWS, the deleted table's stream stays
// readable (DISABLED, shards closed); the Source delivers what is left,
// then says the stream is disabled.
func TestTableDeletedWhileReading(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	src := connect(t, st, Config{StreamARN: arn, StartingPosition: Latest, BatchSize: 1})
	put(t, db, table, "last", 1)
	if _, err := db.DeleteTable(t.Context(), &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		t.Fatal(err)
	}
	if got, want := values(t, readRecords(t, src, 1)), []string{"last=1"}; !cmp.Equal(got, want) {
		t.Errorf("read %v; want %v", got, want)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	if _, _, err := src.ReadBatch(ctx); !errors.Is(err, ErrStreamDisabled) {
		t.Errorf("ReadBatch() after DeleteTable error = %v; want ErrStreamDisabled", err)
	}
}

func TestConfigValidation(t *testing.T) {
	good := Config{StreamARN: testStreamARN, StartingPosition: Latest, BatchSize: 1}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"bad ARN", func(c *Config) { c.StreamARN = "weather" }, `"weather"`},
		{"bad position", func(c *Config) { c.StartingPosition = "AT_TIMESTAMP" }, `"AT_TIMESTAMP"`},
		{"batch 0", func(c *Config) { c.BatchSize = 0 }, "batch size 0"},
		{"batch too big", func(c *Config) { c.BatchSize = 10001 }, "batch size 10001"},
		{"window too long", func(c *Config) { c.BatchingWindow = 301 * time.Second }, "batching window 5m1s"},
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
	for _, tt := range tests {
		cfg := good
		tt.edit(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%s) = %v; want an error containing %s", tt.name, err, tt.want)
		}
		if err := NewSource(nil, cfg).Connect(t.Context()); err == nil {
			t.Errorf("Connect(%s) = nil; want the validation error", tt.name)
		}
	}
}

func TestReadBatchBeforeConnectAndAfterClose(t *testing.T) {
	src := NewSource(nil, Config{StreamARN: testStreamARN, StartingPosition: Latest, BatchSize: 1})
	if _, _, err := src.ReadBatch(t.Context()); !errors.Is(err, ErrNotConnected) {
		t.Errorf("ReadBatch() before Connect = %v; want ErrNotConnected", err)
	}
	src.Close()
	if _, _, err := src.ReadBatch(t.Context()); !errors.Is(err, ErrClosed) {
		t.Errorf("ReadBatch() after Close = %v; want ErrClosed", err)
	}
}

// TestRecordShapeFromDynamoDBLocal checks a real record end to end: every
// attribute type written with PutItem comes back in Pipes' shape.
func TestRecordShapeFromDynamoDBLocal(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	src := connect(t, st, Config{StreamARN: arn, Region: "us-west-2", StartingPosition: Latest, BatchSize: 10})
	item := map[string]ddbtypes.AttributeValue{
		"K":    &ddbtypes.AttributeValueMemberS{Value: "San Diego"},
		"N":    &ddbtypes.AttributeValueMemberN{Value: "42"},
		"B":    &ddbtypes.AttributeValueMemberB{Value: []byte("foobar")},
		"SS":   &ddbtypes.AttributeValueMemberSS{Value: []string{"a"}},
		"NS":   &ddbtypes.AttributeValueMemberNS{Value: []string{"1"}},
		"BS":   &ddbtypes.AttributeValueMemberBS{Value: [][]byte{[]byte("x")}},
		"M":    &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{"in": &ddbtypes.AttributeValueMemberBOOL{Value: true}}},
		"L":    &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberNULL{Value: true}}},
		"BOOL": &ddbtypes.AttributeValueMemberBOOL{Value: false},
		"NULL": &ddbtypes.AttributeValueMemberNULL{Value: true},
	}
	if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: map[string]ddbtypes.AttributeValue{"K": item["K"]}}); err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, src, 2)
	var insert, remove map[string]any
	_ = json.Unmarshal(recs[0].Doc.Bytes(), &insert)
	_ = json.Unmarshal(recs[1].Doc.Bytes(), &remove)
	image := map[string]any{
		"K": map[string]any{"S": "San Diego"}, "N": map[string]any{"N": "42"}, "B": map[string]any{"B": "Zm9vYmFy"},
		"SS": map[string]any{"SS": []any{"a"}}, "NS": map[string]any{"NS": []any{"1"}}, "BS": map[string]any{"BS": []any{"eA=="}},
		"M": map[string]any{"M": map[string]any{"in": map[string]any{"BOOL": true}}}, "L": map[string]any{"L": []any{map[string]any{"NULL": true}}},
		"BOOL": map[string]any{"BOOL": false}, "NULL": map[string]any{"NULL": true},
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"eventName", insert["eventName"], "INSERT"},
		{"eventVersion", insert["eventVersion"], "1.1"},
		{"eventSource", insert["eventSource"], "aws:dynamodb"},
		{"awsRegion", insert["awsRegion"], "us-west-2"},
		{"eventSourceARN", insert["eventSourceARN"], arn},
		{"NewImage", dyn(insert)["NewImage"], image},
		{"StreamViewType", dyn(insert)["StreamViewType"], "NEW_AND_OLD_IMAGES"},
		{"REMOVE eventName", remove["eventName"], "REMOVE"},
		{"REMOVE OldImage", dyn(remove)["OldImage"], image},
		{"REMOVE NewImage", dyn(remove)["NewImage"], nil},
		{"REMOVE userIdentity (not a TTL delete)", remove["userIdentity"], nil},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	if _, ok := dyn(insert)["ApproximateCreationDateTime"].(float64); !ok {
		t.Errorf("ApproximateCreationDateTime = %v; want a JSON number", dyn(insert)["ApproximateCreationDateTime"])
	}
	if age := time.Since(recs[0].ApproximateCreationDateTime); age < 0 || age > time.Minute {
		t.Errorf("ApproximateCreationDateTime = %s; want within the last minute", recs[0].ApproximateCreationDateTime)
	}
}

func dyn(rec map[string]any) map[string]any {
	m, _ := rec["dynamodb"].(map[string]any)
	return m
}
