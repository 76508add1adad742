package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		out  []string // lines stdout must have
	}{
		{"seed", nil, 0, []string{"PS007 warning: pipe \"weather-stats-demo-topic-publish-pipe\"", "embedded weather-stats pipes file: 3 pipes, 3 warnings"}},
		{"seed file", []string{"--pipes", "../../testdata/weather-stats/pipes.yaml"}, 0, []string{"pipes.yaml: 3 pipes, 3 warnings"}},
		{"seed template", []string{"--template", "../../testdata/weather-stats/weather-stats.template.json", "--momento-parameters", "MomentoApiEndpoint,MomentoApiKey"}, 0, []string{"PS008 warning", "3 pipes, 3 warnings"}},
		{"errors", []string{"--pipes", "../../internal/check/testdata/filters.yaml"}, 1, []string{"PS001 error", "2 pipes, 8 errors"}},
		{"clean", []string{"--pipes", "../../internal/check/testdata/clean.yaml"}, 0, []string{"clean.yaml: 1 pipe, no findings"}},
		{"unsupported refused", []string{"--pipes", "../../internal/check/testdata/unsupported.yaml"}, 1, nil},
		{"unsupported allowed", []string{"--pipes", "../../internal/check/testdata/unsupported.yaml", "--allow-unsupported-filters"}, 0, []string{"PS014 warning"}},
		{"bad flag", []string{"--no-such-flag"}, 2, nil},
		{"argument", []string{"pipes.yaml"}, 2, nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("MOMENTO_API_ENDPOINT", "")
			t.Setenv("MOMENTO_API_KEY", "")
			s, out, stderr := testStreams()
			err := (&checkCmd{streams: s}).Run(context.Background(), tt.args)
			if code := exitCode(err, stderr); code != tt.code {
				t.Fatalf("pipesim check %q exits %d; want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.code, out, stderr)
			}
			for _, want := range tt.out {
				if !strings.Contains(out.String(), want) {
					t.Errorf("pipesim check %q printed:\n%s\nwant %q", tt.args, out, want)
				}
			}
		})
	}
}

// TestFindingsAtStart: the commands that run pipes print the design's findings first. replay
// --dry-run needs no DynamoDB Local; run and demo print through the same function when the
// design loads (sim.Options.Loaded).
func TestFindingsAtStart(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", "")
	s, _, stderr := testStreams()
	err := (&replayCmd{streams: s}).Run(context.Background(), []string{"--records", "../../testdata/replay/seed.jsonl",
		"--dry-run", "--out", filepath.Join(t.TempDir(), "out.jsonl")})
	if err != nil {
		t.Fatalf("pipesim replay --dry-run = %v\n%s", err, stderr)
	}
	for _, want := range []string{"pipesim: PS009 warning: pipes ", "pipesim:     fix: ", "pipesim: embedded weather-stats pipes file: 3 warnings (pipesim check explains; docs/check.md)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("pipesim replay stderr:\n%s\nwant %q", stderr, want)
		}
	}
	s, _, stderr = testStreams()
	if err := (&testCmd{streams: s}).Run(context.Background(), []string{"../../testdata/weather-stats/pipes_test.yaml"}); err != nil {
		t.Fatalf("pipesim test = %v", err)
	}
	if got := strings.Count(stderr.String(), "3 warnings (pipesim check explains"); got != 1 {
		t.Errorf("pipesim test printed the findings %d times; want once:\n%s", got, stderr)
	}
}

func TestCheckBadDesign(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipes.yaml")
	if err := os.WriteFile(path, []byte("Pipes: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _, stderr := testStreams()
	err := (&checkCmd{streams: s}).Run(context.Background(), []string{"--pipes", path})
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		t.Fatalf("pipesim check of a design that does not load = %v; want its load error (exit 1)", err)
	}
	if !strings.Contains(err.Error(), "no pipe defined") {
		t.Errorf("pipesim check error = %v\n%s", err, stderr)
	}
}
