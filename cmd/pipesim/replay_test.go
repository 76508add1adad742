package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplayDryRunCommand(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "https://api.cache.example.com")
	t.Setenv("MOMENTO_API_KEY", "secret-key-0123456789")
	out := filepath.Join(t.TempDir(), "requests.jsonl")
	s, _, stderr := testStreams()
	err := (&replayCmd{streams: s}).Run(context.Background(), []string{"--pipes", "../../testdata/weather-stats/pipes.yaml",
		"--records", "../../testdata/replay/seed.jsonl", "--dry-run", "--out", out})
	if err != nil {
		t.Fatalf("pipesim replay --dry-run = %v\n%s", err, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../testdata/replay/seed-dry-run.golden")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("pipesim replay --dry-run wrote:\n%s\nwant testdata/replay/seed-dry-run.golden:\n%s", got, want)
	}
	for _, line := range []string{"line 3: not JSON (skipped)", "line 5: not a DynamoDB stream record: missing eventID (skipped)",
		"read 5 records (jsonl), skipped 2 as bad input", "weather-stats-demo-cache-put-pipe      3"} {
		if !strings.Contains(stderr.String(), line) {
			t.Errorf("pipesim replay stderr:\n%s\nwant it to contain %q", stderr, line)
		}
	}
	if strings.Contains(stderr.String()+string(got), "secret-key-0123456789") {
		t.Errorf("pipesim replay printed the API key")
	}
}

func TestReplayCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--dry-run"}, 2, "--records is required"},
		{[]string{"--records", "x", "--speed", "fast"}, 2, `speed "fast"`},
		{[]string{"--records", "x", "--format", "csv"}, 2, `input form "csv"`},
		{[]string{"--records", "x", "--clock", "now"}, 2, `--clock "now"`},
		{[]string{"--records", "x", "--missing", "bogus"}, 2, `--missing: missing-path mode "bogus"`}, // before Momento starts
		{[]string{"--records", "../../testdata/replay/seed.jsonl", "--dry-run", "--strict"}, 1, "bad input: line 3: not JSON"},
		{[]string{"--records", "no-such-file", "--dry-run"}, 1, "no such file"},
	}
	for _, c := range cases {
		s, _, _ := testStreams()
		err := (&replayCmd{streams: s}).Run(context.Background(), c.args)
		code := exitCode(err, s.stderr)
		var ee *exitError
		if errors.As(err, &ee) {
			err = ee.err
		}
		if code != c.code || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("pipesim replay %q = exit %d, %v; want exit %d, error containing %q", c.args, code, err, c.code, c.want)
		}
	}
}

// TestReplayAllowBatching: replay takes the same config switches as run: BatchSize 2 is rejected
// as on AWS, and accepted with --allow-batching, each batch then one JSON array.
func TestReplayAllowBatching(t *testing.T) {
	seed, err := os.ReadFile("../../testdata/weather-stats/pipes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pipes := filepath.Join(t.TempDir(), "pipes.yaml")
	if err := os.WriteFile(pipes, bytes.Replace(seed, []byte("BatchSize: 1"), []byte("BatchSize: 2"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--pipes", pipes, "--records", "../../testdata/replay/seed.jsonl", "--dry-run"}
	var out, errOut bytes.Buffer
	err = (&replayCmd{streams: newStreams(nil, &out, &errOut)}).Run(context.Background(), args)
	if err == nil || !strings.Contains(err.Error(), "BatchSize: 2") {
		t.Fatalf("replay with BatchSize 2 = %v; want the load error", err)
	}
	out.Reset()
	err = (&replayCmd{streams: newStreams(nil, &out, &errOut)}).Run(context.Background(), append(args, "--allow-batching"))
	if err != nil {
		t.Fatalf("replay --allow-batching: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `"body":"[`) {
		t.Errorf("no request carries a JSON array body:\n%s", out.String())
	}
}

// TestReplayDryRunTemplate: the seed's CloudFormation template replays into the same requests as
// its pipes file, whether its parameters are given or bound to pipesim's Momento variables.
func TestReplayDryRunTemplate(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "https://api.cache.example.com")
	t.Setenv("MOMENTO_API_KEY", "secret-key-0123456789")
	want, err := os.ReadFile("../../testdata/replay/seed-dry-run.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, design := range [][]string{
		{"--template", seedTemplate, "--momento-parameters", "MomentoApiEndpoint,MomentoApiKey"},
		{"--template", seedTemplate, "--parameter-overrides", "MomentoApiEndpoint=https://api.cache.example.com", "MomentoApiKey=secret-key-0123456789"},
		{"--pipes", seedTemplate, "--momento-parameters", "MomentoApiEndpoint,MomentoApiKey"},
	} {
		out := filepath.Join(t.TempDir(), "requests.jsonl")
		s, _, stderr := testStreams()
		args := append(design, "--records", "../../testdata/replay/seed.jsonl", "--dry-run", "--out", out)
		if err := (&replayCmd{streams: s}).Run(context.Background(), args); err != nil {
			t.Fatalf("pipesim replay %q = %v\n%s", design, err, stderr)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("pipesim replay %q wrote:\n%s\nwant testdata/replay/seed-dry-run.golden:\n%s", design, got, want)
		}
		if strings.Contains(stderr.String()+string(got), "secret-key-0123456789") {
			t.Errorf("pipesim replay %q printed the API key", design)
		}
	}
}
