package momento

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCacheStatuses(t *testing.T) {
	type step struct {
		method, target, body string
		want                 int
		wantBody             string // checked when not "*"
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"put then get", []step{
			{http.MethodPut, "/cache/weather?key=Phoenix&ttl_seconds=300", `{"MaxTemp": "80"}`, http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key=Phoenix", "", http.StatusOK, `{"MaxTemp": "80"}`},
		}},
		{"get miss", []step{
			{http.MethodGet, "/cache/weather?key=nothing", "", http.StatusNotFound, "Key Not Found"},
		}},
		{"delete then get", []step{
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=60", "v", http.StatusNoContent, ""},
			{http.MethodDelete, "/cache/weather?key=k", "", http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key=k", "", http.StatusNotFound, "Key Not Found"},
		}},
		{"delete of a missing key", []step{
			{http.MethodDelete, "/cache/weather?key=never", "", http.StatusNoContent, ""},
		}},
		{"put overwrites", []step{
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=60", "one", http.StatusNoContent, ""},
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=60", "two", http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key=k", "", http.StatusOK, "two"},
		}},
		{"empty value", []step{
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=60", "", http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key=k", "", http.StatusOK, ""},
		}},
		{"plus and %20 are spaces", []step{
			{http.MethodPut, "/cache/weather?key=New+York&ttl_seconds=60", "ny", http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key=New%20York", "", http.StatusOK, "ny"},
		}},
		{"%2B is a plus", []step{
			{http.MethodPut, "/cache/weather?key=a%2Bb&ttl_seconds=60", "plus", http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key=a+b", "", http.StatusNotFound, "Key Not Found"},
			{http.MethodGet, "/cache/weather?key=a%2Bb", "", http.StatusOK, "plus"},
		}},
		{"key and key_base64 name the same bytes", []step{
			{http.MethodPut, "/cache/weather?key=example_key&ttl_seconds=60", "ex", http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key_base64=ZXhhbXBsZV9rZXk", "", http.StatusOK, "ex"},
			{http.MethodDelete, "/cache/weather?key_base64=ZXhhbXBsZV9rZXk=", "", http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key=example_key", "", http.StatusNotFound, "Key Not Found"},
		}},
		{"empty query segments are ignored", []step{
			{http.MethodPut, "/cache/weather?key=k&&ttl_seconds=60&", "v", http.StatusNoContent, ""},
		}},
		{"unknown parameters are ignored", []step{
			{http.MethodPut, "/cache/weather?key=k&value=v&ttl_seconds=60", "v", http.StatusNoContent, ""},
		}},
		{"no key", []step{
			{http.MethodGet, "/cache/weather", "", http.StatusBadRequest, "*"},
			{http.MethodPut, "/cache/weather?ttl_seconds=60", "v", http.StatusBadRequest, "*"},
			{http.MethodDelete, "/cache/weather", "", http.StatusBadRequest, "*"},
		}},
		{"both keys", []step{
			{http.MethodGet, "/cache/weather?key=a&key_base64=YQ", "", http.StatusBadRequest, "set key or key_base64, not both"},
		}},
		{"empty key", []step{
			{http.MethodGet, "/cache/weather?key=", "", http.StatusBadRequest, "key is empty"},
		}},
		{"key twice", []step{
			{http.MethodGet, "/cache/weather?key=a&key=b", "", http.StatusBadRequest, "key given 2 times; give it once"},
		}},
		{"TTL rules", []step{
			{http.MethodPut, "/cache/weather?key=k", "v", http.StatusBadRequest, "missing ttl_seconds: Momento requires a TTL on every set"},
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=", "v", http.StatusBadRequest, "ttl_seconds is empty"},
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=-1", "v", http.StatusBadRequest, `ttl_seconds "-1" is not a non-negative integer`},
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=1.5", "v", http.StatusBadRequest, `ttl_seconds "1.5" is not a non-negative integer`},
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=abc", "v", http.StatusBadRequest, "*"},
			{http.MethodGet, "/cache/weather?key=k", "", http.StatusNotFound, "Key Not Found"},
		}},
		{"TTL is ignored on GET and DELETE", []step{
			{http.MethodGet, "/cache/weather?key=k&ttl_seconds=x", "", http.StatusNotFound, "Key Not Found"},
			{http.MethodDelete, "/cache/weather?key=k&ttl_seconds=x", "", http.StatusNoContent, ""},
		}},
		{"content type does not matter", []step{
			{http.MethodPut, "/cache/weather?key=k&ttl_seconds=60", "\x00\xff", http.StatusNoContent, ""},
			{http.MethodGet, "/cache/weather?key=k", "", http.StatusOK, "\x00\xff"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			for _, st := range tt.steps {
				got, body, _ := call(t, s, st.method, st.target, st.body, "Content-Type", "application/json")
				if got != st.want || (st.wantBody != "*" && body != st.wantBody) {
					t.Errorf("%s %s = %d %q; want %d %q", st.method, st.target, got, body, st.want, st.wantBody)
				}
			}
		})
	}
}

func TestCacheGetHeaders(t *testing.T) {
	s, _ := newTestServer(t)
	call(t, s, http.MethodPut, "/cache/weather?key=k&ttl_seconds=60", "value", "Content-Type", "application/json")
	_, _, h := call(t, s, http.MethodGet, "/cache/weather?key=k", "")
	if got, want := h.Get("Content-Type"), "application/octet-stream"; got != want {
		t.Errorf("GET hit Content-Type = %q; want %q", got, want)
	}
	if got, want := h.Get("Content-Length"), "5"; got != want {
		t.Errorf("GET hit Content-Length = %q; want %q", got, want)
	}
}

func TestTTLExpiry(t *testing.T) {
	tests := []struct {
		name    string
		ttl     string
		advance time.Duration
		want    int
	}{
		{"before expiry", "120", 119 * time.Second, http.StatusOK},
		{"at expiry", "120", 120 * time.Second, http.StatusNotFound},
		{"after expiry", "120", time.Hour, http.StatusNotFound},
		{"zero TTL never readable", "0", 0, http.StatusNotFound},
		{"one second", "1", 999 * time.Millisecond, http.StatusOK},
		{"clamped to 24 h: alive just before", "172800", 24*time.Hour - time.Second, http.StatusOK},
		{"clamped to 24 h: gone at 24 h", "172800", 24 * time.Hour, http.StatusNotFound},
		{"overflowing TTL is clamped", "99999999999999999999999", 24 * time.Hour, http.StatusNotFound},
		{"leading zeros", "0060", 59 * time.Second, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := newTestServer(t)
			if got, body, _ := call(t, s, http.MethodPut, "/cache/weather?key=k&ttl_seconds="+tt.ttl, "v"); got != http.StatusNoContent {
				t.Fatalf("PUT ttl_seconds=%s = %d %q; want 204", tt.ttl, got, body)
			}
			clock.Advance(tt.advance)
			if got, body, _ := call(t, s, http.MethodGet, "/cache/weather?key=k", ""); got != tt.want {
				t.Errorf("GET %s after ttl_seconds=%s = %d %q; want %d", tt.advance, tt.ttl, got, body, tt.want)
			}
		})
	}
}

func TestTTLNoClamp(t *testing.T) {
	clock := newFakeClock()
	s := NewServer(Config{Token: testToken, Caches: []string{testCache}, Now: clock.Now, MaxTTL: -1})
	call(t, s, http.MethodPut, "/cache/weather?key=k&ttl_seconds=172800", "v")
	clock.Advance(47 * time.Hour)
	if got, body, _ := call(t, s, http.MethodGet, "/cache/weather?key=k", ""); got != http.StatusOK {
		t.Errorf("GET after 47 h with ttl 48 h and no clamp = %d %q; want 200", got, body)
	}
}

func TestSweepDropsExpired(t *testing.T) {
	s, clock := newTestServer(t)
	call(t, s, http.MethodPut, "/cache/weather?key=old&ttl_seconds=1", "v")
	clock.Advance(2 * time.Second)
	for range sweepEvery {
		call(t, s, http.MethodPut, "/cache/weather?key=new&ttl_seconds=60", "v")
	}
	s.caches.mu.Lock()
	_, kept := s.caches.caches[testCache].items["old"]
	s.caches.mu.Unlock()
	if kept {
		t.Errorf("expired item kept after %d sets; want it swept", sweepEvery)
	}
}

func TestItemSizeLimit(t *testing.T) {
	key := strings.Repeat("k", 1000)
	tests := []struct {
		name      string
		valueSize int
		want      int
	}{
		{"key plus value at the limit", MaxItemSize - len(key), http.StatusNoContent},
		{"one byte over", MaxItemSize - len(key) + 1, http.StatusTooManyRequests},
		{"value alone at the limit, key pushes it over", MaxItemSize, http.StatusTooManyRequests},
	}
	s, _ := newTestServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body, _ := call(t, s, http.MethodPut, "/cache/weather?ttl_seconds=60&key="+key, strings.Repeat("v", tt.valueSize))
			if got != tt.want {
				t.Errorf("PUT %d-byte key + %d-byte value = %d %q; want %d", len(key), tt.valueSize, got, body, tt.want)
			}
		})
	}
}

func TestTooLargeStatusConfigurable(t *testing.T) {
	s := NewServer(Config{Caches: []string{testCache}, TooLargeStatus: http.StatusBadRequest})
	got, body, _ := call(t, s, http.MethodPut, "/cache/weather?ttl_seconds=60&key=k", strings.Repeat("v", MaxItemSize))
	if got != http.StatusBadRequest || !strings.Contains(body, "5 MB") {
		t.Errorf("PUT over the limit with TooLargeStatus 400 = %d %q; want 400 naming the 5 MB limit", got, body)
	}
}
