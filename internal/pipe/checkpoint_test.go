package pipe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorruptCheckpoint: a checkpoint file that is not one stops the pipe with an error naming
// the file and saying how to start over; a pipe name that is not one makes no path.
func TestCorruptCheckpoint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p1.json")
	for _, content := range []string{`{"streamArn": "arn:one", "shards": {`, `[1, 2]`, `{"shards": {"s": 5}}`} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := OpenCheckpoints(dir, "p1", "arn:one")
		if err == nil || !strings.Contains(err.Error(), "checkpoint file "+path+" is corrupt") ||
			!strings.HasSuffix(err.Error(), "; delete it to start the pipe over from its StartingPosition, or start everything over with run --fresh (tables, checkpoints and dead letters)") {
			t.Errorf("OpenCheckpoints(%q) = %v; want an error naming the file and how to start over", content, err)
		}
	}
	if _, _, err := OpenCheckpoints(dir, "..", "arn:one"); err == nil || !strings.Contains(err.Error(), `pipe name ".."`) {
		t.Errorf(`OpenCheckpoints(pipe "..") = %v; want a pipe name error`, err)
	}
}
