package pipe

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestLogFileRotates writes ten times the size limit: the log and its rotated files never hold
// more than (keep+1) × the limit, each file at most the limit, and the newest lines are kept.
func TestLogFileRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "group", "p.jsonl")
	const maxBytes, keep = 1000, 2
	l, err := OpenLogFile(path, maxBytes, keep)
	if err != nil {
		t.Fatal(err)
	}
	var last string
	for i := range 200 { // 50-byte lines: 10,000 bytes
		last = fmt.Sprintf("{\"line\":%06d,\"pad\":\"%s\"}\n", i, bytes.Repeat([]byte("x"), 27))
		if _, err := l.Write([]byte(last)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(path + "*")
	if len(files) != keep+1 {
		t.Errorf("files %v; want the log and %d rotated ones", files, keep)
	}
	total := 0
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > maxBytes {
			t.Errorf("%s holds %d bytes; want at most %d", f, st.Size(), maxBytes)
		}
		total += int(st.Size())
	}
	if total > (keep+1)*maxBytes {
		t.Errorf("the logs hold %d bytes; want at most %d", total, (keep+1)*maxBytes)
	}
	data, _ := os.ReadFile(path)
	if !bytes.HasSuffix(data, []byte(last)) {
		t.Errorf("%s ends with %q; want the last line written", path, data[max(0, len(data)-60):])
	}
	// Reopened, the log appends to what is there and still rotates at the limit.
	l, err = OpenLogFile(path, maxBytes, keep)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for range 30 {
		l.Write([]byte(last))
	}
	if st, _ := os.Stat(path); st.Size() > maxBytes {
		t.Errorf("after reopening, %s holds %d bytes; want at most %d", path, st.Size(), maxBytes)
	}
}
