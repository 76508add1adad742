package webui

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/pipe"
)

// TestEventStreamGuard: the event stream is behind the same guard as every route (a Host that
// does not name the listener gets 421) and refuses another site's page (Origin), so a page of
// another site cannot read the executions through the user's browser.
func TestEventStreamGuard(t *testing.T) {
	s := guarded(t)
	events := s.URL + "/api/events"
	for _, tc := range []struct {
		header map[string]string
		want   int
	}{
		{map[string]string{"Host": "evil.example"}, http.StatusMisdirectedRequest},
		{map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{map[string]string{"Origin": "http://localhost.evil.example"}, http.StatusForbidden},
	} {
		if got := do(t, http.DefaultClient, "GET", events, tc.header); got != tc.want {
			t.Errorf("GET /api/events with %v = %d; want %d", tc.header, got, tc.want)
		}
	}
}

// sse reads server-sent events from a response body.
type sse struct{ r *bufio.Reader }

// next returns the next event's id, kind and data, skipping comments and the retry field.
func (s sse) next(t *testing.T) (id, kind, data string) {
	t.Helper()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && kind != "":
			return id, kind, data
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
}

func openEvents(t *testing.T, ctx context.Context, url, lastID, origin string) sse {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/api/events", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /api/events = %d %s; want 200 text/event-stream", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return sse{bufio.NewReader(res.Body)}
}

// TestEventStream: an execution traced while a page listens reaches it at once, redacted; a page
// that reconnects with Last-Event-ID gets what it missed, and only that.
func TestEventStream(t *testing.T) {
	const secret = "s3cret-key/+="
	ui := &Server{Secrets: []string{secret}}
	srv := httptest.NewServer(ui.Handler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ui.Trace(pipe.Execution{Pipe: "before", Outcome: pipe.OutcomeSucceeded, Status: 200})
	page := openEvents(t, ctx, srv.URL, "", srv.URL)
	firstID, kind, data := page.next(t)
	if kind != eventExecution || !strings.Contains(data, `"pipe":"before"`) {
		t.Fatalf("first event = %s %s; want the execution traced before the page opened", kind, data)
	}
	ui.Trace(pipe.Execution{Pipe: "p", Outcome: pipe.OutcomeRetrying, Status: 503, Attempt: 1, MaxAttempts: 4,
		NextDelay: 250 * time.Millisecond, Shard: "shard-1", Waiting: 2,
		ResponseBody: []byte(`{"echo": "` + secret + `", "b64": "` + base64.StdEncoding.EncodeToString([]byte(secret)) + `"}`),
		Err:          errors.New("503 from " + url.QueryEscape(secret))})
	_, kind, data = page.next(t)
	var got executionView
	if err := json.Unmarshal([]byte(data), &got); err != nil || kind != eventExecution {
		t.Fatalf("event = %s %s: %v", kind, data, err)
	}
	want := executionView{Pipe: "p", Outcome: pipe.OutcomeRetrying, Records: []recordView{}, Attempt: 1, MaxAttempts: 4, NextDelayMS: 250,
		Shard: "shard-1", Waiting: 2, Error: "503 from ********",
		Response: &responseView{Status: 503, Text: "Service Unavailable", Body: `{"echo": "********", "b64": "********"}`, Size: 39}}
	if diff := cmp.Diff(want, got, cmpIgnoreTime); diff != "" {
		t.Errorf("the retry's event (-want +got):\n%s", diff)
	}
	if strings.Contains(data, secret) {
		t.Errorf("the event holds the secret: %s", data)
	}

	again := openEvents(t, ctx, srv.URL, firstID, "")
	if _, _, data := again.next(t); !strings.Contains(data, `"pipe":"p"`) {
		t.Errorf("after Last-Event-ID %s the stream starts with %s; want the retry, the one event missed", firstID, data)
	}
}

var cmpIgnoreTime = cmp.Transformer("noTime", func(v executionView) executionView { v.Time = time.Time{}; return v })

// TestHubSlowPage: a page that falls more than subscriberBuffer events behind has its stream
// closed, never blocking the pipes; the kept events let it catch up when it reconnects.
func TestHubSlowPage(t *testing.T) {
	var h hub
	_, ch, cancel := h.subscribe("")
	defer cancel()
	for i := range subscriberBuffer + 1 {
		h.publish(eventExecution, i)
	}
	n := 0
	for range ch {
		n++
	}
	if n != subscriberBuffer {
		t.Errorf("a slow page got %d events before its stream closed; want %d", n, subscriberBuffer)
	}
	backlog, _, cancel2 := h.subscribe("another-run.3")
	defer cancel2()
	if len(backlog) != subscriberBuffer+1 {
		t.Errorf("a page of another run gets %d kept events; want all %d", len(backlog), subscriberBuffer+1)
	}
}

// TestTypeKeys: the form sends key values as text; the key schema types them.
func TestTypeKeys(t *testing.T) {
	table := config.Table{Name: "t", HashKey: "id", RangeKey: "at", Attributes: map[string]string{"id": "B", "at": "N"}}
	item := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "aGk="}, "at": &types.AttributeValueMemberS{Value: "-1.5e3"},
		"other": &types.AttributeValueMemberS{Value: "42"}}
	if err := typeKeys(table, item); err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{"id": &types.AttributeValueMemberB{Value: []byte("hi")}, "at": &types.AttributeValueMemberN{Value: "-1.5e3"},
		"other": &types.AttributeValueMemberS{Value: "42"}}
	if diff := cmp.Diff(want, item, cmp.AllowUnexported(types.AttributeValueMemberB{}, types.AttributeValueMemberN{}, types.AttributeValueMemberS{})); diff != "" {
		t.Errorf("typeKeys (-want +got):\n%s", diff)
	}
	for _, bad := range []map[string]types.AttributeValue{
		{"id": &types.AttributeValueMemberS{Value: "aGk="}, "at": &types.AttributeValueMemberS{Value: "soon"}},
		{"id": &types.AttributeValueMemberS{Value: "not base64!"}, "at": &types.AttributeValueMemberS{Value: "1"}},
	} {
		if err := typeKeys(table, bad); err == nil {
			t.Errorf("typeKeys(%v) = nil; want an error naming the attribute", bad)
		}
	}
}
