package httpdest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// lit and path are test Params; the pipe runtime uses template.Param.
type lit string

func (l lit) Append(dst []byte, _ *rawjson.Doc) ([]byte, bool) { return append(dst, l...), true }
func (l lit) IsPath() bool                                     { return false }

type path string

func (p path) Append(dst []byte, doc *rawjson.Doc) ([]byte, bool) {
	r := gjson.GetBytes(doc.Bytes(), strings.TrimPrefix(string(p), "$."))
	if !r.Exists() {
		return dst, false
	}
	if r.Type == gjson.String {
		return append(dst, r.Str...), true
	}
	return append(dst, r.Raw...), true
}

func (p path) IsPath() bool { return true }

// build is the request tgt makes for record (nil: none) and body.
func build(tgt *Target, record, body []byte) *Request {
	req := new(Request)
	tgt.Build(req, rawjson.New(record), body)
	return req
}

const record = `{"eventName":"INSERT","dynamodb":{"Keys":{"Location":{"S":"New York"}},"NewImage":{"TTL":{"N":"120"},"Flag":{"BOOL":true}}}}`

func seedTarget(t *testing.T, endpoint string) *Target {
	t.Helper()
	conn, err := NewAPIKeyConnection("conn", "Authorization", "secret-key")
	if err != nil {
		t.Fatal(err)
	}
	dest, err := NewDestination("put", "arn:dest", "put", endpoint+"/cache/*", 0, conn)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := NewTarget(dest, []Param{lit("momento-eventbridge-cache")},
		[]NamedParam{{"ttl_seconds", path("$.dynamodb.NewImage.TTL.N")}, {"key", path("$.dynamodb.Keys.Location.S")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tgt
}

func TestBuildSeedRequest(t *testing.T) {
	tgt := seedTarget(t, "https://api.example.com")
	req := build(tgt, []byte(record), []byte(`{"a":1}`))
	if want := "https://api.example.com/cache/momento-eventbridge-cache?key=New%20York&ttl_seconds=120"; req.URL != want {
		t.Errorf("URL = %s; want %s", req.URL, want)
	}
	if req.Method != "PUT" {
		t.Errorf("Method = %s; want PUT", req.Method)
	}
	want := http.Header{
		"Authorization":   {"secret-key"},
		"Content-Type":    {"application/json; charset=utf-8"},
		"User-Agent":      {"Amazon/EventBridge/ApiDestinations"},
		"Range":           {"bytes=0-1048575"},
		"Accept-Encoding": {"gzip,deflate"},
		"Connection":      {"close"},
	}
	if d := cmp.Diff(want, req.Header); d != "" {
		t.Errorf("Header diff (-want +got):\n%s", d)
	}
	if got := req.RedactedHeader().Get("Authorization"); got != "********" {
		t.Errorf("Redacted Authorization = %q; want ********", got)
	}
	if req.Header.Get("Authorization") != "secret-key" {
		t.Error("Redacted changed the request's own headers")
	}
}

func TestBuildMissingPathIsEmpty(t *testing.T) {
	tgt := seedTarget(t, "http://h")
	req := build(tgt, []byte(`{"dynamodb":{"Keys":{"Location":{"S":"a/b?c"}}}}`), nil)
	if want := "http://h/cache/momento-eventbridge-cache?key=a%2Fb%3Fc&ttl_seconds="; req.URL != want {
		t.Errorf("URL = %s; want %s", req.URL, want)
	}
}

func TestPathWildcardsEscapedInOrder(t *testing.T) {
	conn, _ := NewAPIKeyConnection("c", "x-api-key", "k")
	dest, err := NewDestination("d", "", "POST", "http://h/topics/*/*", 10, conn)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := NewTarget(dest, []Param{lit("my cache"), path("$.dynamodb.NewImage.Flag.BOOL")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := build(tgt, []byte(record), nil).URL, "http://h/topics/my%20cache/true"; got != want {
		t.Errorf("URL = %s; want %s", got, want)
	}
	if _, err := NewTarget(dest, []Param{lit("one")}, nil, nil); err == nil {
		t.Error("NewTarget with 1 value for 2 wildcards: no error")
	}
}

func TestHeadersAndConnectionPrecedence(t *testing.T) {
	conn, _ := NewAPIKeyConnection("c", "Authorization", "k")
	conn.Headers = []KeyValue{{Key: "X-Team", Value: "conn"}, {Key: "X-Token", Value: "s3cret", Secret: true}}
	conn.Query = []KeyValue{{Key: "mode", Value: "conn"}}
	conn.Body = []KeyValue{{Key: "source", Value: "pipes"}}
	dest, _ := NewDestination("d", "", "POST", "http://h/x", 0, conn)
	tgt, err := NewTarget(dest, nil,
		[]NamedParam{{"mode", lit("target")}, {"a", lit("1")}},
		[]NamedParam{{"X-Team", lit("target")}, {"User-Agent", lit("mine")}, {"Host", lit("evil")},
			{"If-Match", lit("x")}, {"content-type", lit("text/plain")}, {"X-Event", path("$.eventName")}})
	if err != nil {
		t.Fatal(err)
	}
	req := build(tgt, []byte(record), []byte(`{"source":"record","n":1}`))
	checks := map[string]string{
		"X-Team": "conn", "User-Agent": "Amazon/EventBridge/ApiDestinations", "Host": "", "If-Match": "",
		"Content-Type": "text/plain", "X-Event": "INSERT", "X-Token": "s3cret",
	}
	for k, want := range checks {
		if got := req.Header.Get(k); got != want {
			t.Errorf("header %s = %q; want %q", k, got, want)
		}
	}
	if got, want := req.URL, "http://h/x?a=1&mode=conn"; got != want {
		t.Errorf("URL = %s; want %s", got, want)
	}
	if got, want := string(req.Body), `{"n":1,"source":"pipes"}`; got != want {
		t.Errorf("Body = %s; want %s", got, want)
	}
	if got := req.RedactedHeader().Get("X-Token"); got != "********" {
		t.Errorf("secret header redacted = %q", got)
	}
}

func TestNonObjectBodyKeptWithBodyParameters(t *testing.T) {
	sent, shown := mergeBody([]byte(`"text"`), []KeyValue{{Key: "a", Value: "b", Secret: true}})
	if string(sent) != `"text"` || string(shown) != `"text"` {
		t.Errorf("mergeBody(string) = %s, shown %s; want unchanged", sent, shown)
	}
}

func TestValidation(t *testing.T) {
	conn, _ := NewAPIKeyConnection("c", "Authorization", "k")
	for _, tc := range []struct{ method, endpoint string }{
		{"FETCH", "http://h"}, {"PUT", "ftp://h/x"}, {"PUT", "/relative/*"}, {"PUT", "http://%zz"},
	} {
		if _, err := NewDestination("d", "", tc.method, tc.endpoint, 0, conn); err == nil {
			t.Errorf("NewDestination(%s, %s): no error", tc.method, tc.endpoint)
		}
	}
	if _, err := NewDestination("d", "", "PUT", "http://h", 0, nil); err == nil {
		t.Error("NewDestination without connection: no error")
	}
	for _, tc := range []struct{ name, value string }{{"", "VALUE-1"}, {"a:b", "VALUE-2"}, {"X-Key", ""}, {"X-Key", "VALUE\n3"}} {
		_, err := NewAPIKeyConnection("c", tc.name, tc.value)
		if err == nil {
			t.Errorf("NewAPIKeyConnection(%q, %q): no error", tc.name, tc.value)
		} else if tc.value != "" && strings.Contains(err.Error(), tc.value) {
			t.Errorf("error %q leaks the key", err)
		}
	}
}

func TestClassify(t *testing.T) {
	want := map[int]Class{200: Succeeded, 204: Succeeded, 301: Failed, 400: Failed, 401: Retryable, 403: Failed,
		404: Failed, 407: Retryable, 409: Retryable, 413: Failed, 429: Retryable, 500: Retryable, 503: Retryable, 100: Failed}
	for status, c := range want {
		if got := Classify(status); got != c {
			t.Errorf("Classify(%d) = %s; want %s", status, got, c)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"3", 3 * time.Second, true}, {"-1", -time.Second, true}, {"soon", 0, false},
		{"Thu, 01 Jan 2026 00:00:10 GMT", 10 * time.Second, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSend(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			if r.Header.Get("Authorization") != "secret-key" || r.Header.Get("User-Agent") != "Amazon/EventBridge/ApiDestinations" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	tgt := seedTarget(t, srv.URL)
	s := NewSender()
	ctx := context.Background()
	want := []struct {
		class  Class
		status int
	}{{Retryable, 429}, {Failed, 302}, {Succeeded, 204}}
	for i, w := range want {
		res, err := s.Send(ctx, tgt.Dest, build(tgt, []byte(record), []byte(`{}`)))
		if err != nil {
			t.Fatal(err)
		}
		if res.Class != w.class || res.Status != w.status {
			t.Errorf("Send #%d = %s %d; want %s %d", i+1, res.Class, res.Status, w.class, w.status)
		}
		if i == 0 && (!res.HasRetryAfter || res.RetryAfter != 2*time.Second) {
			t.Errorf("Send #1 RetryAfter = %v, %v; want 2s", res.RetryAfter, res.HasRetryAfter)
		}
	}
}

// TestSendTransportErrors: no answer within the timeout is TimedOut (counted by Pipes), no
// connection at all is Internal (not counted); neither error shows the URL's secrets.
func TestSendTransportErrors(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(block)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()

	if NewSender().Client.Timeout != 5*time.Second {
		t.Errorf("NewSender timeout = %s; want the API destinations' 5s", NewSender().Client.Timeout)
	}
	s := NewSenderTimeout(50 * time.Millisecond)
	for _, tc := range []struct {
		endpoint string
		want     Class
	}{{slow.URL, TimedOut}, {refused, Internal}} {
		tgt := seedTarget(t, tc.endpoint)
		res, err := s.Send(context.Background(), tgt.Dest, build(tgt, []byte(record), nil))
		if err != nil {
			t.Fatal(err)
		}
		if res.Class != tc.want || res.Err == nil {
			t.Errorf("Send(%s) = %s, %v; want %s with an error", tc.endpoint, res.Class, res.Err, tc.want)
		}
		if strings.Contains(res.Err.Error(), "secret-key") {
			t.Errorf("error leaks the key: %v", res.Err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tgt := seedTarget(t, slow.URL)
	if _, err := s.Send(ctx, tgt.Dest, build(tgt, nil, nil)); err == nil {
		t.Error("Send with a cancelled context: no error")
	}
}

func TestLimiterSpacing(t *testing.T) {
	l := NewLimiter(10)
	now := time.Unix(1000, 0)
	var waits []time.Duration
	for range 12 {
		waits = append(waits, l.reserve(now))
	}
	// A burst of one second's worth (10) goes at once, then one every 100ms.
	for i, w := range waits[:10] {
		if w > 0 {
			t.Errorf("wait %d = %v; want none within the burst", i, w)
		}
	}
	if waits[10] != 0 || waits[11] != 100*time.Millisecond {
		t.Errorf("waits after burst = %v, %v; want 0s, 100ms", waits[10], waits[11])
	}
}
