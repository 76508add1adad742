package check

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim"
	"github.com/pipesim/pipesim/internal/config"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// lookup gives the designs' ${VAR}s fixed values.
func lookup(name string) (string, bool) {
	switch name {
	case "MOMENTO_API_ENDPOINT":
		return "http://127.0.0.1:1", true
	case "MOMENTO_API_KEY":
		return "test-key", true
	}
	return "", false
}

// render is what check prints for a design.
func render(t *testing.T, cfg *config.Config) string {
	t.Helper()
	var b bytes.Buffer
	fs := Design(cfg)
	if err := Write(&b, "", false, fs); err != nil {
		t.Fatal(err)
	}
	b.WriteString(Summary(fs) + "\n")
	return b.String()
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestDesigns checks each design under testdata against its golden findings; each design's
// comment says which findings it has.
func TestDesigns(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no designs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := config.Load(f, config.Options{Lookup: lookup, AllowUnsupported: strings.Contains(f, "unsupported")})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(f, ".yaml")+".golden", render(t, cfg))
		})
	}
}

// TestSeed checks the embedded weather-stats design: the three findings (three pipes on
// one stream, the topic pipe's NewImage on REMOVE, the cache-put pipe's ttl_seconds).
func TestSeed(t *testing.T) {
	cfg, err := config.Parse("seed", pipesim.SeedPipes, config.Options{Lookup: lookup})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/seed.golden", render(t, cfg))
}

// TestRulesDocumented keeps docs/check.md and Rules together: every rule has its row, with its
// severity and its source, and the table lists no other code.
func TestRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/check.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| PS") {
			code, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " ")
			rows[code] = line
		}
	}
	for i, r := range Rules {
		if want := fmt.Sprintf("PS%03d", i+1); r.Code != want {
			t.Errorf("Rules[%d].Code = %s; want %s (in order, none skipped)", i, r.Code, want)
		}
		row, ok := rows[r.Code]
		if !ok {
			t.Errorf("docs/check.md has no row for %s", r.Code)
			continue
		}
		if !strings.Contains(row, "| "+r.Severity.String()+" |") || !strings.Contains(row, r.Source) {
			t.Errorf("docs/check.md's row for %s lacks severity %s or source %s", r.Code, r.Severity, r.Source)
		}
		delete(rows, r.Code)
	}
	for code := range rows {
		t.Errorf("docs/check.md lists %s, which Rules does not have", code)
	}
}

// TestEveryRuleTested makes sure each rule shows in some golden file.
func TestEveryRuleTested(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.golden")
	var all strings.Builder
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all.Write(b)
	}
	for _, r := range Rules {
		if !strings.Contains(all.String(), r.Code+" "+r.Severity.String()+":") {
			t.Errorf("no golden file has a %s finding", r.Code)
		}
	}
}

func TestWriteColour(t *testing.T) {
	fs := []Finding{finding("PS001", `pipe "p"`, "F", "do this", "bad"), finding("PS009", `pipes "a"`, "Source", "", "many")}
	var b bytes.Buffer
	if err := Write(&b, "", true, fs); err != nil {
		t.Fatal(err)
	}
	want := "\x1b[31mPS001 error\x1b[0m: pipe \"p\": F: bad\n    \x1b[1mfix:\x1b[0m do this\n\x1b[33mPS009 warning\x1b[0m: pipes \"a\": Source: many\n"
	if b.String() != want {
		t.Errorf("Write(colour) = %q; want %q", b.String(), want)
	}
}
