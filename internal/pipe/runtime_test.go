package pipe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/filter"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
	"github.com/pipesim/pipesim/internal/template"
)

const testStreamARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t1/stream/2026-01-01T00:00:00.000"

// sliceSource serves fixed batches, then ErrEndOfInput, recording acknowledgements.
type sliceSource struct {
	batches []stream.Batch
	mu      sync.Mutex
	acked   []string // last sequence number of each acknowledged batch
}

func (s *sliceSource) Connect(context.Context) error { return nil }
func (s *sliceSource) Close() error                  { return nil }
func (s *sliceSource) ReadBatch(ctx context.Context) (stream.Batch, stream.AckFunc, error) {
	if len(s.batches) == 0 {
		return stream.Batch{}, nil, ErrEndOfInput
	}
	b := s.batches[0]
	s.batches = s.batches[1:]
	return b, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.acked = append(s.acked, b.Records[len(b.Records)-1].SequenceNumber)
		return nil
	}, nil
}

type memQueue struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (q *memQueue) Send(_ context.Context, _ *config.Queue, body []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, body)
	return nil
}

// statusServer answers with the given statuses in turn, then 204; it records request bodies.
type statusServer struct {
	*httptest.Server
	calls  atomic.Int32
	mu     sync.Mutex
	bodies []string
}

func newStatusServer(t *testing.T, statuses ...int) *statusServer {
	s := &statusServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.calls.Add(1))
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, r.Method+" "+r.URL.String()+" "+string(b))
		s.mu.Unlock()
		if n <= len(statuses) {
			if statuses[n-1] == 429 {
				w.Header().Set("Retry-After", "0")
			}
			w.WriteHeader(statuses[n-1])
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

const pipesFile = `
Queues: [{QueueName: dlq}]
Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: SECRET-KEY-123}}}
ApiDestinations:
  - {Name: d1, ConnectionArn: c1, InvocationEndpoint: "%s/cache/*", HttpMethod: PUT}
Pipes:
  - Name: p1
    Source: table1
    SourceParameters:
      FilterCriteria: {Filters: [{Pattern: '{"eventName": ["INSERT", "MODIFY"]}'}]}
      DynamoDBStreamParameters:
        StartingPosition: LATEST
        BatchSize: %d
        MaximumRetryAttempts: %d
        MaximumRecordAgeInSeconds: %d
        OnPartialBatchItemFailure: %s
        DeadLetterConfig: {Arn: "arn:aws:sqs:us-east-1:000000000000:dlq"}
    Target: d1
    TargetParameters:
      InputTemplate: '{"Location": <$.dynamodb.Keys.Location.S>}'
      HttpParameters:
        PathParameterValues: [cache1]
        QueryStringParameters: {key: $.dynamodb.Keys.Location.S}
    LogConfiguration: {Level: TRACE, IncludeExecutionData: [ALL]}
`

type setup struct {
	batchSize, maxRetries, maxAge int
	bisect                        bool
}

func testPipe(t *testing.T, url string, s setup) *config.Pipe {
	t.Helper()
	if s.batchSize == 0 {
		s.batchSize = 1
	}
	if s.maxAge == 0 {
		s.maxAge = -1
	}
	bisect := `""`
	if s.bisect {
		bisect = "AUTOMATIC_BISECT"
	}
	text := fmt.Sprintf(pipesFile, url, s.batchSize, s.maxRetries, s.maxAge, bisect)
	cfg, err := config.Parse("test.yaml", []byte(text), config.Options{AllowBatching: true})
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Pipes[0]
}

func record(seq int, event, location string, created time.Time) stream.Record {
	js := fmt.Sprintf(`{"eventID":"e%d","eventName":%q,"dynamodb":{"ApproximateCreationDateTime":%d,"Keys":{"Location":{"S":%q}},"SequenceNumber":"%021d"}}`,
		seq, event, created.Unix(), location, seq)
	return stream.Record{ShardID: "shard-1", EventID: fmt.Sprintf("e%d", seq), EventName: event,
		SequenceNumber: fmt.Sprintf("%021d", seq), ApproximateCreationDateTime: created, Doc: rawjson.New([]byte(js))}
}

type harness struct {
	mu     sync.Mutex
	runner *Runner
	src    *sliceSource
	dlq    *memQueue
	logs   *bytes.Buffer
	traces []Execution
}

func newHarness(p *config.Pipe, batches ...stream.Batch) *harness {
	h := &harness{src: &sliceSource{batches: batches}, dlq: &memQueue{}, logs: &bytes.Buffer{}}
	h.runner = &Runner{Pipe: p, Source: h.src, Sender: httpdest.NewSender(), DLQ: h.dlq,
		Log: NewExecLog(h.logs, p.ARN, p.Log.Level, p.Log.ExecutionData, nil), SourceARN: testStreamARN,
		Trace: func(e Execution) { h.mu.Lock(); h.traces = append(h.traces, e); h.mu.Unlock() },
		Opts:  Options{Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}}
	return h
}

func (h *harness) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.runner.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) outcomes() []string {
	var out []string
	for _, e := range h.traces {
		out = append(out, e.Outcome)
	}
	return out
}

