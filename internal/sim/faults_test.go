package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sqsdlq"
	"github.com/pipesim/pipesim/internal/sqsdlq/sqsdlqtest"
)

// faultPipes is a one-pipe design on its own table; the test fills in the table name and the
// retry settings.
const faultPipes = `
Tables:
  - TableName: %[1]s
    AttributeDefinitions: [{AttributeName: Location, AttributeType: S}]
    KeySchema: [{AttributeName: Location, KeyType: HASH}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}
Queues: [{QueueName: dlq}]
Caches: [cache1]
Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: "${MOMENTO_API_KEY}"}}}
ApiDestinations:
  - {Name: put, ConnectionArn: c1, InvocationEndpoint: "${MOMENTO_API_ENDPOINT}/cache/*", HttpMethod: PUT}
Pipes:
  - Name: %[1]s-pipe
    Source: %[1]s
    SourceParameters:
      DynamoDBStreamParameters:
        StartingPosition: LATEST
        BatchSize: 1
        MaximumRetryAttempts: %[2]d
        MaximumRecordAgeInSeconds: %[3]d
        DeadLetterConfig: {Arn: "arn:aws:sqs:us-east-1:000000000000:dlq"}
    Target: put
    TargetParameters:
      InputTemplate: '{"Location": <$.dynamodb.Keys.Location.S>}'
      HttpParameters:
        PathParameterValues: [cache1]
        QueryStringParameters: {key: $.dynamodb.Keys.Location.S, ttl_seconds: "60"}
    LogConfiguration:
      Level: TRACE
      CloudwatchLogsLogDestination: {LogGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:faults"}
`

// faultRun is one scenario: a fresh table and embedded Momento server with a fault on
// cache-put, one item written, and the pipe's executions collected until done says so.
type faultRun struct {
	sim    *Sim
	mu     sync.Mutex
	execs  []pipe.Execution
	times  []time.Time
	client *momento.Client
}

func (r *faultRun) outcomes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.execs {
		out = append(out, fmt.Sprintf("%s %d", e.Outcome, e.Status))
	}
	return out
}

func (r *faultRun) last() string {
	o := r.outcomes()
	if len(o) == 0 {
		return ""
	}
	return o[len(o)-1]
}

func runFault(t *testing.T, table, fault string, maxRetries, maxAge int, done func(*faultRun) bool, more ...func(*Options)) *faultRun {
	t.Helper()
	endpoint := ddblocaltest.Endpoint(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "pipes.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(faultPipes, table, maxRetries, maxAge)), 0o644); err != nil {
		t.Fatal(err)
	}
	route, f, err := momento.ParseFault(fault)
	if err != nil {
		t.Fatal(err)
	}
	r := &faultRun{}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := Options{PipesFile: path, DynamoDBEndpoint: endpoint, StateDir: filepath.Join(dir, "state"),
		PollInterval: 50 * time.Millisecond, Lookup: func(string) (string, bool) { return "", false },
		Faults: map[momento.Route]momento.Fault{route: f},
		Retry:  pipe.Options{Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond},
		Trace: func(e pipe.Execution) {
			r.mu.Lock()
			r.execs, r.times = append(r.execs, e), append(r.times, time.Now())
			r.mu.Unlock()
		}}
	for _, m := range more {
		m(&opts)
	}
	r.sim, err = Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.sim.Close() })
	r.client = &momento.Client{BaseURL: r.sim.MomentoURL, Token: r.sim.MomentoToken}
	ready := make(chan struct{})
	runDone := make(chan error, 1)
	go func() { runDone <- r.sim.Run(ctx, func() { close(ready) }) }()
	<-ready
	item := map[string]types.AttributeValue{"Location": &types.AttributeValueMemberS{Value: "Austin"}}
	if _, err := r.sim.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
	for !done(r) {
		if ctx.Err() != nil {
			t.Fatalf("scenario did not finish; executions: %v", r.outcomes())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-runDone
	return r
}

func (r *faultRun) deadLetters(t *testing.T) []string {
	t.Helper()
	msgs, err := r.sim.DLQ.Messages("dlq")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Body)
	}
	return out
}

