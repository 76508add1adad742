package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/pipe"
)

// TestResumeAcrossDynamoDBLocalRestart: DynamoDB Local keeps its data in a database file; pipesim
// and DynamoDB Local are both stopped and started again. The pipe (TRIM_HORIZON) resumes after
// its checkpoint: the second run delivers only the records written after the first, none lost.
func TestResumeAcrossDynamoDBLocalRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "db")
	if err := os.MkdirAll(dbPath, 0o755); err != nil {
		t.Fatal(err)
	}
	pipes := filepath.Join(dir, "pipes.yaml")
	text := strings.Replace(fmt.Sprintf(faultPipes, "restart", 0, -1), "StartingPosition: LATEST", "StartingPosition: TRIM_HORIZON", 1)
	if err := os.WriteFile(pipes, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	first := runRestartPhase(t, dbPath, pipes, dir, 0)
	second := runRestartPhase(t, dbPath, pipes, dir, 10)
	if len(first) != 10 {
		t.Errorf("first run delivered %v; want 10 records", first)
	}
	for _, k := range second {
		if !strings.HasPrefix(k, "item-1") || len(k) != len("item-10") {
			t.Errorf("second run delivered %s, written before the restart: the checkpoint was not used", k)
		}
	}
	if len(second) != 10 {
		t.Errorf("second run delivered %v; want the 10 new records", second)
	}
}

// runRestartPhase starts DynamoDB Local on dbPath and pipesim, writes items from..from+9, waits
// until they are delivered, and stops both. It returns the keys delivered in this phase.
func runRestartPhase(t *testing.T, dbPath, pipes, dir string, from int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	inst, err := ddblocal.Start(ctx, ddblocal.Options{DBPath: dbPath, NoDocker: true})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	var mu sync.Mutex
	var keys []string
	var lastSeq string
	s, err := Start(ctx, Options{PipesFile: pipes, DynamoDBEndpoint: inst.Endpoint, StateDir: filepath.Join(dir, "state"),
		PollInterval: 50 * time.Millisecond, Lookup: func(string) (string, bool) { return "", false },
		Retry: pipe.Options{Backoff: 10 * time.Millisecond},
		Trace: func(e pipe.Execution) {
			if e.Outcome == pipe.OutcomeSucceeded {
				mu.Lock()
				u, _ := url.Parse(e.Request.URL)
				keys = append(keys, u.Query().Get("key"))
				lastSeq = e.Records[len(e.Records)-1].SequenceNumber
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- s.Run(runCtx, func() { close(ready) }) }()
	<-ready
	for i := from; i < from+10; i++ {
		item := map[string]types.AttributeValue{"Location": &types.AttributeValueMemberS{Value: fmt.Sprintf("item-%02d", i)}}
		if _, err := s.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("restart"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	for {
		mu.Lock()
		n := len(keys)
		mu.Unlock()
		if n >= 10 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("phase from %d: delivered %v before the deadline", from, keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Stop once the checkpoint holds the last delivery, not after a while: stopped earlier, the
	// next phase would rightly deliver the last batch again.
	mu.Lock()
	last := lastSeq
	mu.Unlock()
	for !checkpointHolds(filepath.Join(dir, "state", "checkpoints", "restart-pipe.json"), last) {
		if ctx.Err() != nil {
			t.Fatalf("phase from %d: the checkpoint never reached sequence number %s", from, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), keys...)
}

// checkpointHolds reports whether the checkpoint file at path has seq as a shard's checkpoint.
func checkpointHolds(path, seq string) bool {
	raw, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var f struct{ Shards map[string]string }
	if json.Unmarshal(raw, &f) != nil {
		return false
	}
	for _, s := range f.Shards {
		if s == seq {
			return true
		}
	}
	return false
}