func batchOf(recs ...stream.Record) stream.Batch {
	return stream.Batch{ShardID: recs[0].ShardID, Records: recs}
}

func TestDeliverSucceedsAndFilters(t *testing.T) {
	srv := newStatusServer(t)
	now := time.Now()
	h := newHarness(testPipe(t, srv.URL, setup{}),
		batchOf(record(1, "INSERT", "New York", now)), batchOf(record(2, "REMOVE", "New York", now)))
	h.run(t)
	want := []string{"PUT /cache/cache1?key=New%20York " + `{"Location": "New York"}`}
	if d := cmp.Diff(want, srv.bodies); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	got := h.outcomes()
	sort.Strings(got) // the filtered record is traced when it is read, maybe before the delivery
	if d := cmp.Diff([]string{OutcomeFiltered, OutcomeSucceeded}, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	sort.Strings(h.src.acked) // a filtered batch is acked when read; acks may come in any order
	if d := cmp.Diff([]string{fmt.Sprintf("%021d", 1), fmt.Sprintf("%021d", 2)}, h.src.acked); d != "" {
		t.Errorf("acked (-want +got):\n%s", d)
	}
}

func TestRetryThenSucceed(t *testing.T) {
	srv := newStatusServer(t, 503, 429)
	h := newHarness(testPipe(t, srv.URL, setup{maxRetries: 2}), batchOf(record(1, "INSERT", "a", time.Now())))
	h.run(t)
	if got := srv.calls.Load(); got != 3 {
		t.Errorf("calls = %d; want 3", got)
	}
	if d := cmp.Diff([]string{OutcomeRetrying, OutcomeRetrying, OutcomeSucceeded}, h.outcomes()); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	if len(h.dlq.msgs) != 0 {
		t.Errorf("dead letters = %d; want 0", len(h.dlq.msgs))
	}
}

func TestDeadLetterAfterRetries(t *testing.T) {
	srv := newStatusServer(t, 400, 400, 400, 400)
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	h := newHarness(testPipe(t, srv.URL, setup{maxRetries: 2}), batchOf(record(7, "MODIFY", "a", now)))
	h.runner.Opts.Now = func() time.Time { return now.Add(time.Second) }
	h.run(t)
	if got := srv.calls.Load(); got != 3 {
		t.Errorf("calls = %d; want 3 (1 + MaximumRetryAttempts 2)", got)
	}
	if len(h.dlq.msgs) != 1 {
		t.Fatalf("dead letters = %d; want 1", len(h.dlq.msgs))
	}
	want := `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/p1","condition":"RetryAttemptsExhausted"},` +
		`"version":"1.0","timestamp":"2026-11-25T20:00:01.000Z","DDBStreamBatchInfo":{"shardId":"shard-1",` +
		`"startSequenceNumber":"000000000000000000007","endSequenceNumber":"000000000000000000007",` +
		`"approximateArrivalOfFirstRecord":"2026-11-25T20:00:00Z","approximateArrivalOfLastRecord":"2026-11-25T20:00:00Z",` +
		`"batchSize":1,"streamArn":"` + testStreamARN + `"}}`
	if got := string(h.dlq.msgs[0]); got != want {
		t.Errorf("DLQ message =\n%s\nwant\n%s", got, want)
	}
	if len(h.src.acked) != 1 {
		t.Errorf("acked = %v; want the dead-lettered batch acknowledged", h.src.acked)
	}
}

func TestFailedToDLQSkipsRetries(t *testing.T) {
	srv := newStatusServer(t, 400)
	h := newHarness(testPipe(t, srv.URL, setup{maxRetries: 5}), batchOf(record(1, "INSERT", "a", time.Now())))
	h.runner.Opts.FailedToDLQ = true
	h.run(t)
	if got := srv.calls.Load(); got != 1 || len(h.dlq.msgs) != 1 {
		t.Errorf("calls = %d, dead letters = %d; want 1, 1", got, len(h.dlq.msgs))
	}
}

func TestRecordAgeExceeded(t *testing.T) {
	srv := newStatusServer(t, 500, 500, 500)
	created := time.Now().Add(-2 * time.Minute)
	h := newHarness(testPipe(t, srv.URL, setup{maxRetries: -1, maxAge: 60}), batchOf(record(1, "INSERT", "a", created)))
	h.run(t)
	if got := srv.calls.Load(); got != 0 {
		t.Errorf("calls = %d; want 0: the record was already too old", got)
	}
	if len(h.dlq.msgs) != 1 || !strings.Contains(string(h.dlq.msgs[0]), `"condition":"RecordAgeExceeded"`) {
		t.Errorf("dead letters = %q; want one RecordAgeExceeded", h.dlq.msgs)
	}
}

func TestInternalErrorsNotCounted(t *testing.T) {
	// Nothing listens here: every attempt is a connection failure, retried uncounted until the
	// record is older than MaximumRecordAgeInSeconds.
	srv := newStatusServer(t)
	url := srv.URL
	srv.Close()
	start := time.Now()
	now := start
	var mu sync.Mutex
	h := newHarness(testPipe(t, url, setup{maxRetries: 0, maxAge: 60}), batchOf(record(1, "INSERT", "a", start)))
	attempts := 0
	h.runner.Opts.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		now = now.Add(10 * time.Second) // each look at the clock ages the record
		return now
	}
	h.run(t)
	retrying := 0
	for _, o := range h.outcomes() {
		if o == OutcomeRetrying {
			retrying++
		}
	}
	if retrying < 2 {
		t.Errorf("retries = %d; want several despite MaximumRetryAttempts 0", retrying)
	}
	if len(h.dlq.msgs) != 1 || !strings.Contains(string(h.dlq.msgs[0]), "RecordAgeExceeded") {
		t.Errorf("dead letters = %q; want one RecordAgeExceeded", h.dlq.msgs)
	}
}

