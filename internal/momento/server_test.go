package momento

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestAuth(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		header  string // Authorization value; "" removes it
		want    int
		wantMsg string
	}{
		{"header", "/cache/weather?key=k", testToken, http.StatusNotFound, "Key Not Found"},
		{"query", "/cache/weather?key=k&token=" + testToken, "", http.StatusNotFound, "Key Not Found"},
		{"both", "/cache/weather?key=k&token=" + testToken, testToken, http.StatusBadRequest, "not both"},
		{"both even if one is wrong", "/cache/weather?key=k&token=x", testToken, http.StatusBadRequest, "not both"},
		{"missing", "/cache/weather?key=k", "", http.StatusUnauthorized, "missing token"},
		{"wrong header", "/cache/weather?key=k", "nope", http.StatusUnauthorized, "invalid token"},
		{"wrong query", "/cache/weather?key=k&token=nope", "", http.StatusUnauthorized, "invalid token"},
		{"empty query", "/cache/weather?key=k&token=", "", http.StatusUnauthorized, "invalid token"},
		{"twice in query", "/cache/weather?key=k&token=" + testToken + "&token=" + testToken, "", http.StatusUnauthorized, "exactly one"},
		{"bearer prefix is not stripped", "/cache/weather?key=k", "Bearer " + testToken, http.StatusUnauthorized, "invalid token"},
		{"auth before cache lookup", "/cache/nocache?key=k", "nope", http.StatusUnauthorized, "invalid token"},
		{"topic publish wrong token", "/topics/weather/t", "nope", http.StatusUnauthorized, "invalid token"},
	}
	s, _ := newTestServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if strings.HasPrefix(tt.target, "/topics") {
				method = http.MethodPost
			}
			got, body, _ := call(t, s, method, tt.target, "", "Authorization", tt.header)
			if got != tt.want || !strings.Contains(body, tt.wantMsg) {
				t.Errorf("%s %s = %d %q; want %d containing %q", method, tt.target, got, body, tt.want, tt.wantMsg)
			}
			if strings.Contains(body, testToken) || strings.Contains(body, "nope") {
				t.Errorf("%s %s body %q echoes the token", method, tt.target, body)
			}
		})
	}
}

func TestAnyTokenWhenNoneConfigured(t *testing.T) {
	s := NewServer(Config{Caches: []string{testCache}})
	tests := []struct {
		header string
		want   int
	}{
		{"anything", http.StatusNotFound},
		{"", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		got, body, _ := call(t, s, http.MethodGet, "/cache/weather?key=k", "", "Authorization", tt.header)
		if got != tt.want {
			t.Errorf("GET with Authorization %q = %d %q; want %d", tt.header, got, body, tt.want)
		}
	}
	if got, body, _ := call(t, s, http.MethodGet, "/cache/weather?key=k&token=", "", "Authorization", ""); got != http.StatusUnauthorized {
		t.Errorf("GET with empty token query = %d %q; want 401", got, body)
	}
}

func TestUnknownRoutes(t *testing.T) {
	tests := []struct {
		method, target string
		want           int
	}{
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodGet, "/cache", http.StatusNotFound},
		{http.MethodGet, "/cache/", http.StatusNotFound},
		{http.MethodGet, "/cache/weather/extra?key=k", http.StatusNotFound},
		{http.MethodPost, "/cache/weather?key=k", http.StatusMethodNotAllowed},
		{http.MethodPut, "/topics/weather/t", http.StatusMethodNotAllowed},
		{http.MethodPost, "/topics/weather", http.StatusNotFound},
		{http.MethodPost, "/topics/weather/", http.StatusNotFound},
	}
	s, _ := newTestServer(t)
	for _, tt := range tests {
		if got, body, _ := call(t, s, tt.method, tt.target, ""); got != tt.want {
			t.Errorf("%s %s = %d %q; want %d", tt.method, tt.target, got, body, tt.want)
		}
	}
}

func TestCacheNotFoundOnEveryRoute(t *testing.T) {
	tests := []struct{ method, target string }{
		{http.MethodGet, "/cache/nocache?key=k"},
		{http.MethodPut, "/cache/nocache?key=k&ttl_seconds=60"},
		{http.MethodDelete, "/cache/nocache?key=k"},
		{http.MethodPost, "/topics/nocache/t"},
		{http.MethodGet, "/topics/nocache/t"},
		{http.MethodGet, "/cache/nocache"},                       // no key either: the cache wins
		{http.MethodPut, "/cache/nocache?key=k"},                 // no TTL either
		{http.MethodGet, "/cache/weather%2Fx?key=k"},             // an escaped slash is part of the name
		{http.MethodGet, "/cache/Weather?key=k"},                 // names are case-sensitive
		{http.MethodPost, "/topics/nocache/t?sequence_number=x"}, // publish ignores the cursor
	}
	s, _ := newTestServer(t)
	for _, tt := range tests {
		got, body, _ := call(t, s, tt.method, tt.target, "x")
		if got != http.StatusNotFound || body != "Cache Not Found" {
			t.Errorf("%s %s = %d %q; want 404 %q", tt.method, tt.target, got, body, "Cache Not Found")
		}
	}
}

func TestCreateCache(t *testing.T) {
	s, _ := newTestServer(t)
	s.CreateCache("later")
	if got, body, _ := call(t, s, http.MethodPut, "/cache/later?key=k&ttl_seconds=60", "v"); got != http.StatusNoContent {
		t.Fatalf("PUT to created cache = %d %q; want 204", got, body)
	}
	s.CreateCache("later") // again: keeps the items
	if got, body, _ := call(t, s, http.MethodGet, "/cache/later?key=k", ""); got != http.StatusOK || body != "v" {
		t.Errorf("GET after second CreateCache = %d %q; want 200 %q", got, body, "v")
	}
}

func TestRequestLogOmitsToken(t *testing.T) {
	var buf bytes.Buffer
	s := NewServer(Config{Token: testToken, Caches: []string{testCache}, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	call(t, s, http.MethodPut, "/cache/weather?key=k&ttl_seconds=5&token="+testToken, "v", "Authorization", "")
	call(t, s, http.MethodGet, "/cache/weather?key=k", "")
	s.InjectFault(RouteCacheDelete, Fault{Refuse: true})
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("refused DELETE through a recorder panicked with %v; want http.ErrAbortHandler", p)
			}
		}()
		call(t, s, http.MethodDelete, "/cache/weather?key=k", "")
	}()
	log := buf.String()
	if strings.Contains(log, testToken) {
		t.Errorf("request log = %q; want no token", log)
	}
	for _, want := range []string{"route=cache-put", "status=204", "route=cache-get", "status=200", "cache=weather", "connection dropped by fault"} {
		if !strings.Contains(log, want) {
			t.Errorf("request log = %q; want it to contain %q", log, want)
		}
	}
}

func TestMalformedQuery(t *testing.T) {
	s, _ := newTestServer(t)
	tests := []struct{ target, want string }{
		{"/cache/weather?key=%zz", "invalid percent-encoding"},
		{"/cache/weather?key=a;b", "semicolon"},
	}
	for _, tt := range tests {
		got, body, _ := call(t, s, http.MethodGet, tt.target, "")
		if got != http.StatusBadRequest || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %d %q; want 400 containing %q", tt.target, got, body, tt.want)
		}
	}
}
