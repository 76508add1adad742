package momento

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// subscribeAnswer is the decoded body of a subscribe answer.
type subscribeAnswer struct {
	Items []subscribeEntry `json:"items"`
}

func textItem(seq, page uint64, text string) subscribeEntry {
	return subscribeEntry{Item: &itemJSON{TopicSequenceNumber: seq, SequencePage: page, Value: valueJSON{Text: &text}}}
}

func binaryItem(seq, page uint64, b []byte) subscribeEntry {
	return subscribeEntry{Item: &itemJSON{TopicSequenceNumber: seq, SequencePage: page, Value: valueJSON{Binary: &b}}}
}

func gap(last, next, page uint64) subscribeEntry {
	return subscribeEntry{Discontinuity: &discontinuityJSON{LastTopicSequence: last, NewTopicSequence: next, NewSequencePage: page}}
}

func publish(t *testing.T, s *Server, path, body, contentType string) {
	t.Helper()
	if got, msg, _ := call(t, s, http.MethodPost, path, body, "Content-Type", contentType); got != http.StatusNoContent {
		t.Fatalf("POST %s %q = %d %q; want 204", path, body, got, msg)
	}
}

func subscribe(t *testing.T, s *Server, target string) []subscribeEntry {
	t.Helper()
	got, body, h := call(t, s, http.MethodGet, target, "")
	if got != http.StatusOK {
		t.Fatalf("GET %s = %d %q; want 200", target, got, body)
	}
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s Content-Type = %q; want application/json", target, ct)
	}
	var a subscribeAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("GET %s body %q: %v", target, body, err)
	}
	if a.Items == nil {
		t.Fatalf("GET %s body %q: want an items array", target, body)
	}
	return a.Items
}

func pageOf(clock *fakeClock) uint64 { return uint64(clock.Now().Unix()) }

func TestSubscribeReplay(t *testing.T) {
	s, clock := newTestServer(t)
	p := pageOf(clock)
	publish(t, s, "/topics/weather/t", `{"EventType": "INSERT"}`, "application/json")
	publish(t, s, "/topics/weather/t", "\x00\x01\xff", "application/octet-stream")
	publish(t, s, "/topics/weather/t", "plain", "")
	tests := []struct {
		target string
		want   []subscribeEntry
	}{
		{"/topics/weather/t?sequence_number=1", []subscribeEntry{
			textItem(1, p, `{"EventType": "INSERT"}`), binaryItem(2, p, []byte{0, 1, 0xff}), textItem(3, p, "plain")}},
		{"/topics/weather/t?sequence_number=2&sequence_page=" + fmt.Sprint(p), []subscribeEntry{
			binaryItem(2, p, []byte{0, 1, 0xff}), textItem(3, p, "plain")}},
		{"/topics/weather/t?sequence_number=3&sequence_page=0", []subscribeEntry{textItem(3, p, "plain")}},
		{"/topics/weather/t?sequence_number=3&sequence_page=", []subscribeEntry{textItem(3, p, "plain")}},
		{"/topics/weather/t?sequence_number=9", []subscribeEntry{gap(8, 4, p)}},
		{"/topics/weather/t?sequence_number=2&sequence_page=12345", []subscribeEntry{
			gap(1, 1, p), textItem(1, p, `{"EventType": "INSERT"}`), binaryItem(2, p, []byte{0, 1, 0xff}), textItem(3, p, "plain")}},
		{"/topics/weather/t?sequence_number=4", []subscribeEntry{}},                     // waits, times out
		{"/topics/weather/t", []subscribeEntry{}},                                       // latest only
		{"/topics/weather/other?sequence_number=1", []subscribeEntry{}},                 // topics are separate
		{"/topics/weather/t?sequence_number=0&sequence_page=12345", []subscribeEntry{}}, // 0: latest, any page
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, subscribe(t, s, tt.target)); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", tt.target, diff)
		}
	}
}