func TestBisect(t *testing.T) {
	// Batches of 4 fail until they are split down to single records; only "bad" keeps failing.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if bytes.HasPrefix(b, []byte("[")) && bytes.Count(b, []byte("Location")) > 1 || bytes.Contains(b, []byte("bad")) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	now := time.Now()
	h := newHarness(testPipe(t, srv.URL, setup{batchSize: 4, maxRetries: 0, bisect: true}),
		batchOf(record(1, "INSERT", "a", now), record(2, "INSERT", "bad", now), record(3, "INSERT", "c", now), record(4, "INSERT", "d", now)))
	h.run(t)
	if len(h.dlq.msgs) != 1 || !strings.Contains(string(h.dlq.msgs[0]), `"startSequenceNumber":"000000000000000000002"`) {
		t.Errorf("dead letters = %q; want only record 2", h.dlq.msgs)
	}
}

func TestBatchBodyIsArray(t *testing.T) {
	srv := newStatusServer(t)
	now := time.Now()
	h := newHarness(testPipe(t, srv.URL, setup{batchSize: 2}), batchOf(record(1, "INSERT", "a", now), record(2, "MODIFY", "b", now)))
	h.run(t)
	want := []string{`PUT /cache/cache1?key=a [{"Location": "a"},{"Location": "b"}]`}
	if d := cmp.Diff(want, srv.bodies); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}

func TestExecutionLog(t *testing.T) {
	srv := newStatusServer(t, 503)
	h := newHarness(testPipe(t, srv.URL, setup{maxRetries: 1}), batchOf(record(1, "INSERT", "a", time.Now())))
	h.run(t)
	if strings.Contains(h.logs.String(), "SECRET-KEY-123") {
		t.Fatal("the API key appears in the execution log")
	}
	var types []string
	ids := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		types = append(types, rec["messageType"].(string))
		ids[rec["executionId"].(string)] = true
		if _, ok := rec["timestamp"].(float64); !ok {
			t.Errorf("timestamp %v is not a number", rec["timestamp"])
		}
		if rec["resourceArn"] != "arn:aws:pipes:us-east-1:000000000000:pipe/p1" {
			t.Errorf("resourceArn = %v", rec["resourceArn"])
		}
		if p, ok := rec["payload"]; ok {
			if _, isString := p.(string); !isString {
				t.Errorf("payload is not a JSON string: %v", p)
			}
		}
	}
	want := []string{
		"ExecutionStarted", "TargetStageEntered", "TargetTransformationStarted", "TargetTransformationSucceeded",
		"TargetInvocationStarted", "TargetInvocationFailed", "TargetStageFailed", "ExecutionFailed",
		"ExecutionStarted", "TargetStageEntered", "TargetTransformationStarted", "TargetTransformationSucceeded",
		"TargetInvocationStarted", "TargetInvocationSucceeded", "TargetStageSucceeded", "ExecutionSucceeded",
	}
	if d := cmp.Diff(want, types); d != "" {
		t.Errorf("message types (-want +got):\n%s", d)
	}
	if len(ids) != 2 {
		t.Errorf("execution IDs = %d; want one per execution (2)", len(ids))
	}
}

