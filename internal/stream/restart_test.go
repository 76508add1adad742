package stream

import (
	"net/url"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/google/go-cmp/cmp"
	"github.com/pipesim/pipesim/internal/ddblocal"
)

// startLocal starts a DynamoDB Local of the test's own on a database file.
func startLocal(t *testing.T, dbPath string, port int) (*ddblocal.Instance, *dynamodb.Client, *dynamodbstreams.Client) {
	t.Helper()
	inst, err := ddblocal.Start(t.Context(), ddblocal.Options{NoDocker: true, DBPath: dbPath, Port: port})
	if err != nil {
		t.Fatalf("ddblocal.Start(DBPath %s) error: %v", dbPath, err)
	}
	t.Cleanup(func() { inst.Close() })
	db, st, err := ddblocal.Client(t.Context(), inst.Endpoint, "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	return inst, db, st
}

// TestResumeAcrossDynamoDBLocalRestart restarts DynamoDB Local (run with a
// database file) under a running Source, then resumes a fresh Source from
// the checkpoints: nothing is lost.
func TestResumeAcrossDynamoDBLocalRestart(t *testing.T) {
	t.Setenv(ddblocal.EnvEndpoint, "") // this test needs a DynamoDB Local of its own
	dbPath := filepath.Join(t.TempDir(), "db")
	inst, db, st := startLocal(t, dbPath, 0)
	u, err := url.Parse(inst.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	table := uniqueName(t, "t")
	arn := createTable(t, db, table, ddbtypes.StreamViewTypeNewAndOldImages)
	store := &MemoryCheckpoints{}
	cfg := Config{StreamARN: arn, StartingPosition: Latest, BatchSize: 2, Checkpoints: store}
	running := connect(t, st, cfg)
	put(t, db, table, "k", 0)
	put(t, db, table, "k", 1)
	before := values(t, readRecords(t, running, 2))

	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	_, db, _ = startLocal(t, dbPath, port)
	put(t, db, table, "k", 2)
	during := values(t, readRecords(t, running, 1))
	running.Close()

	put(t, db, table, "k", 3)
	resumed := connect(t, st, cfg)
	after := values(t, readRecords(t, resumed, 1))
	got := append(append(before, during...), after...)
	if want := []string{"k=0", "k=1", "k=2", "k=3"}; !cmp.Equal(got, want) {
		t.Errorf("read across the restart %v; want %v", got, want)
	}
	if again, err := ResolveStreamARN(t.Context(), db, table); err != nil || again != arn {
		t.Errorf("stream ARN after restart = %s, %v; want %s (kept in the database file)", again, err, arn)
	}
}
