package pipe

import (
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