func TestLogLevels(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  int
	}{{"OFF", 0}, {"ERROR", 0}, {"INFO", 4}, {"TRACE", 8}} {
		var buf bytes.Buffer
		l := NewExecLog(&buf, "arn", tc.level, false, nil)
		lg := l.start(newID())
		for _, s := range []struct{ t, level string }{
			{"ExecutionStarted", levelInfo}, {"TargetStageEntered", levelInfo}, {"TargetTransformationStarted", levelTrace},
			{"TargetTransformationSucceeded", levelTrace}, {"TargetInvocationStarted", levelTrace},
			{"TargetInvocationSucceeded", levelTrace}, {"TargetStageSucceeded", levelInfo}, {"ExecutionSucceeded", levelInfo},
		} {
			lg.step(s.t, s.level, withPayload([]byte("{}")))
		}
		if got := strings.Count(buf.String(), "\n"); got != tc.want {
			t.Errorf("level %s: %d records; want %d", tc.level, got, tc.want)
		}
		if strings.Contains(buf.String(), "payload") {
			t.Errorf("level %s without execution data logged a payload", tc.level)
		}
	}
}

func TestCheckpointsAndQueuesOnDisk(t *testing.T) {
	dir := t.TempDir()
	cp, stale, err := OpenCheckpoints(dir, "p1", "arn:one")
	if err != nil || stale != "" {
		t.Fatalf("OpenCheckpoints = %v, %q", err, stale)
	}
	if err := cp.Put("shard-1", "42"); err != nil {
		t.Fatal(err)
	}
	cp2, _, _ := OpenCheckpoints(dir, "p1", "arn:one")
	if seq, ok, _ := cp2.Get("shard-1"); !ok || seq != "42" {
		t.Errorf("reopened checkpoint = %q, %v; want 42", seq, ok)
	}
	cp3, stale, _ := OpenCheckpoints(dir, "p1", "arn:two")
	if _, ok, _ := cp3.Get("shard-1"); ok || stale != "arn:one" {
		t.Errorf("checkpoint of another stream: stale = %q, kept = %v; want arn:one reported and nothing kept", stale, ok)
	}
	q := &FileQueues{Dir: dir}
	queue := &config.Queue{Name: "dlq"}
	for i := range 3 {
		if err := q.Send(context.Background(), queue, []byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := q.Messages("dlq")
	if err != nil || len(msgs) != 3 || msgs[2].Body != `{"n":2}` {
		t.Errorf("Messages = %+v, %v", msgs, err)
	}
}

func TestParallelizationKeepsOrderPerKey(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	var mu sync.Mutex
	got := map[string][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		key := r.URL.Query().Get("key")
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[key] = append(got[key], string(body))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	p := testPipe(t, srv.URL, setup{batchSize: 1})
	p.Stream.Parallelization = 3
	p.Stream.BatchSize = 9
	now := time.Now()
	var recs []stream.Record
	for i := range 9 {
		recs = append(recs, record(i+1, "INSERT", fmt.Sprintf("k%d", i%3), now))
	}
	h := newHarness(p, batchOf(recs...))
	h.runner.Trace = nil
	h.run(t)
	if maxInFlight.Load() < 2 {
		t.Errorf("max requests in flight = %d; want lanes delivered concurrently", maxInFlight.Load())
	}
	total := 0
	for _, bodies := range got {
		for _, b := range bodies {
			total += strings.Count(b, "Location")
		}
	}
	if total != 9 {
		t.Errorf("records delivered = %d; want 9", total)
	}
}

func TestLanesOrder(t *testing.T) {
	p := &config.Pipe{Stream: config.StreamParameters{Parallelization: 4, PartitionKey: "Location"}}
	r := &Runner{Pipe: p}
	now := time.Now()
	var recs []stream.Record
	for i := range 40 {
		recs = append(recs, record(i+1, "MODIFY", fmt.Sprintf("k%d", i%5), now))
	}
	lanes := r.lanes(recs)
	used := 0
	for _, l := range lanes {
		if len(l) > 0 {
			used++
		}
	}
	if len(lanes) != 4 || used < 2 {
		t.Fatalf("lanes = %d, %d used; want 4, at least 2 used", len(lanes), used)
	}
	seen := map[string]string{} // key -> lane of its records
	total := 0
	for i, lane := range lanes {
		last := ""
		for _, rec := range lane {
			total++
			key := gjsonKey(rec.Doc.Bytes())
			if l, ok := seen[key]; ok && l != fmt.Sprint(i) {
				t.Errorf("key %s split across lanes", key)
			}
			seen[key] = fmt.Sprint(i)
			if rec.SequenceNumber < last {
				t.Errorf("lane %d out of order: %s after %s", i, rec.SequenceNumber, last)
			}
			last = rec.SequenceNumber
		}
	}
	if total != 40 {
		t.Errorf("records in lanes = %d; want 40", total)
	}
}

func gjsonKey(rec []byte) string { return string(partitionKey(rawjson.New(rec), "Location")) }

func TestSecretConnectionValuesNeverLogged(t *testing.T) {
	srv := newStatusServer(t, 500)
	text := strings.Replace(fmt.Sprintf(pipesFile, srv.URL, 1, 0, -1, `""`),
		"ApiKeyValue: SECRET-KEY-123}}}",
		"ApiKeyValue: SECRET-KEY-123}, InvocationHttpParameters: {QueryStringParameters: [{Key: sig, Value: QUERY-SECRET-9, IsValueSecret: true}]}}}", 1)
	cfg, err := config.Parse("test.yaml", []byte(text), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(cfg.Pipes[0], batchOf(record(1, "INSERT", "a", time.Now())))
	var lines []string
	h.runner.Trace = func(e Execution) {
		if e.Request != nil {
			h.mu.Lock()
			lines = append(lines, e.Request.RedactedURL())
			h.mu.Unlock()
		}
	}
	h.run(t)
	if got := srv.bodies[0]; !strings.Contains(got, "sig=QUERY-SECRET-9") {
		t.Fatalf("the request did not carry the connection's query parameter: %s", got)
	}
	logs := h.logs.String()
	for _, secret := range []string{"QUERY-SECRET-9", "SECRET-KEY-123"} {
		if strings.Contains(logs, secret) || strings.Contains(strings.Join(lines, "\n"), secret) {
			t.Errorf("%s appears in the execution log or the trace", secret)
		}
	}
	if !strings.Contains(logs, "sig=********") {
		t.Errorf("execution log does not show the redacted parameter:\n%s", logs)
	}
}

// TestVarsIngestionTime: the ingestion time is the runner's clock (the replay clock in a replay),
// read only for a template that renders it.
func TestVarsIngestionTime(t *testing.T) {
	at := time.Date(2024, 7, 30, 17, 20, 48, 0, time.UTC)
	r := &Runner{Pipe: testPipe(t, "http://127.0.0.1:1", setup{}), Opts: Options{Now: func() time.Time { return at }}}
	with, err := template.Compile(`{"at": <aws.pipes.event.ingestion-time>}`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	without, err := template.Compile(`{"pipe": <aws.pipes.pipe-name>}`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v := r.vars(with); !v.IngestionTime.Equal(at) || v.PipeName != r.Pipe.Name {
		t.Errorf("vars(%s) = %+v; want IngestionTime %s and the pipe's name", with, v, at)
	}
	if v := r.vars(without); !v.IngestionTime.IsZero() {
		t.Errorf("vars(%s).IngestionTime = %s; want zero (the clock is not read)", without, v.IngestionTime)
	}
}

// TestMatchByEventName: a pipe whose filters only ask for eventNames filters records by their
// EventName, as the filters would on their JSON.
func TestMatchByEventName(t *testing.T) {
	p := testPipe(t, "http://127.0.0.1:1", setup{})
	for _, pattern := range []string{`{"eventName": ["INSERT", "MODIFY"]}`, `{"eventName": ["REMOVE"]}`, `{"eventName": [{"prefix": "MOD"}]}`} {
		f, err := filter.CompileFilters([]string{pattern}, filter.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p.Filters = f
		d := newDispatcher(&Runner{Pipe: p})
		for i, name := range []string{"INSERT", "MODIFY", "REMOVE"} {
			rec := record(i, name, "Paris", time.Unix(1722360292, 0))
			if got, want := d.match(rec), f.Match(rec.Doc); got != want {
				t.Errorf("filter %s: match(%s) = %t; Filters.Match says %t", pattern, name, got, want)
			}
		}
		if _, _, ok := f.TopStrings(); ok != (d.eventNames != nil) {
			t.Errorf("filter %s: eventNames %q; want them exactly when TopStrings holds", pattern, d.eventNames)
		}
	}
}
