package momentogrpc

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/pipesim/pipesim/internal/momento"
	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

// newTestLogger logs to w, which mu guards (a token channel).
func newTestLogger(w io.Writer, mu chan struct{}) *slog.Logger {
	return slog.New(slog.NewTextHandler(lockedWriter{w, mu}, nil))
}

type lockedWriter struct {
	w  io.Writer
	mu chan struct{}
}

func (l lockedWriter) Write(p []byte) (int, error) {
	<-l.mu
	defer func() { l.mu <- struct{}{} }()
	return l.w.Write(p)
}

func text(s string) *pb.TopicValue { return &pb.TopicValue{Kind: &pb.TopicValue_Text{Text: s}} }

func subscribe(t *testing.T, ps pb.PubsubClient, req *pb.SubscriptionRequest) pb.Pubsub_SubscribeClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stream, err := ps.Subscribe(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if it := recv(t, stream); it.GetHeartbeat() == nil {
		t.Fatalf("first stream message = %v; want a heartbeat at once (the SDK's subscribe waits for it)", it)
	}
	return stream
}

func TestPublishSubscribe(t *testing.T) {
	e := newEnv(t)
	ps := pb.NewPubsubClient(e.conn(t, testKey))
	stream := subscribe(t, ps, &pb.SubscriptionRequest{CacheName: testCache, Topic: "t"})
	for _, v := range []*pb.TopicValue{text("one"), {Kind: &pb.TopicValue_Binary{Binary: []byte{0, 1}}}} {
		if _, err := ps.Publish(t.Context(), &pb.PublishRequest{CacheName: testCache, Topic: "t", Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	first := nextItem(t, stream).GetItem()
	if first.GetValue().GetText() != "one" || first.TopicSequenceNumber != 1 || first.SequencePage == 0 {
		t.Errorf("first item = %v; want text one, sequence 1, a page", first)
	}
	second := nextItem(t, stream).GetItem()
	if string(second.GetValue().GetBinary()) != "\x00\x01" || second.TopicSequenceNumber != 2 || second.SequencePage != first.SequencePage {
		t.Errorf("second item = %v; want binary 00 01, sequence 2, same page", second)
	}
	// Quiet: heartbeats keep coming.
	if it := recv(t, stream); it.GetHeartbeat() == nil {
		t.Errorf("stream message while quiet = %v; want a heartbeat", it)
	}

	// Resume from 2 on the same page: the kept message 2 again.
	again := subscribe(t, ps, &pb.SubscriptionRequest{CacheName: testCache, Topic: "t", ResumeAtTopicSequenceNumber: 2, SequencePage: first.SequencePage})
	if it := nextItem(t, again).GetItem(); it.TopicSequenceNumber != 2 {
		t.Errorf("resume at 2 = %v; want message 2", it)
	}
}

func TestSubscribeDiscontinuity(t *testing.T) {
	e := newEnv(t, func(m *momento.Config, _ *Config) { m.TopicBuffer = 2 })
	ps := pb.NewPubsubClient(e.conn(t, testKey))
	for _, s := range []string{"1", "2", "3", "4"} {
		if _, err := ps.Publish(t.Context(), &pb.PublishRequest{CacheName: testCache, Topic: "t", Value: text(s)}); err != nil {
			t.Fatal(err)
		}
	}
	stream := subscribe(t, ps, &pb.SubscriptionRequest{CacheName: testCache, Topic: "t", ResumeAtTopicSequenceNumber: 1})
	d := nextItem(t, stream).GetDiscontinuity()
	if d.GetLastTopicSequence() != 0 || d.GetNewTopicSequence() != 3 || d.GetNewSequencePage() == 0 {
		t.Errorf("resume at a number no longer kept = %v; want a discontinuity from 0 to 3", d)
	}
	if it := nextItem(t, stream).GetItem(); it.GetValue().GetText() != "3" {
		t.Errorf("after the discontinuity = %v; want message 3", it)
	}
}

func TestSubscribeEndsWhenCacheDeleted(t *testing.T) {
	e := newEnv(t)
	cc := e.conn(t, testKey)
	stream := subscribe(t, pb.NewPubsubClient(cc), &pb.SubscriptionRequest{CacheName: testCache, Topic: "t"})
	if _, err := pb.NewScsControlClient(cc).DeleteCache(t.Context(), &pb.DeleteCacheRequest{CacheName: testCache}); err != nil {
		t.Fatal(err)
	}
	for {
		_, err := stream.Recv()
		if err != nil {
			wantCode(t, "stream after DeleteCache", err, codes.NotFound, "Cache not found")
			return
		}
	}
}

func TestTopicErrors(t *testing.T) {
	e := newEnv(t)
	ps := pb.NewPubsubClient(e.conn(t, testKey))
	_, err := ps.Publish(t.Context(), &pb.PublishRequest{CacheName: "nope", Topic: "t", Value: text("x")})
	wantCode(t, "Publish to a missing cache", err, codes.NotFound, "Cache not found")
	stream, err := ps.Subscribe(t.Context(), &pb.SubscriptionRequest{CacheName: "nope", Topic: "t"})
	if err == nil {
		_, err = stream.Recv()
	}
	wantCode(t, "Subscribe to a missing cache", err, codes.NotFound, "Cache not found")
	_, err = ps.Publish(t.Context(), &pb.PublishRequest{CacheName: testCache, Topic: "t", Value: text(strings.Repeat("a", momento.MaxMessageSize+1))})
	wantCode(t, "Publish of 4 KiB + 1", err, codes.ResourceExhausted, "4 KB")
	_, err = ps.Publish(t.Context(), &pb.PublishRequest{CacheName: testCache, Topic: ""})
	wantCode(t, "Publish to an empty topic name", err, codes.InvalidArgument, "topic")
}

// The shared store: what one API writes, the other reads.
func TestSharedStore(t *testing.T) {
	e := newEnv(t)
	cc := e.conn(t, testKey)
	httpc := &momento.Client{BaseURL: e.httpURL, Token: testKey, HTTP: &http.Client{Timeout: 10 * time.Second}}
	ctx := inCache(t, testCache)

	t.Run("HTTP PUT then gRPC Get", func(t *testing.T) {
		if err := httpc.Set(ctx, testCache, "New York", []byte(`{"MaxTemp": "80"}`), time.Minute); err != nil {
			t.Fatal(err)
		}
		got, err := pb.NewScsClient(cc).Get(ctx, &pb.GetRequest{CacheKey: []byte("New York")})
		if err != nil || got.Result != pb.CacheResult_CACHE_RESULT_HIT || string(got.CacheBody) != `{"MaxTemp": "80"}` {
			t.Errorf("gRPC Get of an HTTP PUT = %v, %v; want a hit", got, err)
		}
	})
	t.Run("gRPC Publish then HTTP long poll", func(t *testing.T) {
		got := make(chan momento.TopicItem, 1)
		pollCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			_ = httpc.Subscribe(pollCtx, testCache, "shared", func(it momento.TopicItem) error { got <- it; return io.EOF })
		}()
		deadline := time.After(5 * time.Second)
		for {
			if _, err := pb.NewPubsubClient(cc).Publish(ctx, &pb.PublishRequest{CacheName: testCache, Topic: "shared", Value: text("hello")}); err != nil {
				t.Fatal(err)
			}
			select {
			case it := <-got:
				if it.Text != "hello" {
					t.Errorf("HTTP subscriber got %+v; want hello", it)
				}
				return
			case <-time.After(50 * time.Millisecond): // the long poll may not have started yet
			case <-deadline:
				t.Fatal("HTTP long poll got nothing of a gRPC Publish")
			}
		}
	})
	t.Run("HTTP POST then gRPC Subscribe", func(t *testing.T) {
		stream := subscribe(t, pb.NewPubsubClient(cc), &pb.SubscriptionRequest{CacheName: testCache, Topic: "pipe"})
		if err := httpc.Publish(ctx, testCache, "pipe", `{"EventType": "INSERT"}`); err != nil {
			t.Fatal(err)
		}
		if it := nextItem(t, stream).GetItem(); it.GetValue().GetText() != `{"EventType": "INSERT"}` {
			t.Errorf("gRPC subscriber got %v; want the HTTP message", it)
		}
	})
}

func TestControl(t *testing.T) {
	e := newEnv(t)
	cc := e.conn(t, testKey)
	ctl := pb.NewScsControlClient(cc)
	ctx := t.Context()
	if _, err := ctl.CreateCache(ctx, &pb.CreateCacheRequest{CacheName: "orders"}); err != nil {
		t.Fatal(err)
	}
	_, err := ctl.CreateCache(ctx, &pb.CreateCacheRequest{CacheName: "orders"})
	wantCode(t, "CreateCache of an existing cache", err, codes.AlreadyExists, "orders")
	list, err := ctl.ListCaches(ctx, &pb.ListCachesRequest{})
	var names []string
	for _, c := range list.GetCache() {
		names = append(names, c.CacheName)
	}
	if err != nil || strings.Join(names, ",") != "orders,weather" {
		t.Errorf("ListCaches = %v, %v; want orders, weather", names, err)
	}
	scs := pb.NewScsClient(cc)
	if _, err := scs.Set(inCache(t, "orders"), &pb.SetRequest{CacheKey: []byte("k"), CacheBody: []byte("v"), TtlMilliseconds: 1000}); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.FlushCache(ctx, &pb.FlushCacheRequest{CacheName: "orders"}); err != nil {
		t.Fatal(err)
	}
	if g, err := scs.Get(inCache(t, "orders"), &pb.GetRequest{CacheKey: []byte("k")}); err != nil || g.Result != pb.CacheResult_CACHE_RESULT_MISS {
		t.Errorf("Get after FlushCache = %v, %v; want a miss", g, err)
	}
	if _, err := ctl.DeleteCache(ctx, &pb.DeleteCacheRequest{CacheName: "orders"}); err != nil {
		t.Fatal(err)
	}
	_, err = ctl.DeleteCache(ctx, &pb.DeleteCacheRequest{CacheName: "orders"})
	wantCode(t, "DeleteCache of a missing cache", err, codes.NotFound, "Cache not found")
	_, err = ctl.FlushCache(ctx, &pb.FlushCacheRequest{CacheName: "orders"})
	wantCode(t, "FlushCache of a missing cache", err, codes.NotFound, "Cache not found")
	_, err = ctl.CreateCache(ctx, &pb.CreateCacheRequest{})
	wantCode(t, "CreateCache without a name", err, codes.InvalidArgument, "cache_name")
}

func TestClient(t *testing.T) {
	e := newEnv(t)
	c, err := Dial(e.addr, testKey, &tls.Config{RootCAs: e.tls.Pool})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	if err := e.http.Store().Set(testCache, []byte("k"), []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, found, err := c.Get(ctx, testCache, "k"); err != nil || !found || string(v) != "v" {
		t.Errorf("Get = %q, %t, %v; want a hit", v, found, err)
	}
	if _, found, err := c.Get(ctx, testCache, "other"); err != nil || found {
		t.Errorf("Get of a missing key = %t, %v; want a miss", found, err)
	}
	if _, _, err := c.Get(ctx, "nope", "k"); !errors.Is(err, momento.ErrCacheNotFound) {
		t.Errorf("Get on a missing cache = %v; want ErrCacheNotFound", err)
	}
	if names, err := c.ListCaches(ctx); err != nil || strings.Join(names, ",") != testCache {
		t.Errorf("ListCaches = %v, %v", names, err)
	}
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{})
	got := make(chan momento.TopicItem, 1)
	done := make(chan error, 1)
	go func() {
		done <- c.Subscribe(subCtx, testCache, "t", func() { close(ready) }, func(it momento.TopicItem) error { got <- it; return nil })
	}()
	<-ready
	if err := e.http.Store().Publish(testCache, "t", momento.Message{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if it := <-got; it.Text != "hi" || it.SequenceNumber != 1 {
		t.Errorf("Subscribe got %+v; want hi, sequence 1", it)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Subscribe after cancel = %v; want context.Canceled", err)
	}
	bad, _ := Dial(e.addr, "wrong-secret-key", &tls.Config{RootCAs: e.tls.Pool})
	defer bad.Close()
	if _, _, err := bad.Get(ctx, testCache, "k"); err == nil || strings.Contains(err.Error(), "wrong-secret-key") || !strings.Contains(err.Error(), "Unauthenticated") {
		t.Errorf("Get with a wrong key = %v; want Unauthenticated, without the key", err)
	}
}
