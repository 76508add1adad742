package webui

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sim"
)

const testToken = "webui-secret-token-0123456789"

// pageToken is the page's own token for writes.
const pageToken = "page-token-0123456789abcdef"

// newTestServer serves the page over a fresh table in the real DynamoDB Local and the embedded
// Momento server, whose cache holds "San Diego".
func newTestServer(t *testing.T) (*httptest.Server, config.Table) {
	t.Helper()
	ctx := context.Background()
	db, _, err := ddblocal.Client(ctx, ddblocaltest.Endpoint(t), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	table := config.Table{Name: "webui-" + strings.ReplaceAll(t.Name(), "/", "-"), HashKey: "Location",
		Attributes: map[string]string{"Location": "S"}, StreamViewType: "NEW_AND_OLD_IMAGES"}
	if err := sim.CreateTable(ctx, db, table); err != nil {
		t.Fatal(err)
	}
	mo := httptest.NewServer(momento.NewServer(momento.Config{Token: testToken, Caches: []string{"cache"}}))
	t.Cleanup(mo.Close)
	client := &momento.Client{BaseURL: mo.URL, Token: testToken}
	if err := client.Set(ctx, "cache", "San Diego", []byte(`{"MaxTemp": "42"}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer((&Server{DynamoDB: db, Tables: []config.Table{table}, Momento: client, Caches: []string{"cache"}, Token: pageToken}).Handler())
	t.Cleanup(s.Close)
	return s, table
}

// call makes one request and returns the status and the decoded JSON answer.
func call(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(TokenHeader, pageToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if strings.Contains(string(raw), testToken) {
		t.Errorf("%s %s answered the Momento API key: %s", method, url, raw)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s %s = %s: not JSON: %v", method, url, raw, err)
	}
	return res.StatusCode, v
}

func TestPutListDelete(t *testing.T) {
	s, table := newTestServer(t)
	items := s.URL + "/api/tables/" + table.Name + "/items"
	item := `{"Location": "San Diego", "MaxTemp": 42, "MinTemp": 31.5, "Tags": ["a", 1], "Extra": {"ok": true, "none": null}}`
	if code, v := call(t, "PUT", items, item); code != http.StatusOK {
		t.Fatalf("PUT item = %d %v; want 200", code, v)
	}
	_, v := call(t, "GET", s.URL+"/api/tables", "")
	got, _ := json.Marshal(v["tables"])
	want := `[{"items":[{"Extra":{"none":null,"ok":true},"Location":"San Diego","MaxTemp":42,"MinTemp":31.5,"Tags":["a",1]}],"keys":["Location"],"name":"` + table.Name + `"}]`
	if string(got) != want {
		t.Errorf("GET /api/tables tables = %s; want %s", got, want)
	}
	if code, v := call(t, "DELETE", items, `{"Location": "San Diego", "MaxTemp": 1}`); code != http.StatusOK {
		t.Fatalf("DELETE item = %d %v; want 200", code, v)
	}
	_, v = call(t, "GET", s.URL+"/api/tables", "")
	if got, _ := json.Marshal(v["tables"]); !strings.Contains(string(got), `"items":[]`) {
		t.Errorf("after DELETE, tables = %s; want no items", got)
	}
}

func TestCacheGet(t *testing.T) {
	s, _ := newTestServer(t)
	_, v := call(t, "GET", s.URL+"/api/caches/cache?key=San+Diego", "")
	if v["found"] != true || v["value"] != `{"MaxTemp": "42"}` {
		t.Errorf("cache get San Diego = %v; want found, the stored value", v)
	}
	_, v = call(t, "GET", s.URL+"/api/caches/cache?key=Nowhere", "")
	if v["found"] != false {
		t.Errorf("cache get Nowhere = %v; want not found", v)
	}
}

func TestErrors(t *testing.T) {
	s, table := newTestServer(t)
	items := s.URL + "/api/tables/" + table.Name + "/items"
	cases := []struct {
		method, url, body string
		code              int
		want              string
	}{
		{"PUT", items, `{"Location": `, http.StatusBadRequest, "item: want a JSON object"},
		{"PUT", items, `[1]`, http.StatusBadRequest, "item: want a JSON object"},
		{"PUT", items, `{"MaxTemp": 1}`, http.StatusBadRequest, `the key attribute "Location" is missing`},
		{"PUT", items, `{"Location": 7}`, http.StatusBadRequest, "put item in table " + table.Name},
		{"DELETE", items, `{}`, http.StatusBadRequest, `the key attribute "Location" is missing`},
		{"PUT", s.URL + "/api/tables/nope/items", `{}`, http.StatusNotFound, `table "nope" is not in the pipes file`},
		{"GET", s.URL + "/api/caches/nope?key=x", "", http.StatusNotFound, `cache "nope" is not in the pipes file`},
		{"GET", s.URL + "/api/caches/cache", "", http.StatusBadRequest, "the key query parameter is missing"},
	}
	for _, c := range cases {
		code, v := call(t, c.method, c.url, c.body)
		if msg, _ := v["error"].(string); code != c.code || !strings.Contains(msg, c.want) {
			t.Errorf("%s %s %s = %d %q; want %d, error containing %q", c.method, c.url, c.body, code, msg, c.code, c.want)
		}
	}
}

func TestDLQ(t *testing.T) {
	dir := t.TempDir()
	queues := &pipe.FileQueues{Dir: dir}
	q := &config.Queue{Name: "dlq"}
	if err := queues.Send(context.Background(), q, []byte(`{"context":{"condition":"RetryAttemptsExhausted"}}`)); err != nil {
		t.Fatal(err)
	}
	ui := &Server{Queues: []config.Queue{*q}, DeadLetters: queues.Messages}
	s := httptest.NewServer(ui.Handler())
	defer s.Close()
	_, v := call(t, "GET", s.URL+"/api/dlq", "")
	got, _ := json.Marshal(v["queues"])
	if v["available"] != true || !strings.Contains(string(got), `"name":"dlq"`) ||
		!strings.Contains(string(got), `"body":{"context":{"condition":"RetryAttemptsExhausted"}}`) {
		t.Errorf("GET /api/dlq = %v; want the queue's message with its JSON body", v)
	}
	ui.DeadLetters = nil // SQS: not at hand
	_, v = call(t, "GET", s.URL+"/api/dlq", "")
	if v["available"] != false {
		t.Errorf("GET /api/dlq without DeadLetters = %v; want available false", v)
	}
}

func TestPage(t *testing.T) {
	s, _ := newTestServer(t)
	res, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "/api/tables") {
		t.Errorf("GET / = %d %s, %d bytes; want the page", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
}

func TestTopicsOf(t *testing.T) {
	seed, err := os.ReadFile("../../testdata/weather-stats/pipes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(string) (string, bool) { return "http://127.0.0.1:1", true }
	cfg, err := config.Parse("pipes.yaml", seed, config.Options{Lookup: lookup})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := TopicsOf(cfg), []Topic{{Cache: "momento-eventbridge-cache", Name: "momento-eventbridge-topic"}}; !slices.Equal(got, want) {
		t.Errorf("TopicsOf(seed) = %v; want %v", got, want)
	}
	dynamic := strings.Replace(string(seed), "PathParameterValues: [momento-eventbridge-cache, momento-eventbridge-topic]",
		"PathParameterValues: [momento-eventbridge-cache, $.eventName]", 1)
	if cfg, err = config.Parse("pipes.yaml", []byte(dynamic), config.Options{Lookup: lookup}); err != nil {
		t.Fatal(err)
	}
	if got := TopicsOf(cfg); len(got) != 0 {
		t.Errorf("TopicsOf(a topic named by $.eventName) = %v; want none (it varies per record)", got)
	}
}

// TestTopics subscribes the page to a topic of the embedded Momento server and publishes to it
// until the page shows the message (the subscription starts with messages published after it).
func TestTopics(t *testing.T) {
	mo := httptest.NewServer(momento.NewServer(momento.Config{Token: testToken, Caches: []string{"cache"}}))
	defer mo.Close()
	client := &momento.Client{BaseURL: mo.URL, Token: testToken}
	ui := &Server{Momento: client, Topics: []Topic{{Cache: "cache", Name: "weather"}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ui.Subscribe(ctx)
	s := httptest.NewServer(ui.Handler())
	defer s.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := client.Publish(ctx, "cache", "weather", `{"EventType": "INSERT"}`); err != nil {
			t.Fatal(err)
		}
		_, v := call(t, "GET", s.URL+"/api/topics", "")
		got, _ := json.Marshal(v["topics"])
		if strings.Contains(string(got), `"messages":["{\"EventType\": \"INSERT\"}"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /api/topics = %s after 10 s; want the published message", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
