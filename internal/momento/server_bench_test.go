package momento

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const benchValue = `{"Location": "San Diego", "MaxTemp": "42", "MinTemp": "31", "ChancesOfPrecipitation": "91"}`

// BenchmarkServeCacheGet is one cache hit through the whole handler (routing, query, auth,
// store), without a network.
func BenchmarkServeCacheGet(b *testing.B) {
	s, _ := newTestServer(b)
	call(b, s, http.MethodPut, "/cache/weather?key=San+Diego&ttl_seconds=300", benchValue)
	req := httptest.NewRequest(http.MethodGet, "/cache/weather?key=San+Diego", nil)
	req.Header.Set("Authorization", testToken)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.Len() != len(benchValue) {
			b.Fatalf("GET = %d %q; want 200 %q", rec.Code, rec.Body, benchValue)
		}
	}
}

// BenchmarkServeCachePut is one cache set through the whole handler.
func BenchmarkServeCachePut(b *testing.B) {
	s, _ := newTestServer(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPut, "/cache/weather?key=San+Diego&ttl_seconds=300", strings.NewReader(benchValue))
		req.Header.Set("Authorization", testToken)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			b.Fatalf("PUT = %d %q; want 204", rec.Code, rec.Body)
		}
	}
}

// BenchmarkCacheGetBaseline is the floor: a bare handler answering from a locked map.
func BenchmarkCacheGetBaseline(b *testing.B) {
	var mu sync.Mutex
	m := map[string][]byte{"San Diego": []byte(benchValue)}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		v := m[r.URL.Query().Get("key")]
		mu.Unlock()
		_, _ = w.Write(v)
	})
	req := httptest.NewRequest(http.MethodGet, "/cache/weather?key=San+Diego", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.Len() != len(benchValue) {
			b.Fatalf("GET = %d %q; want 200 %q", rec.Code, rec.Body, benchValue)
		}
	}
}
