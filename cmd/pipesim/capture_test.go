package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

// TestCaptureThenReplay captures a table's stream from real DynamoDB Local, then replays the
// capture in a dry run through the seed design's pipes.
func TestCaptureThenReplay(t *testing.T) {
	endpoint := ddblocaltest.Endpoint(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	table := fmt.Sprintf("capture-test-%d", time.Now().UnixNano())
	db, _, err := ddblocal.Client(ctx, endpoint, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	createStreamTable(ctx, t, db, table)
	for _, item := range []map[string]types.AttributeValue{
		{"Location": &types.AttributeValueMemberS{Value: "New York"}, "MaxTemp": &types.AttributeValueMemberN{Value: "80"}, "TTL": &types.AttributeValueMemberN{Value: "300"}},
		{"Location": &types.AttributeValueMemberS{Value: "New York"}, "MaxTemp": &types.AttributeValueMemberN{Value: "81"}, "TTL": &types.AttributeValueMemberN{Value: "300"}},
	} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table),
		Key: map[string]types.AttributeValue{"Location": &types.AttributeValueMemberS{Value: "New York"}}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	captured := filepath.Join(dir, "captured.jsonl")
	s, _, stderr := testStreams()
	// Wait for the three records, not for a time: an idle timeout ended the capture too early
	// once on a loaded machine ("captured 0 records"). ctx bounds the wait.
	err = (&captureCmd{streams: s}).Run(ctx, []string{"--source", table, "--endpoint", endpoint, "--from", "TRIM_HORIZON",
		"--follow", "--limit", "3", "--poll-interval", "50ms", "--out", captured})
	if err != nil {
		t.Fatalf("pipesim capture = %v\n%s", err, stderr)
	}
	data, err := os.ReadFile(captured)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var names []string
	for _, l := range lines {
		for _, n := range []string{"INSERT", "MODIFY", "REMOVE"} {
			if strings.Contains(l, `"eventName":"`+n+`"`) {
				names = append(names, n)
			}
		}
		if !strings.Contains(l, `"awsRegion":"us-east-1"`) || !strings.Contains(l, "table/"+table+"/stream/") {
			t.Errorf("captured record %s: want awsRegion us-east-1 and the table's stream ARN", l)
		}
	}
	if strings.Join(names, " ") != "INSERT MODIFY REMOVE" || !strings.Contains(stderr.String(), "captured 3 records") {
		t.Fatalf("pipesim capture wrote %v (stderr %q); want INSERT MODIFY REMOVE", names, stderr)
	}

	t.Setenv("MOMENTO_API_ENDPOINT", "https://api.cache.example.com")
	t.Setenv("MOMENTO_API_KEY", "k")
	out := filepath.Join(dir, "requests.jsonl")
	s, _, stderr = testStreams()
	err = (&replayCmd{streams: s}).Run(ctx, []string{"--pipes", "../../testdata/weather-stats/pipes.yaml", "--records", captured, "--dry-run", "--out", out})
	if err != nil {
		t.Fatalf("pipesim replay = %v\n%s", err, stderr)
	}
	reqs, _ := os.ReadFile(out)
	for _, want := range []string{`"method":"PUT","url":"https://api.cache.example.com/cache/momento-eventbridge-cache?key=New%20York&ttl_seconds=300"`,
		`\"MaxTemp\": \"81\"`, `"method":"DELETE"`, `\"EventType\": \"REMOVE\"`} {
		if !strings.Contains(string(reqs), want) {
			t.Errorf("replayed requests:\n%s\nwant them to contain %s", reqs, want)
		}
	}
	if got := strings.Count(string(reqs), "\n"); got != 6 {
		t.Errorf("replay wrote %d requests; want 6 (2 puts, 3 publishes, 1 delete)", got)
	}
}

func createStreamTable(ctx context.Context, t *testing.T, db *dynamodb.Client, table string) {
	t.Helper()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("Location"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("Location"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		t.Fatal(err)
	}
}
