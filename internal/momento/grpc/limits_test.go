package momentogrpc

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/pipesim/pipesim/internal/momento"
	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

// httpDo sends one request to the HTTP API with the test key and returns its status.
func httpDo(t *testing.T, e *env, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, e.httpURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestFaultsCoverGRPC(t *testing.T) {
	e := newEnv(t)
	cc := e.conn(t, testKey)
	scs := pb.NewScsClient(cc)
	ctx := inCache(t, testCache)
	for spec, want := range map[string]codes.Code{
		"cache-get=503":      codes.Unavailable,
		"cache-get=429":      codes.ResourceExhausted,
		"cache-get=500":      codes.Internal,
		"cache-get=401":      codes.Unauthenticated,
		"cache-get=404":      codes.NotFound,
		"cache-get=400":      codes.InvalidArgument,
		"cache-get=refuse:1": codes.Unavailable,
	} {
		route, f, err := momento.ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		e.http.InjectFault(route, f)
		_, err = scs.Get(ctx, &pb.GetRequest{CacheKey: []byte("k")})
		wantCode(t, "Get with "+spec, err, want, "")
		if _, err := scs.Get(ctx, &pb.GetRequest{CacheKey: []byte("k")}); err != nil {
			t.Errorf("Get after the fault of %s was used up = %v; want success", spec, err)
		}
	}
	// Writes take cache-put's faults, whichever API they come by.
	e.http.InjectFault(momento.RouteCachePut, momento.Fault{Statuses: []int{503, 503}})
	_, err := scs.Set(ctx, &pb.SetRequest{CacheKey: []byte("k"), CacheBody: []byte("v"), TtlMilliseconds: 1000})
	wantCode(t, "gRPC Set under cache-put=503,503", err, codes.Unavailable, "injected fault")
	if got := httpDo(t, e, http.MethodPut, "/cache/weather?key=k&ttl_seconds=1", "v"); got != http.StatusServiceUnavailable {
		t.Errorf("HTTP PUT under the same fault = %d; want 503", got)
	}
	e.http.InjectFault(momento.RouteTopicPublish, momento.Fault{Statuses: []int{429}})
	_, err = pb.NewPubsubClient(cc).Publish(t.Context(), &pb.PublishRequest{CacheName: testCache, Topic: "t", Value: text("x")})
	wantCode(t, "Publish under topic-publish=429", err, codes.ResourceExhausted, "injected fault")

	e.http.InjectFault(momento.RouteCacheGet, momento.Fault{Latency: 300 * time.Millisecond})
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = scs.Get(short, &pb.GetRequest{CacheKey: []byte("k")})
	wantCode(t, "Get with latency past the deadline", err, codes.DeadlineExceeded, "")
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, func(m *momento.Config, _ *Config) {
		m.Limits = &momento.Limits{CacheOpsPerSecond: 3, TopicOpsPerSecond: 3, Subscriptions: 1}
	})
	scs := pb.NewScsClient(e.conn(t, testKey))
	ctx := inCache(t, testCache)
	// Three operations a second on the cache, over both APIs together.
	if _, err := scs.Get(ctx, &pb.GetRequest{CacheKey: []byte("k")}); err != nil {
		t.Fatal(err)
	}
	if got := httpDo(t, e, http.MethodGet, "/cache/weather?key=k", ""); got != http.StatusNotFound {
		t.Fatalf("second operation = %d; want 404 Key Not Found", got)
	}
	if _, err := scs.Get(ctx, &pb.GetRequest{CacheKey: []byte("k")}); err != nil {
		t.Fatal(err)
	}
	var trailer metadata.MD
	_, err := scs.Get(ctx, &pb.GetRequest{CacheKey: []byte("k")}, grpc.Trailer(&trailer))
	wantCode(t, "fourth operation in a second", err, codes.ResourceExhausted, "Request rate limit exceeded")
	if got := trailer.Get("err"); !cmp.Equal(got, []string{momento.CauseRequestRate}) {
		t.Errorf("err trailer = %q; want %q", got, momento.CauseRequestRate)
	}
	if got := httpDo(t, e, http.MethodPut, "/cache/weather?key=k&ttl_seconds=1", "v"); got != http.StatusTooManyRequests {
		t.Errorf("HTTP PUT past the limit = %d; want 429 (which Pipes retries)", got)
	}
	e.clock.Advance(time.Second)
	if _, err := scs.Get(ctx, &pb.GetRequest{CacheKey: []byte("k")}); err != nil {
		t.Errorf("Get in the next second = %v; want success", err)
	}
	// KeysExist costs one operation per key.
	three := &pb.KeysExistRequest{CacheKeys: [][]byte{[]byte("a"), []byte("b"), []byte("c")}}
	_, err = scs.KeysExist(ctx, three)
	wantCode(t, "KeysExist of 3 keys after 1 operation", err, codes.ResourceExhausted, "Request rate limit exceeded")
	e.clock.Advance(time.Second)
	if _, err := scs.KeysExist(ctx, three); err != nil {
		t.Errorf("KeysExist of 3 keys in a fresh second = %v; want success", err)
	}

	// One subscription on the cache, which costs a topic operation; a refused one costs none;
	// a publish costs 1 + one per subscription.
	ps := pb.NewPubsubClient(e.conn(t, testKey))
	subscribe(t, ps, &pb.SubscriptionRequest{CacheName: testCache, Topic: "t"})
	stream, err := ps.Subscribe(t.Context(), &pb.SubscriptionRequest{CacheName: testCache, Topic: "other"})
	if err == nil {
		_, err = stream.Recv()
	}
	wantCode(t, "second subscription", err, codes.ResourceExhausted, "subscriptions limit exceeded")
	if got := httpDo(t, e, http.MethodGet, "/topics/weather/t", ""); got != http.StatusTooManyRequests {
		t.Errorf("HTTP long poll past the subscriptions limit = %d; want 429", got)
	}
	if _, err := ps.Publish(t.Context(), &pb.PublishRequest{CacheName: testCache, Topic: "t", Value: text("x")}); err != nil {
		t.Errorf("publish costing 2 after the subscribe's 1, of 3 = %v; want success", err)
	}
	_, err = ps.Publish(t.Context(), &pb.PublishRequest{CacheName: testCache, Topic: "t", Value: text("x")})
	wantCode(t, "publish past the topic operations", err, codes.ResourceExhausted, "Request rate limit exceeded")
}

