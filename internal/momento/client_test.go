package momento

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// listen starts s on a free port and returns a client for it.
func listen(t *testing.T, s *Server) (*Running, *Client) {
	t.Helper()
	r, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	return r, &Client{BaseURL: r.URL() + "/", Token: testToken, HTTP: hc}
}

func TestClientCache(t *testing.T) {
	s, _ := newTestServer(t)
	_, c := listen(t, s)
	ctx := context.Background()
	key := "San Diego/+?&=%"
	if err := c.Set(ctx, testCache, key, []byte(`{"MaxTemp": "42"}`), 1500*time.Millisecond); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, found, err := c.Get(ctx, testCache, key)
	if err != nil || !found || string(got) != `{"MaxTemp": "42"}` {
		t.Errorf("Get(%q) = %q, %t, %v; want the value set", key, got, found, err)
	}
	if err := c.Delete(ctx, testCache, key); err != nil {
		t.Errorf("Delete(%q): %v", key, err)
	}
	if got, found, err = c.Get(ctx, testCache, key); err != nil || found {
		t.Errorf("Get(%q) after Delete = %q, %t, %v; want a miss", key, got, found, err)
	}
	if err := c.Delete(ctx, testCache, "never"); err != nil {
		t.Errorf("Delete of a missing key: %v; want nil", err)
	}
}

func TestClientTTLRoundsUp(t *testing.T) {
	s, clock := newTestServer(t)
	_, c := listen(t, s)
	if err := c.Set(context.Background(), testCache, "k", []byte("v"), 1500*time.Millisecond); err != nil {
		t.Fatalf("Set: %v", err)
	}
	clock.Advance(1999 * time.Millisecond)
	if _, found, _ := c.Get(context.Background(), testCache, "k"); !found {
		t.Errorf("Get 1.999 s after Set with ttl 1.5 s = miss; want a hit (TTL rounded up to 2 s)")
	}
	if err := c.Set(context.Background(), testCache, "k", []byte("v"), 0); err == nil {
		t.Errorf("Set with ttl 0 = nil; want an error")
	}
}

func TestClientErrors(t *testing.T) {
	s, _ := newTestServer(t)
	_, c := listen(t, s)
	ctx := context.Background()
	_, _, err := c.Get(ctx, "nocache", "k")
	if !errors.Is(err, ErrCacheNotFound) {
		t.Errorf("Get on a missing cache error = %v; want ErrCacheNotFound", err)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		t.Errorf("Get on a missing cache error = %v; want a *StatusError with 404", err)
	}
	if err := c.Set(ctx, "nocache", "k", []byte("v"), time.Second); !errors.Is(err, ErrCacheNotFound) {
		t.Errorf("Set on a missing cache error = %v; want ErrCacheNotFound", err)
	}
	if err := c.Publish(ctx, "nocache", "t", "m"); !errors.Is(err, ErrCacheNotFound) {
		t.Errorf("Publish on a missing cache error = %v; want ErrCacheNotFound", err)
	}
	bad := *c
	bad.Token = "wrong-" + testToken
	err = bad.Delete(ctx, testCache, "k")
	if !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		t.Errorf("Delete with a wrong token error = %v; want a *StatusError with 401", err)
	}
	if strings.Contains(err.Error(), bad.Token) {
		t.Errorf("Delete error %q contains the token", err)
	}
}

func TestClientRedactsToken(t *testing.T) {
	c := &Client{BaseURL: "http://127.0.0.1:1/?token=" + testToken, Token: testToken}
	err := c.Delete(context.Background(), testCache, "k")
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("Delete to a closed port error = %v; want an error without the token", err)
	}
}

func TestClientTooLarge(t *testing.T) {
	s, _ := newTestServer(t)
	_, c := listen(t, s)
	err := c.Set(context.Background(), testCache, "k", make([]byte, MaxItemSize+1), time.Minute)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusTooManyRequests {
		t.Errorf("Set of a %d-byte value = %v; want a 429 (Momento: limit exceeded)", MaxItemSize+1, err)
	}
	err = c.Publish(context.Background(), testCache, "t", strings.Repeat("m", MaxMessageSize+1))
	if !errors.As(err, &se) || se.Status != http.StatusTooManyRequests {
		t.Errorf("Publish of a %d-byte message = %v; want a 429 (Momento: limit exceeded)", MaxMessageSize+1, err)
	}
}

