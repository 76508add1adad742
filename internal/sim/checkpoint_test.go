package sim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

// TestCorruptCheckpointStopsRun: run stops before any pipe starts when a pipe's checkpoint file
// is corrupt, with an error naming the pipe and the file, and how to start over.
func TestCorruptCheckpointStopsRun(t *testing.T) {
	t.Parallel()
	endpoint := ddblocaltest.Endpoint(t)
	dir := t.TempDir()
	pipes := filepath.Join(dir, "pipes.yaml")
	if err := os.WriteFile(pipes, []byte(fmt.Sprintf(faultPipes, "corrupt-cp", 0, -1)), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	cp := filepath.Join(state, "checkpoints", "corrupt-cp-pipe.json")
	if err := os.MkdirAll(filepath.Dir(cp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, []byte(`{"streamArn": "arn`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{PipesFile: pipes, DynamoDBEndpoint: endpoint, StateDir: state,
		Lookup: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Run(ctx, nil)
	want := `pipe "corrupt-cp-pipe": checkpoint file ` + cp + ` is corrupt (unexpected end of JSON input); delete it to start the pipe over from its StartingPosition, or start everything over with run --fresh (tables, checkpoints and dead letters)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Run with a corrupt checkpoint = %v; want %q", err, want)
	}
}
