package template

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/rawjson"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/template")

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// goldenCase is testdata/template/<case>/case.json: where the case comes from and how to run
// it. The template is in template.txt and the record in event.json, both byte for byte; the
// expected body is in want.out (or the expected error in want.err).
type goldenCase struct {
	Source   string `json:"source"`
	Missing  string `json:"missing,omitempty"`
	PipeName string `json:"pipe_name,omitempty"`
	PipeARN  string `json:"pipe_arn,omitempty"`
	Strip    bool   `json:"strip_objects,omitempty"`
}

// goldenVars are the reserved variables every golden case renders with, unless case.json
// names the pipe.
func goldenVars(c goldenCase) *Vars {
	name := "weather-stats-demo-topic-publish-pipe"
	if c.PipeName != "" {
		name = c.PipeName
	}
	arn := "arn:aws:pipes:us-east-1:000000000000:pipe/" + name
	if c.PipeARN != "" {
		arn = c.PipeARN
	}
	return &Vars{
		PipeARN:       arn,
		PipeName:      name,
		SourceARN:     "arn:aws:dynamodb:us-east-1:000000000000:table/weather-stats-demo/stream/2026-11-25T20:00:00.000",
		TargetARN:     "arn:aws:events:us-east-1:000000000000:api-destination/weather-stats-demo-topic-publish-api-destination/0f2a3b4c",
		IngestionTime: time.Date(2026, 11, 25, 20, 0, 0, 123456789, time.UTC),
	}
}

func TestGolden(t *testing.T) {
	root := filepath.Join(moduleRoot(t), "testdata", "template")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.IsDir() {
			t.Run(d.Name(), func(t *testing.T) { runGolden(t, filepath.Join(root, d.Name())) })
		}
	}
}

func runGolden(t *testing.T, dir string) {
	var c goldenCase
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("case.json: %v", err)
	}
	text := readGoldenFile(t, dir, "template.txt")
	event := []byte(readGoldenFile(t, dir, "event.json"))
	missing, err := ParseMissing(c.Missing)
	if err != nil {
		t.Fatal(err)
	}
	got, gotErr := renderGolden(text, event, Options{Missing: missing, StripObjectQuotes: c.Strip}, goldenVars(c))
	wantFile := "want.out"
	if gotErr != "" {
		wantFile, got = "want.err", gotErr
	}
	path := filepath.Join(dir, wantFile)
	if *update {
		os.Remove(filepath.Join(dir, "want.out"))
		os.Remove(filepath.Join(dir, "want.err"))
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("Render(%q) gave %s, but %v", text, wantFile, err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("Render(%q) = %q; want %q\n(-want +got):\n%s", text, got, want, diff)
	}
}

// renderGolden compiles and renders, returning the body or the error text.
func renderGolden(text string, event []byte, opts Options, vars *Vars) (string, string) {
	tpl, err := Compile(text, opts)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return "", "compile: not an *Error: " + err.Error()
		}
		return "", "compile: " + err.Error() + "\n"
	}
	out, err := tpl.Render(nil, rawjson.New(event), vars)
	if err != nil {
		return "", "render: " + err.Error() + "\n"
	}
	if tpl.IsJSON() && !json.Valid(out) {
		return "", "render: IsJSON template gave invalid JSON: " + string(out) + "\n"
	}
	return string(out), ""
}

func readGoldenFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
