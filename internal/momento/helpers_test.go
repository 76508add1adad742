package momento

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testToken = "s3cret-token-value"
	testCache = "weather"
)

// fakeClock is a settable clock for TTL tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newTestServer is a server with testCache, testToken and a fake clock.
func newTestServer(t testing.TB) (*Server, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	s := NewServer(Config{Token: testToken, Caches: []string{testCache}, Now: clock.Now, PollTimeout: 200 * time.Millisecond})
	return s, clock
}

// call sends one request through ServeHTTP with the test token in the Authorization header
// (unless headers say otherwise) and returns the status and body.
func call(t testing.TB, s *Server, method, target, body string, headers ...string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", testToken)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	b, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return rec.Code, string(b), rec.Result().Header
}