func TestSubscribeWireFormat(t *testing.T) {
	s, clock := newTestServer(t)
	publish(t, s, "/topics/weather/t", "hello world", "text/plain")
	publish(t, s, "/topics/weather/t", "hi", "application/octet-stream")
	_, body, _ := call(t, s, http.MethodGet, "/topics/weather/t?sequence_number=1", "")
	p := pageOf(clock)
	want := fmt.Sprintf(`{"items":[{"item":{"topic_sequence_number":1,"sequence_page":%d,"value":{"text":"hello world"}}},`+
		`{"item":{"topic_sequence_number":2,"sequence_page":%d,"value":{"binary":"aGk="}}}]}`, p, p)
	if body != want {
		t.Errorf("subscribe body = %s; want %s", body, want)
	}
	s.ResetTopic(testCache, "t")
	_, body, _ = call(t, s, http.MethodGet, fmt.Sprintf("/topics/weather/t?sequence_number=3&sequence_page=%d", p), "")
	want = fmt.Sprintf(`{"items":[{"discontinuity":{"last_topic_sequence":2,"new_topic_sequence":1,"new_sequence_page":%d}}]}`, p+1)
	if body != want {
		t.Errorf("subscribe body after reset = %s; want %s", body, want)
	}
	if _, body, _ = call(t, s, http.MethodGet, "/topics/weather/none", ""); body != `{"items":[]}` {
		t.Errorf("subscribe body after the poll timeout = %s; want %s", body, `{"items":[]}`)
	}
}

func TestSubscribeEvicted(t *testing.T) {
	clock := newFakeClock()
	s := NewServer(Config{Caches: []string{testCache}, Now: clock.Now, TopicBuffer: 3, PollTimeout: time.Millisecond})
	p := pageOf(clock)
	for i := range 5 {
		publish(t, s, "/topics/weather/t", fmt.Sprint(i+1), "")
	}
	want := []subscribeEntry{gap(0, 3, p), textItem(3, p, "3"), textItem(4, p, "4"), textItem(5, p, "5")}
	if diff := cmp.Diff(want, subscribe(t, s, "/topics/weather/t?sequence_number=1")); diff != "" {
		t.Errorf("subscribe from an evicted number (-want +got):\n%s", diff)
	}
}

func TestSubscribeBatchLimit(t *testing.T) {
	s, _ := newTestServer(t)
	for i := range maxBatch + 20 {
		publish(t, s, "/topics/weather/t", fmt.Sprint(i+1), "")
	}
	got := subscribe(t, s, "/topics/weather/t?sequence_number=1")
	if len(got) != maxBatch || got[maxBatch-1].Item.TopicSequenceNumber != maxBatch {
		t.Errorf("subscribe from 1 after %d messages = %d items; want the first %d", maxBatch+20, len(got), maxBatch)
	}
	rest := subscribe(t, s, fmt.Sprintf("/topics/weather/t?sequence_number=%d", maxBatch+1))
	if len(rest) != 20 {
		t.Errorf("subscribe from %d = %d items; want 20", maxBatch+1, len(rest))
	}
}

// subscribeAsync starts a long poll and returns a channel with its entries, once the poll is
// blocked waiting.
func subscribeAsync(t *testing.T, s *Server, target string) <-chan []subscribeEntry {
	t.Helper()
	waiting := make(chan struct{}, 8)
	s.topics.waitHook = func() { waiting <- struct{}{} }
	out := make(chan []subscribeEntry, 1)
	go func() { out <- subscribe(t, s, target) }()
	<-waiting
	return out
}

func TestSubscribeLongPoll(t *testing.T) {
	s := NewServer(Config{Caches: []string{testCache}, PollTimeout: time.Minute})
	done := subscribeAsync(t, s, "/topics/weather/t")
	publish(t, s, "/topics/weather/other", "elsewhere", "")
	publish(t, s, "/topics/weather/t", "first", "")
	got := <-done
	if len(got) != 1 || got[0].Item == nil || *got[0].Item.Value.Text != "first" {
		t.Errorf("long poll woken by a publish = %+v; want the one message %q", got, "first")
	}
}

