package webui

import (
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
)

// guarded serves a page without DynamoDB: the guard's answers come first, and a write that
// passes it reaches the handler, which answers 404 for a table not in the pipes file.
func guarded(t *testing.T) *httptest.Server {
	s := httptest.NewUnstartedServer(nil)
	s.Config.Handler = (&Server{Token: pageToken, Hosts: Hosts(s.Listener.Addr(), "")}).Handler()
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func do(t *testing.T, c *http.Client, method, url string, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(`{"Location": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestGuardHost: only Host values naming the address the page listens on are answered; another
// name (a DNS-rebinding page's) gets 421 and no data.
func TestGuardHost(t *testing.T) {
	s := guarded(t)
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	c := http.DefaultClient
	for host, want := range map[string]int{
		"127.0.0.1:" + port: http.StatusOK, "localhost:" + port: http.StatusOK, "LOCALHOST:" + port: http.StatusOK, "[::1]:" + port: http.StatusOK,
		"evil.example:" + port: http.StatusMisdirectedRequest, "evil.example": http.StatusMisdirectedRequest,
		"127.0.0.1:1": http.StatusMisdirectedRequest, "localhost.evil.example:" + port: http.StatusMisdirectedRequest,
	} {
		if got := do(t, c, "GET", s.URL+"/api/topics", map[string]string{"Host": host}); got != want {
			t.Errorf("GET /api/topics with Host %s = %d; want %d", host, got, want)
		}
	}
}

// TestGuardWrites: a write needs the run's token (header or the cookie the printed URL sets) and
// an Origin, when there is one, that is the page's own.
func TestGuardWrites(t *testing.T) {
	s := guarded(t)
	items := s.URL + "/api/tables/unknown/items"
	c := http.DefaultClient
	cases := []struct {
		method string
		header map[string]string
		want   int
	}{
		{"PUT", nil, http.StatusForbidden},
		{"DELETE", nil, http.StatusForbidden},
		{"PUT", map[string]string{TokenHeader: "wrong"}, http.StatusForbidden},
		{"PUT", map[string]string{TokenHeader: pageToken}, http.StatusNotFound},
		{"DELETE", map[string]string{TokenHeader: pageToken}, http.StatusNotFound},
		{"PUT", map[string]string{TokenHeader: pageToken, "Origin": "http://evil.example"}, http.StatusForbidden},
		{"PUT", map[string]string{TokenHeader: pageToken, "Origin": s.URL}, http.StatusNotFound},
	}
	for _, tc := range cases {
		if got := do(t, c, tc.method, items, tc.header); got != tc.want {
			t.Errorf("%s with %v = %d; want %d", tc.method, tc.header, got, tc.want)
		}
	}

	// The browser's way: the printed URL sets the cookie and sends the page without the token.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	if got := do(t, browser, "PUT", items, map[string]string{"Origin": s.URL}); got != http.StatusForbidden {
		t.Errorf("PUT before opening the printed URL = %d; want 403", got)
	}
	res, err := browser.Get(s.URL + "/?token=" + pageToken)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.RawQuery != "" {
		t.Errorf("GET /?token=... = %d at %s; want the page, redirected to /", res.StatusCode, res.Request.URL)
	}
	if got := do(t, browser, "PUT", items, map[string]string{"Origin": s.URL}); got != http.StatusNotFound {
		t.Errorf("PUT with the page's cookie = %d; want it through the guard (404 for the unknown table)", got)
	}
	if got := do(t, c, "GET", s.URL+"/?token=wrong", nil); got != http.StatusForbidden {
		t.Errorf("GET /?token=wrong = %d; want 403", got)
	}
	if got := do(t, c, "PUT", items, map[string]string{TokenHeader: ""}); got != http.StatusForbidden {
		t.Errorf("PUT without a token = %d; want 403", got)
	}
	noToken := httptest.NewServer((&Server{}).Handler())
	defer noToken.Close()
	if got := do(t, c, "PUT", noToken.URL+"/api/tables/unknown/items", map[string]string{TokenHeader: ""}); got != http.StatusForbidden {
		t.Errorf("PUT to a page without a token = %d; want 403: no token, no writes", got)
	}
}
