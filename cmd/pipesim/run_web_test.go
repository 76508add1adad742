package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

// TestRunWeb runs the seed design with --web, as its users did on AWS: put a weather item
// through the page, then see the cache-put pipe's body in the cache; delete it, and see the
// cache-delete pipe empty the cache.
func TestRunWeb(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", "")
	endpoint := ddblocaltest.Endpoint(t)
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		cmd := &runCmd{streams: newStreams(nil, &stdout, &stderr)}
		done <- cmd.Run(ctx, []string{"--dynamodb-endpoint", endpoint, "--state-dir", t.TempDir(), "--poll-interval", "50ms", "--web", "127.0.0.1:0"})
	}()
	page := waitForLine(t, &stderr, done, "pipesim: web page on ")
	waitForLine(t, &stderr, done, "all pipes polling")
	base, _, ok := strings.Cut(page, "/?token=")
	if !ok {
		t.Fatalf("run printed the page's URL %q; want it with the run's token", page)
	}
	// As a browser: the printed URL sets the token's cookie, which the page's writes carry.
	web := browserFor(t, page)

	items := base + "/api/tables/weather-stats-demo/items"
	webCall(t, web, "PUT", items, `{"Location": "Web City", "MaxTemp": 42, "MinTemp": 31, "ChancesOfPrecipitation": 91, "TTL": 120}`)
	cache := base + "/api/caches/momento-eventbridge-cache?key=" + url.QueryEscape("Web City")
	cached := pollWeb(t, web, cache, func(v map[string]any) bool { return v["found"] == true })
	if want := `"MaxTemp": "42"`; !strings.Contains(cached["value"].(string), want) {
		t.Errorf("cache[Web City] = %q; want the put pipe's body, with %s (numbers arrive as strings)", cached["value"], want)
	}
	topic := pollWebFor(t, web, base+"/api/topics", `\"Location\": \"Web City\"`)
	if !strings.Contains(topic, `\"EventType\": \"INSERT\"`) {
		t.Errorf("topics = %s; want the topic pipe's INSERT message", topic)
	}
	webCall(t, web, "DELETE", items, `{"Location": "Web City"}`)
	pollWeb(t, web, cache, func(v map[string]any) bool { return v["found"] == false })

	// An item without a TTL: the put pipe's request has an empty ttl_seconds, Momento answers
	// 400, and the page shows the batch's metadata in the dead-letter queue.
	webCall(t, web, "PUT", items, `{"Location": "No TTL City", "MaxTemp": 1}`)
	if dlq := pollWebFor(t, web, base+"/api/dlq", `"DDBStreamBatchInfo"`); !strings.Contains(dlq, `"name":"weather-stats-demo-dlq"`) {
		t.Errorf("GET /api/dlq = %s; want the put pipe's dead letter in weather-stats-demo-dlq", dlq)
	}

	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Errorf("run = %v", err)
	}
}

// browserFor opens the page at its printed URL with a client that keeps cookies, as a browser
// does, and returns the client.
func browserFor(t *testing.T, page string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	res, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d; want the page", page, res.StatusCode)
	}
	return c
}

// webCall makes one request to the page's API, from the page (its Origin), and returns its JSON
// answer; anything but 200 fails the test.
func webCall(t *testing.T, c *http.Client, method, url, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://"+req.Host)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s = %d %s; want 200 and JSON", method, url, res.StatusCode, raw)
	}
	return v
}

// pollWeb GETs url from the page's API until ok holds of its JSON answer (waitUntil), and
// returns that answer.
func pollWeb(t *testing.T, c *http.Client, url string, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	var v map[string]any
	waitUntil(t, func() bool {
		v = webCall(t, c, "GET", url, "")
		return ok(v)
	})
	return v
}

// pollWebFor is pollWeb until the answer, as JSON, holds want; it returns that JSON.
func pollWebFor(t *testing.T, c *http.Client, url, want string) string {
	t.Helper()
	var got []byte
	pollWeb(t, c, url, func(v map[string]any) bool {
		got, _ = json.Marshal(v)
		return strings.Contains(string(got), want)
	})
	return string(got)
}

// TestRunWebAddrInUse: a --web address that cannot be listened on stops run before it starts
// anything, with exit code 2.
func TestRunWebAddrInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, _, _ := testStreams()
	err = (&runCmd{streams: s}).Run(context.Background(), []string{"--dynamodb-endpoint", "http://127.0.0.1:1", "--web", ln.Addr().String()})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.err.Error(), "--web: listen tcp "+ln.Addr().String()) {
		t.Errorf("run --web %s (in use) = %v; want exit 2 naming --web", ln.Addr(), err)
	}
}

// TestRunWebRemote: --web on an address other machines reach (every interface) is refused
// without --web-allow-remote, before anything starts; with it, run warns.
func TestRunWebRemote(t *testing.T) {
	s, _, _ := testStreams()
	err := (&runCmd{streams: s}).Run(context.Background(), []string{"--dynamodb-endpoint", "http://127.0.0.1:1", "--web", ":0", "--state-dir", t.TempDir()})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.err.Error(), "which other machines can reach: use a loopback address such as 127.0.0.1:PORT, or add --web-allow-remote") {
		t.Errorf("run --web :0 = %v; want exit 2 asking for a loopback address or --web-allow-remote", err)
	}
	var errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- (&runCmd{streams: newStreams(nil, io.Discard, &errOut)}).Run(ctx, []string{"--dynamodb-endpoint", "http://127.0.0.1:1", "--web", ":0", "--web-allow-remote", "--state-dir", t.TempDir()})
	}()
	if got := waitForLine(t, &errOut, done, "pipesim: warning: the web page listens on "); !strings.Contains(got, "which other machines can reach") {
		t.Errorf("run --web :0 --web-allow-remote warned %q; want it to say other machines can reach the page", got)
	}
	cancel()
	<-done
}
