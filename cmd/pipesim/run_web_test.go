package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/ddblocal"
)

// TestRunWeb runs the seed design with --web, as its users did on AWS: put a weather item
// through the page, then see the cache-put pipe's body in the cache; delete it, and see the
// cache-delete pipe empty the cache.
func TestRunWeb(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", "")
	endpoint := ddblocal.ForTest(t)
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		cmd := &runCmd{streams: newStreams(nil, &stdout, &stderr)}
		done <- cmd.Run(ctx, []string{"--dynamodb-endpoint", endpoint, "--state-dir", t.TempDir(), "--poll-interval", "50ms", "--web", "127.0.0.1:0"})
	}()
	base := strings.TrimSuffix(waitForLine(t, &stderr, done, "pipesim: web page on "), "/")
	waitForLine(t, &stderr, done, "all pipes polling")

	items := base + "/api/tables/weather-stats-demo/items"
	webCall(t, "PUT", items, `{"Location": "Web City", "MaxTemp": 42, "MinTemp": 31, "ChancesOfPrecipitation": 91, "TTL": 120}`)
	cache := base + "/api/caches/momento-eventbridge-cache?key=" + url.QueryEscape("Web City")
	cached := pollWeb(t, cache, func(v map[string]any) bool { return v["found"] == true })
	if want := `"MaxTemp": "42"`; !strings.Contains(cached["value"].(string), want) {
		t.Errorf("cache[Web City] = %q; want the put pipe's body, with %s (numbers arrive as strings)", cached["value"], want)
	}
	topic := pollWebFor(t, base+"/api/topics", `\"Location\": \"Web City\"`)
	if !strings.Contains(topic, `\"EventType\": \"INSERT\"`) {
		t.Errorf("topics = %s; want the topic pipe's INSERT message", topic)
	}
	webCall(t, "DELETE", items, `{"Location": "Web City"}`)
	pollWeb(t, cache, func(v map[string]any) bool { return v["found"] == false })

	// An item without a TTL: the put pipe's request has an empty ttl_seconds, Momento answers
	// 400, and the page shows the batch's metadata in the dead-letter queue.
	webCall(t, "PUT", items, `{"Location": "No TTL City", "MaxTemp": 1}`)
	if dlq := pollWebFor(t, base+"/api/dlq", `"DDBStreamBatchInfo"`); !strings.Contains(dlq, `"name":"weather-stats-demo-dlq"`) {
		t.Errorf("GET /api/dlq = %s; want the put pipe's dead letter in weather-stats-demo-dlq", dlq)
	}

	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Errorf("run = %v", err)
	}
}

// webCall makes one request to the page's API and returns its JSON answer; anything but 200
// fails the test.
func webCall(t *testing.T, method, url, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
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
func pollWeb(t *testing.T, url string, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	var v map[string]any
	waitUntil(t, func() bool {
		v = webCall(t, "GET", url, "")
		return ok(v)
	})
	return v
}

// pollWebFor is pollWeb until the answer, as JSON, holds want; it returns that JSON.
func pollWebFor(t *testing.T, url, want string) string {
	t.Helper()
	var got []byte
	pollWeb(t, url, func(v map[string]any) bool {
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
