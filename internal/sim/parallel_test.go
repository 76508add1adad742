package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/pipe"
)

const parallelPipes = `
Tables:
  - TableName: parallel
    AttributeDefinitions: [{AttributeName: Location, AttributeType: S}]
    KeySchema: [{AttributeName: Location, KeyType: HASH}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}
Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: k}}}
ApiDestinations:
  - {Name: put, ConnectionArn: c1, InvocationEndpoint: "%s/cache/*", HttpMethod: PUT}
Pipes:
  - Name: parallel-pipe
    Source: parallel
    SourceParameters:
      DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 1, ParallelizationFactor: 4}
    Target: put
    TargetParameters:
      InputTemplate: '<$.dynamodb.NewImage.Version.N>'
      HttpParameters:
        PathParameterValues: [cache1]
        QueryStringParameters: {key: $.dynamodb.Keys.Location.S}
`

// TestParallelizationFactor: with ParallelizationFactor 4 and batches of one, records of
// different keys are delivered concurrently from the one shard, each key's in order.
func TestParallelizationFactor(t *testing.T) {
	t.Parallel()
	endpoint := ddblocaltest.Endpoint(t)
	var inFlight, maxInFlight atomic.Int32
	var mu sync.Mutex
	got := map[string][]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
		}
		time.Sleep(30 * time.Millisecond)
		body, _ := io.ReadAll(r.Body)
		v, _ := strconv.Atoi(strings.Trim(string(body), `"`))
		mu.Lock()
		got[r.URL.Query().Get("key")] = append(got[r.URL.Query().Get("key")], v)
		mu.Unlock()
		inFlight.Add(-1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "pipes.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(parallelPipes, srv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := Start(ctx, Options{PipesFile: path, DynamoDBEndpoint: endpoint, StateDir: filepath.Join(dir, "state"),
		PollInterval: 50 * time.Millisecond, Lookup: func(string) (string, bool) { return "", false }, Retry: pipe.Options{Backoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- s.Run(ctx, func() { close(ready) }) }()
	<-ready
	const keys, versions = 8, 5
	for v := 1; v <= versions; v++ {
		for k := range keys {
			item := map[string]types.AttributeValue{"Location": &types.AttributeValueMemberS{Value: fmt.Sprintf("k%d", k)},
				"Version": &types.AttributeValueMemberN{Value: strconv.Itoa(v)}}
			if _, err := s.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("parallel"), Item: item}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for {
		mu.Lock()
		n := 0
		for _, vs := range got {
			n += len(vs)
		}
		mu.Unlock()
		if n >= keys*versions {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("delivered %d of %d", n, keys*versions)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if maxInFlight.Load() < 2 {
		t.Errorf("at most %d request(s) in flight; want concurrency from ParallelizationFactor 4", maxInFlight.Load())
	}
	for key, vs := range got {
		for i, v := range vs {
			if v != i+1 {
				t.Errorf("key %s: versions %v; want 1..%d in order", key, vs, versions)
				break
			}
		}
	}
}