func TestMemoryCap(t *testing.T) {
	e := newEnv(t, func(m *momento.Config, _ *Config) { m.MaxBytes = 4096 })
	scs := pb.NewScsClient(e.conn(t, testKey))
	ctx := inCache(t, testCache)
	value := make([]byte, 1000)
	var err error
	stored := 0
	for ; stored < 10; stored++ {
		if _, err = scs.Set(ctx, &pb.SetRequest{CacheKey: []byte{byte('a' + stored)}, CacheBody: value, TtlMilliseconds: 1000}); err != nil {
			break
		}
	}
	if stored != 3 {
		t.Errorf("1000-byte items stored under a 4096-byte cap = %d; want 3", stored)
	}
	wantCode(t, "Set when full", err, codes.ResourceExhausted, "memory is full")
	if got := httpDo(t, e, http.MethodPut, "/cache/weather?key=z&ttl_seconds=1", string(value)); got != http.StatusTooManyRequests {
		t.Errorf("HTTP PUT when full = %d; want 429", got)
	}
	// Expired items make room.
	e.clock.Advance(time.Second)
	if _, err := scs.Set(ctx, &pb.SetRequest{CacheKey: []byte("new"), CacheBody: value, TtlMilliseconds: 1000}); err != nil {
		t.Errorf("Set once the items expired = %v; want success", err)
	}
	// Deleting frees too.
	if _, err := scs.Delete(ctx, &pb.DeleteRequest{CacheKey: []byte("new")}); err != nil {
		t.Fatal(err)
	}
	if used := e.http.Store().BytesUsed(); used > 1024 {
		t.Errorf("bytes used after everything expired or was deleted = %d; want only the bookkeeping", used)
	}
}