// wantOneDeadLetter checks that the local queue holds exactly one message, for condition.
func (r *faultRun) wantOneDeadLetter(t *testing.T, condition string) {
	t.Helper()
	dl := r.deadLetters(t)
	if len(dl) != 1 || !strings.Contains(dl[0], `"condition":"`+condition+`"`) {
		t.Errorf("dead letters = %v; want one %s", dl, condition)
	}
}

func (r *faultRun) cached(t *testing.T) bool {
	_, found, err := r.client.Get(context.Background(), "cache1", "Austin")
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func finished(r *faultRun) bool {
	last := r.last()
	return strings.HasPrefix(last, pipe.OutcomeSucceeded) || strings.HasPrefix(last, pipe.OutcomeDeadLettered)
}

func TestFault503Then200(t *testing.T) {
	t.Parallel()
	r := runFault(t, "fault-503", "cache-put=503", 2, -1, finished)
	want := []string{"retrying 503", "succeeded 204"}
	if got := r.outcomes(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("executions = %v; want %v", got, want)
	}
	if !r.cached(t) {
		t.Error("the item is not in the cache after the retry succeeded")
	}
	if dl := r.deadLetters(t); len(dl) != 0 {
		t.Errorf("dead letters = %v; want none", dl)
	}
}

func TestFault429RetryAfter(t *testing.T) {
	t.Parallel()
	r := runFault(t, "fault-429", "cache-put=429:retry-after=1", 1, -1, finished)
	want := []string{"retrying 429", "succeeded 204"}
	if got := r.outcomes(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("executions = %v; want %v", got, want)
	}
	// The backoff is at most 50ms here: only Retry-After explains a second's wait.
	if gap := r.times[1].Sub(r.times[0]); gap < time.Second {
		t.Errorf("retry came %v after the 429; Retry-After asked for 1s", gap)
	}
}

func TestFault400ToDLQ(t *testing.T) {
	t.Parallel()
	r := runFault(t, "fault-400", "cache-put=400,repeat", 2, -1, finished)
	want := []string{"retrying 400", "retrying 400", "dead-lettered 400"}
	if got := r.outcomes(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("executions = %v; want %v (1 attempt + MaximumRetryAttempts 2)", got, want)
	}
	r.wantOneDeadLetter(t, "RetryAttemptsExhausted")
	if r.cached(t) {
		t.Error("the item is cached although every PUT failed")
	}
}

func TestFaultTimeoutCounted(t *testing.T) {
	t.Parallel()
	// Every PUT takes 6s, longer than the API destination timeout (shortened from 5s to 200ms
	// here): a timeout counts against MaximumRetryAttempts, so with 0 the first attempt is the
	// last and the batch goes to the DLQ, long before the record expires.
	r := runFault(t, "fault-timeout", "cache-put=latency:6s", 0, 3600, finished, func(o *Options) {
		o.SendTimeout = 200 * time.Millisecond
	})
	if got, want := r.outcomes(), []string{"dead-lettered 0"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("executions = %v; want %v (one attempt, MaximumRetryAttempts 0)", got, want)
	}
	if err := r.execs[0].Err; err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("execution error = %v; want a timeout", err)
	}
	r.wantOneDeadLetter(t, "RetryAttemptsExhausted")
}

func TestFaultRecordAgeExceeded(t *testing.T) {
	t.Parallel()
	r := runFault(t, "fault-age", "cache-put=503,repeat", -1, 2, finished)
	got := r.outcomes()
	if len(got) < 2 || got[len(got)-1] != "dead-lettered 0" {
		t.Errorf("executions = %v; want 503s retried without limit, then dead-lettered on age", got)
	}
	r.wantOneDeadLetter(t, "RecordAgeExceeded")
}

