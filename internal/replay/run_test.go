package replay

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
)

var update = flag.Bool("update", false, "rewrite golden files")

const testKey = "secret-key-0123456789"

func seedConfig(t testing.TB, endpoint string) *config.Config {
	t.Helper()
	env := map[string]string{"MOMENTO_API_ENDPOINT": endpoint, "MOMENTO_API_KEY": testKey}
	cfg, err := config.Load(filepath.Join("..", "..", "testdata", "weather-stats", "pipes.yaml"), config.Options{
		Lookup: func(name string) (string, bool) { v, ok := env[name]; return v, ok },
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "replay", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

func TestReplayDryRunGolden(t *testing.T) {
	for _, name := range []string{"seed.jsonl", "seed-array.json", "seed-lambda.json"} {
		var out bytes.Buffer
		var bad []int
		r := &Run{Config: seedConfig(t, "https://api.cache.example.com"), DryRun: &out,
			Feed: Options{OnBad: func(it Item) { bad = append(bad, it.Line) }}}
		sum, err := r.Replay(context.Background(), bytes.NewReader(fixture(t, name)))
		if err != nil {
			t.Fatalf("Replay(%s) error: %v", name, err)
		}
		golden(t, "seed-dry-run.golden", out.Bytes())
		if strings.Contains(out.String(), testKey) {
			t.Errorf("Replay(%s) dry-run output contains the API key", name)
		}
		want := &Summary{Form: sum.Form, Records: 5, Pipes: []*PipeSummary{
			{Name: "weather-stats-demo-cache-put-pipe", Matched: 3, Sent: 3, Succeeded: 3},
			{Name: "weather-stats-demo-topic-publish-pipe", Matched: 5, Sent: 5, Succeeded: 5},
			{Name: "weather-stats-demo-cache-delete-pipe", Matched: 2, Sent: 2, Succeeded: 2},
		}}
		if name == "seed.jsonl" {
			want.Bad = 2
			if diff := cmp.Diff([]int{3, 5}, bad); diff != "" {
				t.Errorf("Replay(%s) bad lines (-want +got):\n%s", name, diff)
			}
		}
		if diff := cmp.Diff(want, sum); diff != "" {
			t.Errorf("Replay(%s) summary (-want +got):\n%s", name, diff)
		}
	}
}

func TestReplayStrict(t *testing.T) {
	var out bytes.Buffer
	r := &Run{Config: seedConfig(t, "https://api.cache.example.com"), DryRun: &out, Feed: Options{Strict: true, ChunkSize: 1}}
	sum, err := r.Replay(context.Background(), bytes.NewReader(fixture(t, "seed.jsonl")))
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "line 3: not JSON") {
		t.Fatalf("Replay(strict) error = %v; want ErrBadInput at line 3", err)
	}
	if sum.Records != 2 || sum.Bad != 1 {
		t.Errorf("Replay(strict) read %d records, %d bad; want 2, 1", sum.Records, sum.Bad)
	}
	if n := strings.Count(out.String(), "\n"); n != 4 {
		t.Errorf("Replay(strict) wrote %d requests; want 4 (two records, two matching pipes each)", n)
	}
}

// TestReplayDeadLetters sends for real: the delete destination answers 500, so REMOVE records
// are dead-lettered after MaximumRetryAttempts 0, and the shard goes on.
func TestReplayDeadLetters(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != testKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	dlq := &pipe.FileQueues{Dir: t.TempDir()}
	r := &Run{Config: seedConfig(t, srv.URL), Sender: httpdest.NewSender(), DLQ: dlq, Retry: pipe.Options{Backoff: time.Millisecond}}
	sum, err := r.Replay(context.Background(), bytes.NewReader(fixture(t, "seed-get-records.json")))
	if err != nil {
		t.Fatal(err)
	}
	del := sum.Pipes[2]
	if diff := cmp.Diff(&PipeSummary{Name: "weather-stats-demo-cache-delete-pipe", Matched: 2, Sent: 2, Failed: 2, DeadLettered: 2}, del); diff != "" {
		t.Errorf("Replay delete pipe summary (-want +got):\n%s", diff)
	}
	msgs, err := dlq.Messages("weather-stats-demo-dlq")
	if err != nil || len(msgs) != 2 {
		t.Fatalf("dead-letter queue has %d messages, %v; want 2", len(msgs), err)
	}
	for _, want := range []string{`"condition":"RetryAttemptsExhausted"`, `"shardId":"shardId-replay-00000001"`,
		`"approximateArrivalOfFirstRecord":"2024-07-30T17:24:55Z"`, `table/weather-stats-demo/stream/1970-01-01T00:00:00.000`} {
		if !strings.Contains(msgs[0].Body, want) {
			t.Errorf("dead-letter message %s does not contain %s", msgs[0].Body, want)
		}
	}
	if got := calls.Load(); got != 10 {
		t.Errorf("destination got %d requests; want 10 (3 puts, 5 publishes, 2 deletes)", got)
	}
}

// TestReplayDryRunDeterministic replays many chunks twice: the output must not depend on which
// pipe's goroutine ran when.
func TestReplayDryRunDeterministic(t *testing.T) {
	var in bytes.Buffer
	if err := GenerateSeed(&in, 3000, 3); err != nil {
		t.Fatal(err)
	}
	cfg := seedConfig(t, "https://api.cache.example.com")
	var outs [2]bytes.Buffer
	for i := range outs {
		r := &Run{Config: cfg, DryRun: &outs[i], Feed: Options{ChunkSize: 64}}
		if _, err := r.Replay(context.Background(), bytes.NewReader(in.Bytes())); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
		t.Fatalf("two dry runs of the same input wrote different output")
	}
	if n := bytes.Count(outs[0].Bytes(), []byte("\n")); n < 3000 {
		t.Errorf("dry run wrote %d requests; want at least one per record (3000)", n)
	}
}

func TestReplayDryRunHidesSecrets(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "..", "testdata", "replay", "secret-pipes.yaml"), config.Options{
		Lookup: func(string) (string, bool) { return "", false },
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := (&Run{Config: cfg, DryRun: &out}).Replay(context.Background(), bytes.NewReader(fixture(t, "seed.jsonl"))); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "SECRET") {
		t.Errorf("dry-run output shows a secret:\n%s", out.String())
	}
	for _, want := range []string{`"X-Api-Key":"********"`, `"X-Token":"********"`, `"X-Plain":"visible"`, `sig=********`, `\"password\":\"********\"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry-run output:\n%s\nwant it to contain %s", out.String(), want)
		}
	}
}

// TestReplayClock replays records captured in 2024 through a pipe with MaximumRecordAgeInSeconds
// 60: by the replay clock they are fresh; by the wall clock every one has expired.
func TestReplayClock(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "..", "testdata", "replay", "age-pipes.yaml"), config.Options{
		Lookup: func(string) (string, bool) { return "", false },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, wall := range []bool{false, true} {
		dlq := &pipe.FileQueues{Dir: t.TempDir()}
		var out bytes.Buffer
		r := &Run{Config: cfg, DryRun: &out, DLQ: dlq, WallClock: wall}
		sum, err := r.Replay(context.Background(), bytes.NewReader(fixture(t, "seed.jsonl")))
		if err != nil {
			t.Fatal(err)
		}
		want := &PipeSummary{Name: "age-pipe", Matched: 5, Sent: 5, Succeeded: 5}
		if wall {
			want = &PipeSummary{Name: "age-pipe", Matched: 5, DeadLettered: 5}
		}
		if diff := cmp.Diff(want, sum.Pipes[0]); diff != "" {
			t.Errorf("Replay(WallClock %v) summary (-want +got):\n%s", wall, diff)
		}
		msgs, _ := dlq.Messages("age-dlq")
		if wall && (len(msgs) != 5 || !strings.Contains(msgs[0].Body, `"condition":"RecordAgeExceeded"`)) {
			t.Errorf("Replay(WallClock) dead letters = %v; want 5 RecordAgeExceeded", msgs)
		}
	}
}
