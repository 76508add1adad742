package names

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestFile(t *testing.T) {
	dir := filepath.Join("state", "logs")
	cases := []struct {
		k          Kind
		name, ext  string
		want, fail string
	}{
		{k: LogGroup, name: "weather-stats-demo-logs-us-east-1", want: "state/logs/weather-stats-demo-logs-us-east-1"},
		{k: LogGroup, name: "/aws/vendedlogs/pipes/p#1", want: "state/logs/aws/vendedlogs/pipes/p#1"},
		{k: LogGroup, name: "a//b/", want: "state/logs/a/b"},
		{k: LogGroup, name: "...", want: "state/logs/..."},
		{k: LogGroup, name: "../../../escaped", fail: `log group name "../../../escaped": pipesim keeps it as a path, and a ".." segment would leave its directory`},
		{k: LogGroup, name: "a/./b", fail: `a "." segment`},
		{k: LogGroup, name: "/", fail: "does not make a path inside"},
		{k: LogGroup, name: "", fail: "want 1-512 characters"},
		{k: LogGroup, name: strings.Repeat("a", 513), fail: "want 1-512 characters"},
		{k: LogGroup, name: "a b", fail: "want 1-512 characters"},
		{k: LogGroup, name: `a\b`, fail: "want 1-512 characters"},
		{k: Queue, name: "weather-stats-demo-dlq", ext: ".json", want: "state/logs/weather-stats-demo-dlq.json"},
		{k: Queue, name: "../../etc/passwd", ext: ".json", fail: `queue name "../../etc/passwd": want 1-80 characters`},
		{k: Queue, name: "q.fifo", ext: ".json", fail: "want 1-80 characters"},
		{k: Pipe, name: "..", ext: ".json", fail: `pipe name "..": pipesim keeps it as a path`},
		{k: Pipe, name: "p.1", ext: ".jsonl", want: "state/logs/p.1.jsonl"},
		{k: Pipe, name: "a/b", ext: ".json", fail: "want 1-64 characters"},
		{k: Cache, name: "momento-eventbridge-cache", want: "state/logs/momento-eventbridge-cache"},
		{k: Cache, name: "..", fail: `a ".." segment`},
		{k: Cache, name: "a/b", fail: "want 1-255 characters, none of them '/'"},
		{k: Cache, name: "a\x00", fail: "want 1-255 characters"},
	}
	for _, c := range cases {
		got, err := File(dir, c.k, c.name, c.ext)
		if c.fail != "" {
			if err == nil || !strings.Contains(err.Error(), c.fail) {
				t.Errorf("File(%s %q) = %q, %v; want an error containing %q", c.k.what, c.name, got, err, c.fail)
			}
			continue
		}
		if err != nil || got != filepath.FromSlash(c.want) {
			t.Errorf("File(%s %q) = %q, %v; want %q", c.k.what, c.name, got, err, c.want)
		}
	}
}

// FuzzFile: whatever the name, a path File returns is inside its directory.
func FuzzFile(f *testing.F) {
	for _, s := range []string{"a", "../x", "/aws/x", "a/../../b", "..", ".", "#/./#", "//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, k := range []Kind{Pipe, Queue, LogGroup, Cache} {
			p, err := File("/state/dir", k, name, ".json")
			if err != nil {
				continue
			}
			if !strings.HasPrefix(p, "/state/dir/") || strings.Contains(p, "/../") || filepath.Clean(p) != p {
				t.Fatalf("File(%s %q) = %q: outside /state/dir or not clean", k.what, name, p)
			}
		}
	})
}
