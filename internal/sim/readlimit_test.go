package sim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/check"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/stream"
)

// pipesOnOneTable writes a pipes file of one table read by the named pipes, each sending a
// record's key to target/cache/<pipe name>, and returns its path.
func pipesOnOneTable(t *testing.T, table, target string, pipes ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `Tables:
  - TableName: %[1]s
    AttributeDefinitions: [{AttributeName: Location, AttributeType: S}]
    KeySchema: [{AttributeName: Location, KeyType: HASH}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}
Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: k}}}
ApiDestinations:
  - {Name: put, ConnectionArn: c1, InvocationEndpoint: "%[2]s/cache/*", HttpMethod: PUT}
Pipes:
`, table, target)
	for _, p := range pipes {
		fmt.Fprintf(&b, `  - Name: %[1]s
    Source: %[2]s
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 1}}
    Target: put
    TargetParameters:
      InputTemplate: '<$.dynamodb.Keys.Location.S>'
      HttpParameters: {PathParameterValues: [%[1]s]}
`, p, table)
	}
	path := filepath.Join(t.TempDir(), "pipes.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tableName gives a test a table of its own in the shared DynamoDB Local.
func tableName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// getRecordsCounter is a reverse proxy in front of DynamoDB Local that counts the GetRecords
// calls reaching it.
type getRecordsCounter struct {
	next  http.Handler
	calls atomic.Int64
}

func newGetRecordsCounter(t *testing.T, endpoint string) (*getRecordsCounter, string) {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	c := &getRecordsCounter{next: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv.URL
}

func (c *getRecordsCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetRecords") {
		c.calls.Add(1)
	}
	c.next.ServeHTTP(w, r)
}

// deliveries records the keys each pipe delivered, in order.
type deliveries struct {
	mu   sync.Mutex
	keys map[string][]string // by pipe
}

func (d *deliveries) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	d.mu.Lock()
	name := strings.TrimPrefix(r.URL.Path, "/cache/")
	d.keys[name] = append(d.keys[name], strings.Trim(body.String(), `"`))
	d.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (d *deliveries) of(pipe string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.keys[pipe])
}

// TestReadLimitSharedByEveryPipe: three pipes on one stream, each polling four times a second, get
// the stream's one shard's five GetRecords calls a second between them (one limiter for the
// process, not one per pipe), and each still delivers every record, in order. The bound holds
// however slow the machine is: at most five calls in any second since the pipes started.
func TestReadLimitSharedByEveryPipe(t *testing.T) {
	t.Parallel()
	counter, endpoint := newGetRecordsCounter(t, ddblocaltest.Endpoint(t))
	got := &deliveries{keys: map[string][]string{}}
	target := httptest.NewServer(got)
	defer target.Close()
	table := tableName("read-limit")
	pipes := []string{"first", "second", "third"}
	var logs bytes.Buffer
	var logMu sync.Mutex
	var findings []check.Finding // what run prints at start (pipesim check)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{PipesFile: pipesOnOneTable(t, table, target.URL, pipes...), DynamoDBEndpoint: endpoint,
		StateDir: t.TempDir(), StreamReadLimit: stream.DefaultReadLimit, Lookup: func(string) (string, bool) { return "", false },
		Retry: pipe.Options{Backoff: time.Millisecond}, Logger: slog.New(slog.NewTextHandler(lockedBuffer{&logMu, &logs}, nil)),
		Loaded: func(cfg *config.Config) { findings = check.Design(cfg) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	started := time.Now() // before the first GetRecords: Start makes none
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- s.Run(ctx, func() { close(ready) }) }()
	<-ready
	keys := []string{"a", "b", "c"}
	for _, k := range keys {
		item := map[string]types.AttributeValue{"Location": &types.AttributeValueMemberS{Value: k}}
		if _, err := s.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool {
		for _, p := range pipes {
			if len(got.of(p)) < len(keys) {
				return false
			}
		}
		return true
	})
	// Give the readers three seconds of polling at least, so that readers not sharing one limit
	// (twelve calls a second) would go well over the bound.
	time.Sleep(time.Until(started.Add(3 * time.Second)))
	cancel()
	<-done
	elapsed := time.Since(started)

	for _, p := range pipes {
		if d := got.of(p); !slices.Equal(d, keys) {
			t.Errorf("pipe %s delivered %v; want %v (nothing lost, skipped or repeated)", p, d, keys)
		}
	}
	seconds := int((elapsed + time.Second - 1) / time.Second)
	if calls := counter.calls.Load(); calls > int64(stream.DefaultReadLimit*seconds) {
		t.Errorf("%d GetRecords reached DynamoDB Local in %s from three pipes; want at most %d (%d a second on the one shard, shared by every pipe)",
			calls, elapsed.Round(time.Millisecond), stream.DefaultReadLimit*seconds, stream.DefaultReadLimit)
	}
	// More pipes on a stream than DynamoDB Streams advises: pipesim check's PS009, which run
	// prints at start (Options.Loaded) naming the table and the pipes.
	var ps009 []string
	for _, f := range findings {
		if f.Code == "PS009" {
			ps009 = append(ps009, f.String())
		}
	}
	if len(ps009) != 1 || !strings.Contains(ps009[0], `pipes "first", "second", "third": Source: 3 pipes read the stream of table `+table) {
		t.Errorf("PS009 findings = %q; want one naming the three pipes and table %s", ps009, table)
	}
}

type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
