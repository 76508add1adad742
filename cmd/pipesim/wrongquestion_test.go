package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTransformTemplateFileWithoutScheme: --input-template t.json renders the text "t.json"
// (as AWS would), and says that a file of that name exists.
func TestTransformTemplateFileWithoutScheme(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("t.json", []byte(`{"k": <$.dynamodb.Keys.Location.S>}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("e.json", []byte(transformRecord), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runTransform(t, "--input-template", "t.json", "--event", "file://e.json")
	if err != nil || out != "t.json" {
		t.Fatalf("pipesim transform --input-template t.json = %q, %v; want the text t.json itself", out, err)
	}
	if !strings.Contains(stderr, `warning: --input-template "t.json" is used as the template's text; a file of that name exists: give file://t.json`) {
		t.Errorf("stderr = %q; want the warning", stderr)
	}
	_, _, err = runTransform(t, "--input-template", "file://t.json", "--event", "e.json")
	if err == nil || !strings.Contains(err.Error(), `a file named "e.json" exists: give file://e.json`) {
		t.Errorf("pipesim transform --event e.json = %v; want the error to point at file://e.json", err)
	}
	_, stderr, err = runTransform(t, "--input-template", "file://t.json", "--event", "file://e.json")
	if err != nil || stderr != "" {
		t.Errorf("pipesim transform with file:// = %v, stderr %q; want no warning", err, stderr)
	}
}

// TestTransformNamesAbsentPaths: a path the record lacks is named on stderr; the body is as AWS
// renders it.
func TestTransformNamesAbsentPaths(t *testing.T) {
	out, stderr, err := runTransform(t, "--input-template", `{"k": <$.dynamodb.Keys.Location.S>, "max": <$.dynamodb.NewImage.MaxTemp.N>}`, "--event", transformRecord)
	if err != nil || out != `{"k": "San Diego", "max": ""}` {
		t.Fatalf("pipesim transform = %q, %v", out, err)
	}
	if want := "pipesim: absent from the record, rendered as --missing aws says: $.dynamodb.NewImage.MaxTemp.N\n"; stderr != want {
		t.Errorf("stderr = %q; want %q", stderr, want)
	}
}

// TestReplayWarnsOfUnreadTable: records captured from a table no pipe reads go through every
// pipe anyway, as if each read that stream; replay says so, once per table.
func TestReplayWarnsOfUnreadTable(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", "")
	seed, err := os.ReadFile("../../testdata/replay/seed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	orders := strings.ReplaceAll(string(seed), "table/weather-stats-demo/", "table/orders/")
	path := filepath.Join(t.TempDir(), "orders.jsonl")
	if err := os.WriteFile(path, []byte(orders), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		records string
		want    int
	}{{path, 1}, {"../../testdata/replay/seed.jsonl", 0}} {
		s, _, stderr := testStreams()
		err := (&replayCmd{streams: s}).Run(context.Background(), []string{"--records", tt.records, "--dry-run", "--out", filepath.Join(t.TempDir(), "out.jsonl")})
		if err != nil {
			t.Fatalf("pipesim replay = %v\n%s", err, stderr)
		}
		got := strings.Count(stderr.String(), "warning: records of table orders (arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/")
		if got != tt.want || tt.want == 1 && !strings.Contains(stderr.String(), "which no pipe reads: every pipe gets them anyway, as if it read that table's stream (the pipes read weather-stats-demo)") {
			t.Errorf("pipesim replay --records %s warned %d times; want %d:\n%s", tt.records, got, tt.want, stderr)
		}
	}
}