func TestRedrive(t *testing.T) {
	t.Parallel()
	r := runFault(t, "redrive", "cache-put=400,repeat", 0, -1, finished)
	msgs, err := r.sim.DLQ.Messages("dlq")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("dead letters = %v, %v; want 1", msgs, err)
	}
	r.sim.Embedded.ClearFaults() // the destination is fixed: redrive the batch
	res, err := r.sim.Redrive(context.Background(), msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.sim.DLQ.Delete("dlq", msgs[0].MessageID); err != nil {
		t.Fatal(err)
	}
	if res.Records != 1 || res.Outcome != pipe.OutcomeSucceeded || res.Pipe != "redrive-pipe" {
		t.Errorf("Redrive = %+v; want 1 record through redrive-pipe, succeeded", res)
	}
	if !r.cached(t) {
		t.Error("the redriven item is not in the cache")
	}
	if left, _ := r.sim.DLQ.Messages("dlq"); len(left) != 0 {
		t.Errorf("messages left = %d; want the redriven one removed", len(left))
	}
}

func TestDeadLetterToSQS(t *testing.T) {
	t.Parallel()
	endpoint := sqsdlqtest.Endpoint(t)
	r := runFault(t, "fault-sqs", "cache-put=400,repeat", 0, -1, finished, func(o *Options) {
		o.SQSEndpoint, o.SQSProtocol = endpoint, sqsdlq.ProtocolQuery
	})
	q, err := sqsdlq.New(context.Background(), sqsdlq.Options{Endpoint: endpoint, Region: "us-east-1", Protocol: sqsdlq.ProtocolQuery})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := q.Receive(context.Background(), "dlq", 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("SQS messages = %d; want 1", len(msgs))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(msgs[0].Body), &body); err != nil {
		t.Fatal(err)
	}
	info, _ := body["DDBStreamBatchInfo"].(map[string]any)
	ctxInfo, _ := body["context"].(map[string]any)
	if body["version"] != "1.0" || ctxInfo["condition"] != "RetryAttemptsExhausted" || info["batchSize"] != float64(1) ||
		!strings.Contains(fmt.Sprint(info["streamArn"]), "table/fault-sqs/stream/") {
		t.Errorf("SQS dead letter = %s", msgs[0].Body)
	}
	if local, _ := r.sim.DLQ.Messages("dlq"); len(local) != 0 {
		t.Errorf("local queue file has %d messages; want none with an SQS endpoint", len(local))
	}
}

func TestTableWithoutStream(t *testing.T) {
	t.Parallel()
	endpoint := ddblocaltest.Endpoint(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "pipes.yaml")
	text := strings.Replace(fmt.Sprintf(faultPipes, "no-stream", 0, -1),
		"    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}\n", "", 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := Start(ctx, Options{PipesFile: path, DynamoDBEndpoint: endpoint, StateDir: filepath.Join(dir, "state"),
		Lookup: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Run(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), `pipe "no-stream-pipe": Source:`) || !strings.Contains(err.Error(), "no-stream") {
		t.Errorf("Run = %v; want an error naming the pipe and the table without a stream", err)
	}
}

func TestStoppedPipeIsNotStarted(t *testing.T) {
	t.Parallel()
	endpoint := ddblocaltest.Endpoint(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "pipes.yaml")
	text := strings.Replace(fmt.Sprintf(faultPipes, "stopped", 0, -1), "    Source: stopped\n", "    DesiredState: STOPPED\n    Source: stopped\n", 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Start(context.Background(), Options{PipesFile: path, DynamoDBEndpoint: endpoint, StateDir: filepath.Join(dir, "state"),
		Lookup: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Config.Pipes[0].Running {
		t.Fatal("DesiredState STOPPED loaded as running")
	}
	runners, err := s.Runners(context.Background())
	if err != nil || len(runners) != 0 {
		t.Errorf("Runners = %d, %v; want none for a STOPPED pipe", len(runners), err)
	}
}