func TestClientSubscribe(t *testing.T) {
	s, clock := newTestServer(t)
	p := pageOf(clock)
	waiting := make(chan struct{}, 16)
	s.topics.waitHook = func() { waiting <- struct{}{} } // before the server starts
	_, c := listen(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu  sync.Mutex
		got []TopicItem
	)
	done := make(chan error, 1)
	go func() {
		done <- c.Subscribe(ctx, testCache, "t", func(it TopicItem) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, it)
			if len(got) == 4 {
				return errStop
			}
			return nil
		})
	}()
	<-waiting
	if err := c.Publish(ctx, testCache, "t", `{"EventType": "INSERT"}`); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	<-waiting // the client polls again from 2
	s.ResetTopic(testCache, "t")
	<-waiting // and again on the new page from 1
	if err := c.Publish(ctx, testCache, "t", "after reset"); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	<-waiting
	publish(t, s, "/topics/weather/t", "\x01", "application/octet-stream")
	if err := <-done; !errors.Is(err, errStop) {
		t.Errorf("Subscribe = %v; want the callback's error", err)
	}
	want := []TopicItem{
		{SequenceNumber: 1, SequencePage: p, Text: `{"EventType": "INSERT"}`},
		{Discontinuity: true, LastSequenceNumber: 1, SequenceNumber: 1, SequencePage: p + 1},
		{SequenceNumber: 1, SequencePage: p + 1, Text: "after reset"},
		{SequenceNumber: 2, SequencePage: p + 1, IsBinary: true, Binary: []byte{1}},
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Subscribe items (-want +got):\n%s", diff)
	}
}

var errStop = errors.New("stop")

func TestClientSubscribeCancel(t *testing.T) {
	s, _ := newTestServer(t)
	waiting := make(chan struct{}, 16)
	s.topics.waitHook = func() { waiting <- struct{}{} }
	_, c := listen(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Subscribe(ctx, testCache, "t", func(TopicItem) error { return nil })
	}()
	<-waiting
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Subscribe after cancel = %v; want context.Canceled", err)
	}
}

func TestClientSubscribeMissingCache(t *testing.T) {
	s, _ := newTestServer(t)
	_, c := listen(t, s)
	err := c.Subscribe(context.Background(), "nocache", "t", func(TopicItem) error { return nil })
	if !errors.Is(err, ErrCacheNotFound) {
		t.Errorf("Subscribe to a missing cache = %v; want ErrCacheNotFound", err)
	}
}

func TestRefuseOverTCP(t *testing.T) {
	s, _ := newTestServer(t)
	_, c := listen(t, s)
	ctx := context.Background()
	s.InjectFault(RouteCachePut, Fault{Statuses: []int{StatusRefuse, StatusRefuse}})
	for i := range 2 {
		err := c.Set(ctx, testCache, "k", []byte("v"), time.Minute)
		var se *StatusError
		if err == nil || errors.As(err, &se) {
			t.Errorf("Set %d under refuse = %v; want a connection error", i+1, err)
		}
	}
	if err := c.Set(ctx, testCache, "k", []byte("v"), time.Minute); err != nil {
		t.Errorf("Set after the refusals = %v; want nil", err)
	}
	s.InjectFault(RouteCacheGet, Fault{Refuse: true})
	for i := range 3 {
		if _, _, err := c.Get(ctx, testCache, "k"); err == nil {
			t.Errorf("Get %d under steady refuse = nil error; want a connection error", i+1)
		}
	}
}

func TestLatencyTimesOutClient(t *testing.T) {
	s, _ := newTestServer(t)
	_, c := listen(t, s)
	s.InjectFault(RouteCachePut, Fault{Latency: time.Hour})
	c.HTTP = &http.Client{Timeout: 50 * time.Millisecond}
	err := c.Set(context.Background(), testCache, "k", []byte("v"), time.Minute)
	if err == nil || !strings.Contains(err.Error(), "Client.Timeout") {
		t.Errorf("Set under 1 h latency with a 50 ms client = %v; want a client timeout", err)
	}
}

func TestListenErrors(t *testing.T) {
	s, _ := newTestServer(t)
	r, _ := listen(t, s)
	addr := strings.TrimPrefix(r.URL(), "http://")
	if _, err := s.Listen(addr); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("Listen(%q) on a bound port = %v; want an error naming the address", addr, err)
	}
}

func TestCloseEndsLongPoll(t *testing.T) {
	s := NewServer(Config{Caches: []string{testCache}, PollTimeout: time.Hour})
	waiting := make(chan struct{}, 1)
	s.topics.waitHook = func() { waiting <- struct{}{} }
	r, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	c := &Client{BaseURL: r.URL(), Token: "t"}
	done := make(chan error, 1)
	go func() {
		done <- c.Subscribe(context.Background(), testCache, "t", func(TopicItem) error { return nil })
	}()
	<-waiting
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-done; err == nil {
		t.Errorf("Subscribe after Close = nil; want a connection error")
	}
}
