package main

import (
	"context"
	"net"
	"strings"
	"testing"
)

// TestReplayTargetNeverAnswers: a replay against a target that refuses every connection ends
// (it used to retry for ever: MaximumRecordAgeInSeconds -1), exits 1, and its summary says which
// records were not delivered.
func TestReplayTargetNeverAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MOMENTO_API_ENDPOINT", "http://"+ln.Addr().String())
	ln.Close()
	t.Setenv("MOMENTO_API_KEY", "k")
	s, _, stderr := testStreams()
	err = (&replayCmd{streams: s}).Run(context.Background(), []string{"--pipes", "../../testdata/weather-stats/pipes.yaml",
		"--records", "../../testdata/replay/seed.jsonl", "--state-dir", t.TempDir(), "--backoff", "1ms", "--max-backoff", "2ms", "--max-attempts", "3"})
	if code := exitCode(err, s.stderr); code != 1 || !strings.Contains(err.Error(), "stopped after 3 attempt(s) at a batch of 1 record(s)") {
		t.Fatalf("pipesim replay against a refusing target = exit %d, %v; want exit 1 after 3 attempts\n%s", code, err, stderr)
	}
	for _, want := range []string{
		"not delivered",
		"pipesim: 3 record(s) not delivered by weather-stats-demo-cache-put-pipe: it stopped after --max-attempts executions of a batch",
		"pipesim: 5 record(s) not delivered by weather-stats-demo-topic-publish-pipe",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("pipesim replay stderr:\n%s\nwant it to contain %q", stderr, want)
		}
	}
}
