package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

const killPipes = `
Tables:
  - TableName: kill-test
    AttributeDefinitions: [{AttributeName: Location, AttributeType: S}]
    KeySchema: [{AttributeName: Location, KeyType: HASH}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}
Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: k}}}
ApiDestinations:
  - {Name: put, ConnectionArn: c1, InvocationEndpoint: "${MOMENTO_API_ENDPOINT}/cache/*", HttpMethod: PUT}
Pipes:
  - Name: kill-test-pipe
    Source: kill-test
    SourceParameters:
      DynamoDBStreamParameters: {StartingPosition: TRIM_HORIZON, BatchSize: 10}
    Target: put
    TargetParameters:
      InputTemplate: '{"key": <$.dynamodb.Keys.Location.S>, "version": <$.dynamodb.NewImage.Version.N>}'
      HttpParameters: {PathParameterValues: [cache1]}
`

// deliveries records the (key, version) pairs delivered, tagged with the pipesim run (1 or 2).
type deliveries struct {
	mu   sync.Mutex
	run  int
	got  map[int]map[string][]int
	seen int
}

func (d *deliveries) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var items []struct {
		Key     string `json:"key"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(body, &items); err != nil {
		var one struct{ Key, Version string }
		if err := json.Unmarshal(body, &one); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		items = append(items, struct {
			Key     string `json:"key"`
			Version string `json:"version"`
		}{one.Key, one.Version})
	}
	d.mu.Lock()
	for _, it := range items {
		v, _ := strconv.Atoi(it.Version)
		d.got[d.run][it.Key] = append(d.got[d.run][it.Key], v)
		d.seen++
	}
	d.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (d *deliveries) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seen
}

// TestKillAndRestart: pipesim is killed with SIGKILL in the middle of 1,000 updates and
// restarted with the same state directory. Every update must be delivered at least once, in
// order per key, and none lost.
func TestKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pipesim and runs it twice")
	}
	endpoint := ddblocaltest.Endpoint(t)
	dir := t.TempDir()
	bin := buildPipesim(t)
	pipes := filepath.Join(dir, "pipes.yaml")
	if err := os.WriteFile(pipes, []byte(killPipes), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &deliveries{run: 1, got: map[int]map[string][]int{1: {}, 2: {}}}
	srv := httptest.NewServer(d)
	defer srv.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "run", "--pipes", pipes, "--dynamodb-endpoint", endpoint, "--state-dir", filepath.Join(dir, "state"),
			"--poll-interval", "50ms", "--quiet", "--allow-batching")
		cmd.Env = append(os.Environ(), "MOMENTO_API_ENDPOINT="+srv.URL)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := start()
	db := waitForTable(t, endpoint, "kill-test")
	const keys, updates = 10, 1000
	writeErr := make(chan error, 1)
	go func() { writeErr <- writeVersions(db, keys, updates) }()
	waitUntil(t, func() bool { return d.count() >= 300 })
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	d.mu.Lock()
	d.run = 2
	d.mu.Unlock()
	second := start()
	stopped := false
	defer func() {
		if !stopped {
			_ = second.Process.Kill()
			_ = second.Wait()
		}
	}()
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return lastVersionsDelivered(d, keys, updates/keys) })
	checkNoneLostInOrder(t, d, keys, updates/keys)
	// Ctrl-C stops pipesim cleanly: exit status 0.
	if err := second.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("pipesim run after SIGINT: %v; want exit status 0", err)
	}
	stopped = true
	t.Logf("delivered %d records: %d before SIGKILL, %d after restart", d.count(), d.count()-countRun(d, 2), countRun(d, 2))
}

func countRun(d *deliveries, run int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, vs := range d.got[run] {
		n += len(vs)
	}
	return n
}

func waitForTable(t *testing.T, endpoint, table string) *dynamodb.Client {
	t.Helper()
	db, _, err := ddblocal.Client(context.Background(), endpoint, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		out, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		return err == nil && out.Table.TableStatus == types.TableStatusActive
	})
	return db
}

// writeVersions writes versions 1..updates/keys of each key, interleaving keys.
func writeVersions(db *dynamodb.Client, keys, updates int) error {
	for i := range updates {
		key, version := fmt.Sprintf("city-%d", i%keys), i/keys+1
		_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("kill-test"), Item: map[string]types.AttributeValue{
			"Location": &types.AttributeValueMemberS{Value: key}, "Version": &types.AttributeValueMemberN{Value: strconv.Itoa(version)}}})
		if err != nil {
			return err
		}
	}
	return nil
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func lastVersionsDelivered(d *deliveries, keys, perKey int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range keys {
		key := fmt.Sprintf("city-%d", k)
		if max(lastOf(d.got[1][key]), lastOf(d.got[2][key])) != perKey {
			return false
		}
	}
	return true
}

// checkNoneLostInOrder: within each run, each key's versions arrive strictly in order and
// without gaps; the second run starts no later than where the first stopped (a redelivered
// in-flight batch is allowed), and together the runs cover every version.
func checkNoneLostInOrder(t *testing.T, d *deliveries, keys, perKey int) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range keys {
		key := fmt.Sprintf("city-%d", k)
		run1, run2 := d.got[1][key], d.got[2][key]
		for _, vs := range [][]int{run1, run2} {
			for i := 1; i < len(vs); i++ {
				if vs[i] != vs[i-1]+1 {
					t.Errorf("%s: versions %v are not consecutive", key, vs)
					break
				}
			}
		}
		last1 := 0
		if len(run1) > 0 {
			last1 = run1[len(run1)-1]
			if run1[0] != 1 {
				t.Errorf("%s: first run started at version %d", key, run1[0])
			}
		}
		if len(run2) > 0 && run2[0] > last1+1 {
			t.Errorf("%s: lost versions %d..%d across the restart", key, last1+1, run2[0]-1)
		}
		if len(run2) > 0 && last1 >= run2[0] && last1-run2[0] >= 10 {
			t.Errorf("%s: %d versions delivered twice; at most the in-flight batch should be", key, last1-run2[0]+1)
		}
		if max(last1, lastOf(run2)) != perKey {
			t.Errorf("%s: last version delivered %d; want %d", key, max(last1, lastOf(run2)), perKey)
		}
	}
}

func lastOf(vs []int) int {
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1]
}
