package pipe

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/httpdest"
)

// TestTimeoutsCounted: a request that gets no answer within the timeout counts against
// MaximumRetryAttempts (API destinations: "EventBridge retries timed out requests up to the
// maximums that are configured on your retry policy"), so MaximumRetryAttempts 1 means two
// attempts, then the dead-letter queue.
func TestTimeoutsCounted(t *testing.T) {
	var calls atomic.Int32
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select { // longer than the sender's timeout: only the client gives up
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	h := newHarness(testPipe(t, srv.URL, setup{maxRetries: 1}), batchOf(record(1, "INSERT", "a", time.Now())))
	h.runner.Sender = httpdest.NewSenderTimeout(50 * time.Millisecond)
	h.run(t)
	if got := calls.Load(); got != 2 {
		t.Errorf("calls = %d; want 2 (1 + MaximumRetryAttempts 1)", got)
	}
	if got := strings.Join(h.outcomes(), ","); got != OutcomeRetrying+","+OutcomeDeadLettered {
		t.Errorf("outcomes = %s; want retrying, dead-lettered", got)
	}
	if len(h.dlq.msgs) != 1 || !strings.Contains(string(h.dlq.msgs[0]), `"condition":"RetryAttemptsExhausted"`) {
		t.Errorf("dead letters = %q; want one RetryAttemptsExhausted", h.dlq.msgs)
	}
}

// TestSameFailuresWarn: Pipes slows its polling for a failing target and may disable a pipe
// after nearly continuous 4xx answers (StateReason); pipesim does not model that, and with
// MaximumRetryAttempts -1 a batch answered 400 blocks its shard forever. The terminal must say
// so once the batch has failed the same way SameFailures times, and again as the count doubles.
func TestSameFailuresWarn(t *testing.T) {
	statuses := make([]int, 11)
	for i := range statuses {
		statuses[i] = http.StatusBadRequest
	}
	srv := newStatusServer(t, statuses...) // 11 × 400, then 204
	h := newHarness(testPipe(t, srv.URL, setup{maxRetries: -1}), batchOf(record(1, "INSERT", "a", time.Now())))
	var logs bytes.Buffer
	h.runner.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	h.runner.Opts.SameFailures = 3
	h.run(t)
	if got := srv.calls.Load(); got != 12 {
		t.Fatalf("calls = %d; want 12", got)
	}
	var warnings []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, "failed the same way") {
			warnings = append(warnings, line)
		}
	}
	// at 3 failures, then 6: 12 would be next
	if len(warnings) != 2 || !strings.Contains(warnings[0], "failures=3") || !strings.Contains(warnings[1], "failures=6") {
		t.Fatalf("warnings = %q; want two, at 3 and 6 failures", warnings)
	}
	for _, want := range []string{"level=WARN", "(status 400) 3 times in a row", "its shard waits", "MaximumRetryAttempts is -1",
		"forever (MaximumRecordAgeInSeconds -1)", "may disable the pipe", "StateReason", "does not model that", "pipe=p1", "shard=shard-1"} {
		if !strings.Contains(warnings[0], want) {
			t.Errorf("warning = %s; want it to contain %q", warnings[0], want)
		}
	}
	if strings.Contains(logs.String(), "SECRET-KEY-123") {
		t.Errorf("logs carry the connection's key: %s", logs.String())
	}
}

// TestSameFailuresNotRepeated: failures that alternate are not "the same way" (a flapping target
// is not a stuck one), and SameFailures < 0 turns the warning off.
func TestSameFailuresNotRepeated(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		same     int
	}{
		{"alternating", []int{400, 503, 400, 503, 400, 503, 400, 503}, 2},
		{"off", []int{400, 400, 400, 400, 400, 400}, -1},
	} {
		srv := newStatusServer(t, tc.statuses...)
		h := newHarness(testPipe(t, srv.URL, setup{maxRetries: -1}), batchOf(record(1, "INSERT", "a", time.Now())))
		var logs bytes.Buffer
		h.runner.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		h.runner.Opts.SameFailures = tc.same
		h.run(t)
		if got, want := int(srv.calls.Load()), len(tc.statuses)+1; got != want {
			t.Fatalf("%s: calls = %d; want %d", tc.name, got, want)
		}
		if strings.Contains(logs.String(), "failed the same way") {
			t.Errorf("%s: logs = %s; want no warning", tc.name, logs.String())
		}
	}
}

func TestSameFailuresMessage(t *testing.T) {
	for _, tc := range []struct {
		maxRetries int
		forever    bool
		run        failureRun
		want, not  string
	}{
		{-1, false, failureRun{class: httpdest.Retryable, status: 503, n: 5},
			"(status 503) 5 times in a row; its shard waits for it. MaximumRetryAttempts is -1: pipesim retries until a record is older than MaximumRecordAgeInSeconds. EventBridge Pipes would also slow its polling; pipesim does not model that",
			"4xx"},
		{10, true, failureRun{class: httpdest.Failed, status: 404, n: 5},
			"pipesim retries up to MaximumRetryAttempts (10), then dead-letters the batch. EventBridge Pipes would also slow its polling and, with nearly continuous 4xx answers, may disable the pipe",
			"forever"},
		{0, true, failureRun{class: httpdest.Internal, n: 5},
			"(internal) 5 times in a row; its shard waits for it. Connection failures do not count against MaximumRetryAttempts: pipesim retries forever (MaximumRecordAgeInSeconds -1).",
			"4xx"},
	} {
		got := sameFailuresMessage(tc.maxRetries, tc.forever, tc.run)
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("sameFailuresMessage(%d, %v, %+v) = %q; want it to contain %q and not %q", tc.maxRetries, tc.forever, tc.run, got, tc.want, tc.not)
		}
	}
}
