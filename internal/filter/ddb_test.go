package filter

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// ddbCase is one line of testdata/ddb_cases.jsonl: a pipe filter applied to a
// Pipes-shaped DynamoDB stream record, or a filter Pipes rejects, with where
// the expectation comes from.
type ddbCase struct {
	Name    string          `json:"name"`
	Source  string          `json:"source"`
	Pattern string          `json:"pattern"`
	Event   json.RawMessage `json:"event"`
	Match   bool            `json:"match"`
	Error   string          `json:"error"` // set: CompileFilters must fail with this text
}

func TestDynamoDBRecords(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "ddb_cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var c ddbCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("ddb_cases.jsonl line %d: %v", n+1, err)
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			fs, err := CompileFilters([]string{c.Pattern}, Options{})
			if c.Error != "" {
				if err == nil || !strings.Contains(err.Error(), c.Error) {
					t.Errorf("CompileFilters(%q) = %v; want an error with %q (%s)", c.Pattern, err, c.Error, c.Source)
				}
				return
			}
			if err != nil {
				t.Fatalf("CompileFilters(%q) = %v (%s)", c.Pattern, err, c.Source)
			}
			if got := fs.Match(rawjson.New(c.Event)); got != c.Match {
				t.Errorf("Filters(%s).Match(%s) = %v; want %v (%s)", c.Pattern, c.Event, got, c.Match, c.Source)
			}
			// again behind other filters, so the record is read once for all
			patterns := append(append([]string(nil), memoWarmers...), c.Pattern)
			shared, err := CompileFilters(patterns, Options{})
			if err != nil {
				t.Fatalf("CompileFilters(%q) = %v", patterns, err)
			}
			if got := shared.Match(rawjson.New(c.Event)); got != c.Match {
				t.Errorf("Filters(%q).Match(%s) = %v; want %v (%s)", patterns, c.Event, got, c.Match, c.Source)
			}
		})
	}
	if n == 0 {
		t.Fatal("no cases in ddb_cases.jsonl")
	}
}