func TestSubscribeWokenByReset(t *testing.T) {
	clock := newFakeClock()
	s := NewServer(Config{Caches: []string{testCache}, Now: clock.Now, PollTimeout: time.Minute})
	p := pageOf(clock)
	publish(t, s, "/topics/weather/t", "one", "")
	done := subscribeAsync(t, s, "/topics/weather/t?sequence_number=2")
	clock.Advance(time.Hour)
	s.ResetTopic(testCache, "t")
	want := []subscribeEntry{gap(1, 1, p+3600)}
	if diff := cmp.Diff(want, <-done); diff != "" {
		t.Errorf("long poll across a reset (-want +got):\n%s", diff)
	}
}

func TestSubscribeCancel(t *testing.T) {
	s := NewServer(Config{Caches: []string{testCache}, PollTimeout: time.Hour})
	waiting := make(chan struct{}, 1)
	s.topics.waitHook = func() { waiting <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/topics/weather/t", nil)
	req.Header.Set("Authorization", "any")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		s.ServeHTTP(rec, req)
		close(done)
	}()
	<-waiting
	cancel()
	<-done
	if rec.Body.Len() != 0 {
		t.Errorf("cancelled long poll wrote %q; want nothing", rec.Body.String())
	}
}

func TestPublishRules(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    int
		wantBinary              bool
	}{
		{"json is text", "application/json", `{"a":1}`, http.StatusNoContent, false},
		{"no content type is text", "", "x", http.StatusNoContent, false},
		{"form is text", "application/x-www-form-urlencoded", "x", http.StatusNoContent, false},
		{"octet-stream is binary", "application/octet-stream", "x", http.StatusNoContent, true},
		{"octet-stream with parameters", "Application/Octet-Stream; charset=binary", "x", http.StatusNoContent, true},
		{"malformed octet-stream", "application/octet-stream; =", "x", http.StatusNoContent, true},
		{"empty text", "text/plain", "", http.StatusNoContent, false},
		{"4 KB text", "text/plain", strings.Repeat("a", MaxMessageSize), http.StatusNoContent, false},
		{"over 4 KB", "text/plain", strings.Repeat("a", MaxMessageSize+1), http.StatusTooManyRequests, false},
		{"over 4 KB binary", "application/octet-stream", strings.Repeat("a", MaxMessageSize+1), http.StatusTooManyRequests, false},
		{"invalid UTF-8 text", "text/plain", "\xff", http.StatusBadRequest, false},
		{"invalid UTF-8 binary", "application/octet-stream", "\xff", http.StatusNoContent, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			got, body, _ := call(t, s, http.MethodPost, "/topics/weather/t", tt.body, "Content-Type", tt.contentType)
			if got != tt.want {
				t.Fatalf("POST %q as %q = %d %q; want %d", clip(tt.body, 16), tt.contentType, got, body, tt.want)
			}
			if got != http.StatusNoContent {
				return
			}
			items := subscribe(t, s, "/topics/weather/t?sequence_number=1")
			if isBin := items[0].Item.Value.Binary != nil; isBin != tt.wantBinary {
				t.Errorf("POST as %q stored binary = %t; want %t", tt.contentType, isBin, tt.wantBinary)
			}
		})
	}
}

func TestSubscribeBadCursor(t *testing.T) {
	s, _ := newTestServer(t)
	for _, q := range []string{"sequence_number=x", "sequence_number=-1", "sequence_page=1.5", "sequence_number=1&sequence_number=2"} {
		if got, body, _ := call(t, s, http.MethodGet, "/topics/weather/t?"+q, ""); got != http.StatusBadRequest {
			t.Errorf("GET /topics/weather/t?%s = %d %q; want 400", q, got, body)
		}
	}
}
