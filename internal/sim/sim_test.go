package sim

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
)

var update = flag.Bool("update", false, "rewrite golden files")

const testToken = "test-token-0123456789"

// recorder records every request in front of a real embedded Momento server.
type recorder struct {
	mu   sync.Mutex
	reqs []string
	next http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", req.Method, req.URL.RequestURI())
	for _, h := range []string{"Authorization", "Content-Type", "User-Agent", "Range", "Accept-Encoding"} {
		fmt.Fprintf(&b, "%s: %s\n", h, req.Header.Get(h))
	}
	fmt.Fprintf(&b, "\n%s\n", normalizeRecord(string(body)))
	r.mu.Lock()
	r.reqs = append(r.reqs, b.String())
	r.mu.Unlock()
	req.Body = io.NopCloser(strings.NewReader(string(body)))
	r.next.ServeHTTP(w, req)
}

func (r *recorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// normalizeRecord replaces the values that change from run to run in a stream record.
var volatile = regexp.MustCompile(`("(?:eventID|SequenceNumber)":)"[^"]*"|("ApproximateCreationDateTime":)\d+|(/stream/)[^"]+`)

func normalizeRecord(s string) string {
	return volatile.ReplaceAllString(s, `$1$2$3"<volatile>"`)
}

func TestSeedDesignEndToEnd(t *testing.T) {
	endpoint := ddblocaltest.Endpoint(t)
	rec := &recorder{next: momento.NewServer(momento.Config{Token: testToken, Caches: []string{"momento-eventbridge-cache"}})}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	t.Setenv(EnvMomentoEndpoint, srv.URL)
	t.Setenv(EnvMomentoKey, testToken)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	state := t.TempDir()
	s, err := Start(ctx, Options{DynamoDBEndpoint: endpoint, StateDir: state, PollInterval: 50 * time.Millisecond,
		Retry: pipe.Options{Backoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Embedded != nil {
		t.Fatal("embedded Momento started although MOMENTO_API_ENDPOINT is set")
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func() { close(ready) }) }()
	<-ready

	writeSeedItems(ctx, t, s.DynamoDB)
	// The last request may be the one answered 400: its dead letter is written after the
	// answer arrives, so wait for it too before stopping the pipes.
	waitFor(t, func() bool { return len(rec.snapshot()) >= 8 && deadLetters(s) > 0 })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	checkGolden(t, "testdata/seed-requests.golden", groupRequests(rec.snapshot()))
	checkDeadLetter(t, s)
	checkLogs(t, state)
}

// writeSeedItems: INSERT New York, MODIFY it, INSERT Chicago without TTL, REMOVE New York. Each
// write waits for the previous one's requests so the order across pipes is fixed.
func writeSeedItems(ctx context.Context, t *testing.T, db *dynamodb.Client) {
	t.Helper()
	item := func(loc, maxT string, ttl bool) map[string]types.AttributeValue {
		m := map[string]types.AttributeValue{
			"Location": &types.AttributeValueMemberS{Value: loc}, "MaxTemp": &types.AttributeValueMemberN{Value: maxT},
			"MinTemp": &types.AttributeValueMemberN{Value: "60"}, "ChancesOfPrecipitation": &types.AttributeValueMemberN{Value: "90"},
		}
		if ttl {
			m["TTL"] = &types.AttributeValueMemberN{Value: "300"}
		}
		return m
	}
	table := aws.String("weather-stats-demo")
	for _, it := range []map[string]types.AttributeValue{item("New York", "80", true), item("New York", "81", true), item("Chicago", "70", false)} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	key := map[string]types.AttributeValue{"Location": &types.AttributeValueMemberS{Value: "New York"}}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key}); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the pipes")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// groupRequests orders requests by pipe (PUT, POST, DELETE), keeping each pipe's own order,
// which is the stream's order.
func groupRequests(reqs []string) string {
	rank := map[string]int{"PUT": 0, "POST": 1, "DELETE": 2}
	sort.SliceStable(reqs, func(i, j int) bool {
		return rank[strings.Fields(reqs[i])[0]] < rank[strings.Fields(reqs[j])[0]]
	})
	return strings.Join(reqs, "----\n")
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("requests differ from %s (-want +got):\n%s", path, d)
	}
}

// checkDeadLetter: Chicago has no TTL, so its PUT has ttl_seconds= and Momento answers 400;
// with MaximumRetryAttempts 0 the batch goes to the DLQ at once.
// deadLetters counts the seed's dead letters (0 when the queue has none yet).
func deadLetters(s *Sim) int {
	msgs, _ := s.DLQ.Messages("weather-stats-demo-dlq")
	return len(msgs)
}

func checkDeadLetter(t *testing.T, s *Sim) {
	t.Helper()
	msgs, err := s.DLQ.Messages("weather-stats-demo-dlq")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("dead letters = %d; want 1 (Chicago)", len(msgs))
	}
	body := msgs[0].Body
	for _, want := range []string{`"condition":"RetryAttemptsExhausted"`, `"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/weather-stats-demo-cache-put-pipe"`, `"batchSize":1`} {
		if !strings.Contains(body, want) {
			t.Errorf("dead letter %s lacks %s", body, want)
		}
	}
	if strings.Contains(body, "Chicago") {
		t.Errorf("dead letter carries record data: %s", body)
	}
}

func checkLogs(t *testing.T, state string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(state, "logs", "weather-stats-demo-logs-us-east-1", "weather-stats-demo-cache-put-pipe.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	logs := string(data)
	if strings.Contains(logs, testToken) {
		t.Error("the API key appears in the execution log")
	}
	if got := strings.Count(logs, `"messageType":"ExecutionSucceeded"`); got != 2 {
		t.Errorf("ExecutionSucceeded records = %d; want 2", got)
	}
	if got := strings.Count(logs, `"messageType":"ExecutionFailed"`); got != 1 {
		t.Errorf("ExecutionFailed records = %d; want 1", got)
	}
	if strings.Contains(logs, "TargetTransformationStarted") {
		t.Error("INFO level logged a TRACE step")
	}
}
