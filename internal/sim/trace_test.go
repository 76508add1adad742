package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

// traceSecret is the connection's API key and secret body parameter: it must appear nowhere.
const traceSecret = "s3cr3t-api-key-0123456789"

const tracePipes = `
Tables:
  - TableName: orders
    AttributeDefinitions: [{AttributeName: OrderId, AttributeType: S}]
    KeySchema: [{AttributeName: OrderId, KeyType: HASH}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}
Connections:
  - Name: hooks
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: "${KEY}"}
      InvocationHttpParameters:
        BodyParameters: [{Key: signature, Value: "${KEY}", IsValueSecret: true}]
ApiDestinations:
  - {Name: orders-webhook, ConnectionArn: hooks, InvocationEndpoint: "${URL}/orders/*", HttpMethod: POST}
Pipes:
  - Name: big-orders
    Source: orders
    SourceParameters:
      DynamoDBStreamParameters: {StartingPosition: LATEST, MaximumRetryAttempts: 2}
    Target: orders-webhook
    TargetParameters:
      InputTemplate: '{"order": <$.dynamodb.Keys.OrderId.S>, "total": <$.dynamodb.NewImage.Total.N>}'
      HttpParameters: {PathParameterValues: [$.dynamodb.Keys.OrderId.S]}
`

// batchesSource hands out its batches, all of one shard, then ErrEndOfInput; it lets the
// dispatcher queue them all (ReadAhead), and closes allRead once every batch was dispatched.
type batchesSource struct {
	batches []stream.Batch
	allRead chan struct{}
}

func (s *batchesSource) Connect(context.Context) error { return nil }
func (s *batchesSource) Close() error                  { return nil }
func (s *batchesSource) ReadAhead() int                { return 8 }
func (s *batchesSource) Delivering(stream.Batch)       {}

func (s *batchesSource) ReadBatch(context.Context) (stream.Batch, stream.AckFunc, error) {
	if len(s.batches) == 0 {
		close(s.allRead) // the dispatcher asks for more only once the last batch is queued
		return stream.Batch{}, nil, pipe.ErrEndOfInput
	}
	b := s.batches[0]
	s.batches = s.batches[1:]
	return b, func(context.Context) error { return nil }, nil
}

func orderRecord(id, event, image string) stream.Record {
	js := fmt.Sprintf(`{"eventID":"e%s","eventName":"%s","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1764100800,"Keys":{"OrderId":{"S":"%s"}},%s,"SequenceNumber":"10000000000000000000%s","SizeBytes":40,"StreamViewType":"NEW_AND_OLD_IMAGES"},"eventSourceARN":"arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026-01-01T00:00:00.000"}`,
		id, event, id, image, id)
	return stream.Record{ShardID: "shardId-1", EventID: "e" + id, EventName: event, Doc: rawjson.New([]byte(js))}
}

// runTraced runs the pipe over three batches against a target that answers order 1 with 503
// then 200, order 2 with 200 and order 3 with 400, and returns the verbose trace and the state
// dir holding the execution history.
func runTraced(t *testing.T) (string, string) {
	t.Helper()
	src := &batchesSource{allRead: make(chan struct{}), batches: []stream.Batch{
		{ShardID: "shardId-1", Records: []stream.Record{orderRecord("1", "INSERT", `"NewImage":{"OrderId":{"S":"1"},"Total":{"N":"250"}}`)}},
		{ShardID: "shardId-1", Records: []stream.Record{orderRecord("2", "REMOVE", `"OldImage":{"OrderId":{"S":"2"},"Total":{"N":"90"}}`)}},
		{ShardID: "shardId-1", Records: []stream.Record{orderRecord("3", "INSERT", `"NewImage":{"OrderId":{"S":"3"},"Total":{"N":"12"}}`)}},
	}}
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		calls[r.URL.Path]++
		n := calls[r.URL.Path]
		mu.Unlock()
		switch {
		case r.URL.Path == "/orders/1" && n == 1:
			<-src.allRead // orders 2 and 3 are queued behind this one when it fails
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "busy\ntry later")
		case r.URL.Path == "/orders/3":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"missing ttl_seconds"}`)
		default:
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	vars := map[string]string{"KEY": traceSecret, "URL": srv.URL}
	cfg, err := config.Parse("trace.yaml", []byte(tracePipes), config.Options{Lookup: func(n string) (string, bool) { v, ok := vars[n]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Pipes[0]
	state := t.TempDir()
	history, closeHistory, err := OpenHistory(state, p, func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	defer closeHistory()
	var out syncBuffer
	tr := NewTracer(&out)
	tr.Verbose = true
	tr.now = func() time.Time { return time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC) }
	r := &pipe.Runner{Pipe: p, Source: src, Sender: httpdest.NewSender(), Log: history, Trace: tr.Trace,
		Opts: pipe.Options{Backoff: time.Millisecond, MaxBackoff: time.Millisecond}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(out.String(), srv.URL, "http://127.0.0.1:PORT"), state
}

var nextIn = regexp.MustCompile(`next in [0-9.]+[µm]?s`)

// TestVerboseTrace: -v prints each execution's request headers and body (the API key and the
// secret body parameter as ********) and the response's status and body; a retry says its
// attempt, the next delay and the records queued behind it on the shard; a path absent from the
// record is named.
func TestVerboseTrace(t *testing.T) {
	trace, _ := runTraced(t)
	if strings.Contains(trace, traceSecret) {
		t.Fatalf("the trace holds the secret:\n%s", trace)
	}
	checkGolden(t, "testdata/trace-verbose.golden", nextIn.ReplaceAllString(trace, "next in D"))
}

// TestHistoryWithoutLogConfiguration: the pipe has no LogConfiguration, yet its executions are
// in the state dir's history, secrets redacted.
func TestHistoryWithoutLogConfiguration(t *testing.T) {
	_, state := runTraced(t)
	path, err := HistoryPath(state, "big-orders")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), traceSecret) || strings.Count(string(b), `"messageType":"ExecutionStarted"`) != 6 {
		t.Errorf("history = %s\nwant 6 executions (order 1 twice, 2 once, 3 three times), no secret", b)
	}
	if _, err := os.Stat(filepath.Join(state, "logs")); !os.IsNotExist(err) {
		t.Errorf("logs/ exists (%v): a pipe without LogConfiguration writes no log group", err)
	}
}
