package momentogrpc

import (
	"context"
	"crypto/tls"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/pipesim/pipesim/internal/momento"
	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

const (
	testKey   = "test-key-0123456789"
	testCache = "weather"
)

// fakeClock is a settable clock for TTL tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is an embedded Momento with both APIs on random loopback ports.
type env struct {
	http    *momento.Server
	httpURL string
	grpc    *Server
	addr    string
	tls     *momento.LocalTLS
	clock   *fakeClock
}

type envOption func(*momento.Config, *Config)

// newEnv starts the HTTP API (httptest, loopback) and the gRPC API on 127.0.0.1:0 over one
// store, with testKey, testCache and a fake clock.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)}
	mcfg := momento.Config{Token: testKey, Caches: []string{testCache}, Now: clock.Now, PollTimeout: 2 * time.Second}
	lt, err := momento.LoadTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gcfg := Config{TLS: lt.Config, Heartbeat: 100 * time.Millisecond}
	for _, o := range opts {
		o(&mcfg, &gcfg)
	}
	hs := momento.NewServer(mcfg)
	gcfg.HTTP = hs
	web := httptest.NewServer(hs)
	t.Cleanup(web.Close)
	gs := New(gcfg)
	running, err := gs.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = running.Close() })
	return &env{http: hs, httpURL: web.URL, grpc: gs, addr: running.Addr(), tls: lt, clock: clock}
}

// conn dials the gRPC API in plain text, sending key (none when "") with every call.
func (e *env) conn(t *testing.T, key string) *grpc.ClientConn {
	t.Helper()
	return e.dial(t, insecure.NewCredentials(), key)
}

// tlsConn dials over TLS, trusting the local CA.
func (e *env) tlsConn(t *testing.T, key string) *grpc.ClientConn {
	t.Helper()
	return e.dial(t, credentials.NewTLS(&tls.Config{RootCAs: e.tls.Pool}), key)
}

func (e *env) dial(t *testing.T, creds credentials.TransportCredentials, key string) *grpc.ClientConn {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(creds)}
	if key != "" {
		opts = append(opts, grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, o ...grpc.CallOption) error {
			return invoker(metadata.AppendToOutgoingContext(ctx, "authorization", key), method, req, reply, cc, o...)
		}), grpc.WithStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, o ...grpc.CallOption) (grpc.ClientStream, error) {
			return streamer(metadata.AppendToOutgoingContext(ctx, "authorization", key), desc, cc, method, o...)
		}))
	}
	cc, err := grpc.NewClient(e.addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

// inCache is a context whose calls name cache in the cache metadata, with a test deadline.
func inCache(t *testing.T, cache string) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return metadata.AppendToOutgoingContext(ctx, "cache", cache)
}

// wantCode fails unless err is a status with code and a message containing msg.
func wantCode(t *testing.T, what string, err error, code codes.Code, msg string) {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code || !strings.Contains(st.Message(), msg) {
		t.Errorf("%s = %v; want %s containing %q", what, err, code, msg)
	}
}

// recv reads the next stream message, failing the test after a few seconds.
func recv(t *testing.T, stream pb.Pubsub_SubscribeClient) *pb.SubscriptionItem {
	t.Helper()
	type result struct {
		it  *pb.SubscriptionItem
		err error
	}
	ch := make(chan result, 1)
	go func() { it, err := stream.Recv(); ch <- result{it, err} }()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Recv = %v", r.err)
		}
		return r.it
	case <-time.After(5 * time.Second):
		t.Fatal("no stream message within 5s")
	}
	return nil
}

// nextItem skips heartbeats.
func nextItem(t *testing.T, stream pb.Pubsub_SubscribeClient) *pb.SubscriptionItem {
	t.Helper()
	for {
		if it := recv(t, stream); it.GetHeartbeat() == nil {
			return it
		}
	}
}
