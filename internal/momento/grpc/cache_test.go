package momentogrpc

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/pipesim/pipesim/internal/momento"
	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

func TestCacheGetSetDelete(t *testing.T) {
	e := newEnv(t)
	c := pb.NewScsClient(e.conn(t, testKey))
	ctx := inCache(t, testCache)
	if _, err := c.Set(ctx, &pb.SetRequest{CacheKey: []byte("Phoenix"), CacheBody: []byte(`{"MaxTemp":"80"}`), TtlMilliseconds: 60_000}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, &pb.GetRequest{CacheKey: []byte("Phoenix")})
	if err != nil || got.Result != pb.CacheResult_CACHE_RESULT_HIT || string(got.CacheBody) != `{"MaxTemp":"80"}` {
		t.Errorf("Get after Set = %v, %v; want a hit with the value", got, err)
	}
	if _, err := c.Delete(ctx, &pb.DeleteRequest{CacheKey: []byte("Phoenix")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(ctx, &pb.DeleteRequest{CacheKey: []byte("Phoenix")}); err != nil {
		t.Errorf("Delete of a missing key = %v; want success", err)
	}
	got, err = c.Get(ctx, &pb.GetRequest{CacheKey: []byte("Phoenix")})
	if err != nil || got.Result != pb.CacheResult_CACHE_RESULT_MISS {
		t.Errorf("Get after Delete = %v, %v; want a miss", got, err)
	}
}

func TestCacheTTL(t *testing.T) {
	e := newEnv(t)
	c := pb.NewScsClient(e.conn(t, testKey))
	ctx := inCache(t, testCache)
	if _, err := c.Set(ctx, &pb.SetRequest{CacheKey: []byte("k"), CacheBody: []byte("v"), TtlMilliseconds: 2000}); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.ItemGetTtl(ctx, &pb.ItemGetTTLRequest{CacheKey: []byte("k")})
	if err != nil || ttl.GetFound().GetRemainingTtlMillis() != 2000 {
		t.Errorf("ItemGetTtl = %v, %v; want 2000 ms left", ttl, err)
	}
	update := func(u *pb.UpdateTTLRequest) *pb.UpdateTTLResponse {
		t.Helper()
		u.CacheKey = []byte("k")
		r, err := c.UpdateTtl(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := update(&pb.UpdateTTLRequest{UpdateTtl: &pb.UpdateTTLRequest_IncreaseToMilliseconds{IncreaseToMilliseconds: 1000}}); r.GetNotSet() == nil {
		t.Errorf("increase to a shorter TTL = %v; want NotSet", r)
	}
	if r := update(&pb.UpdateTTLRequest{UpdateTtl: &pb.UpdateTTLRequest_IncreaseToMilliseconds{IncreaseToMilliseconds: 5000}}); r.GetSet() == nil {
		t.Errorf("increase to a longer TTL = %v; want Set", r)
	}
	if r := update(&pb.UpdateTTLRequest{UpdateTtl: &pb.UpdateTTLRequest_DecreaseToMilliseconds{DecreaseToMilliseconds: 9000}}); r.GetNotSet() == nil {
		t.Errorf("decrease to a longer TTL = %v; want NotSet", r)
	}
	if r := update(&pb.UpdateTTLRequest{UpdateTtl: &pb.UpdateTTLRequest_OverwriteToMilliseconds{OverwriteToMilliseconds: 3000}}); r.GetSet() == nil {
		t.Errorf("overwrite = %v; want Set", r)
	}
	e.clock.Advance(2999 * time.Millisecond)
	if ttl, _ := c.ItemGetTtl(ctx, &pb.ItemGetTTLRequest{CacheKey: []byte("k")}); ttl.GetFound().GetRemainingTtlMillis() != 1 {
		t.Errorf("ItemGetTtl 2999 ms after a 3000 ms overwrite = %v; want 1 ms left", ttl)
	}
	e.clock.Advance(time.Millisecond)
	if ttl, _ := c.ItemGetTtl(ctx, &pb.ItemGetTTLRequest{CacheKey: []byte("k")}); ttl.GetMissing() == nil {
		t.Errorf("ItemGetTtl after expiry = %v; want Missing", ttl)
	}
	if r := update(&pb.UpdateTTLRequest{UpdateTtl: &pb.UpdateTTLRequest_OverwriteToMilliseconds{OverwriteToMilliseconds: 3000}}); r.GetMissing() == nil {
		t.Errorf("UpdateTtl of an expired key = %v; want Missing", r)
	}
	if _, err := c.Set(ctx, &pb.SetRequest{CacheKey: []byte("long"), CacheBody: []byte("v"), TtlMilliseconds: uint64(48 * time.Hour / time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	if ttl, _ := c.ItemGetTtl(ctx, &pb.ItemGetTTLRequest{CacheKey: []byte("long")}); ttl.GetFound().GetRemainingTtlMillis() != uint64(24*time.Hour/time.Millisecond) {
		t.Errorf("ItemGetTtl of a 48 h set = %v; want clamped to 24 h", ttl)
	}
}

func TestSetIfNotExistsKeysExistIncrement(t *testing.T) {
	e := newEnv(t)
	c := pb.NewScsClient(e.conn(t, testKey))
	ctx := inCache(t, testCache)
	r, err := c.SetIfNotExists(ctx, &pb.SetIfNotExistsRequest{CacheKey: []byte("a"), CacheBody: []byte("1"), TtlMilliseconds: 1000})
	if err != nil || r.GetStored() == nil {
		t.Errorf("SetIfNotExists of a new key = %v, %v; want Stored", r, err)
	}
	r, err = c.SetIfNotExists(ctx, &pb.SetIfNotExistsRequest{CacheKey: []byte("a"), CacheBody: []byte("2"), TtlMilliseconds: 1000})
	if err != nil || r.GetNotStored() == nil {
		t.Errorf("SetIfNotExists of an existing key = %v, %v; want NotStored", r, err)
	}
	ex, err := c.KeysExist(ctx, &pb.KeysExistRequest{CacheKeys: [][]byte{[]byte("a"), []byte("b")}})
	if err != nil || !cmp.Equal(ex.Exists, []bool{true, false}) {
		t.Errorf("KeysExist(a, b) = %v, %v; want [true false]", ex, err)
	}
	for _, tt := range []struct {
		amount, want int64
	}{{5, 5}, {-7, -2}} {
		got, err := c.Increment(ctx, &pb.IncrementRequest{CacheKey: []byte("n"), Amount: tt.amount, TtlMilliseconds: 60_000})
		if err != nil || got.Value != tt.want {
			t.Errorf("Increment(%d) = %v, %v; want %d", tt.amount, got, err, tt.want)
		}
	}
	if g, _ := c.Get(ctx, &pb.GetRequest{CacheKey: []byte("n")}); string(g.CacheBody) != "-2" {
		t.Errorf("Get of an incremented key = %q; want the number as text", g.CacheBody)
	}
	if _, err := c.Set(ctx, &pb.SetRequest{CacheKey: []byte("word"), CacheBody: []byte("abc"), TtlMilliseconds: 1000}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Increment(ctx, &pb.IncrementRequest{CacheKey: []byte("word"), Amount: 1})
	wantCode(t, "Increment of a non-number", err, codes.FailedPrecondition, "not a base-10 integer")
}

func TestCacheErrors(t *testing.T) {
	e := newEnv(t)
	c := pb.NewScsClient(e.conn(t, testKey))
	ctx := inCache(t, testCache)
	_, err := c.Get(inCache(t, "nope"), &pb.GetRequest{CacheKey: []byte("k")})
	wantCode(t, "Get on a missing cache", err, codes.NotFound, "Cache not found")
	_, err = c.Set(inCache(t, "nope"), &pb.SetRequest{CacheKey: []byte("k"), TtlMilliseconds: 1})
	wantCode(t, "Set on a missing cache", err, codes.NotFound, "Cache not found")
	_, err = c.Get(ctx, &pb.GetRequest{})
	wantCode(t, "Get with an empty key", err, codes.InvalidArgument, "cache_key")
	_, err = c.Set(ctx, &pb.SetRequest{CacheKey: []byte("k"), CacheBody: []byte("v")})
	wantCode(t, "Set with TTL 0", err, codes.InvalidArgument, "ttl_milliseconds")
	_, err = c.Get(t.Context(), &pb.GetRequest{CacheKey: []byte("k")})
	wantCode(t, "Get without cache metadata", err, codes.InvalidArgument, "cache metadata")

	var trailer metadata.MD
	big := make([]byte, momento.MaxItemSize)
	_, err = c.Set(ctx, &pb.SetRequest{CacheKey: []byte("k"), CacheBody: big, TtlMilliseconds: 1000}, grpc.Trailer(&trailer), grpc.MaxCallSendMsgSize(8<<20))
	wantCode(t, "Set of 5 MiB plus a key", err, codes.ResourceExhausted, "item size limit exceeded")
	if got := trailer.Get("err"); !cmp.Equal(got, []string{momento.CauseItemSize}) {
		t.Errorf("err trailer of a too-large Set = %q; want %q (what the SDKs read)", got, momento.CauseItemSize)
	}
}

func TestUnknownMethodIsUnimplemented(t *testing.T) {
	e := newEnv(t)
	cc := e.conn(t, testKey)
	for _, method := range []string{"/cache_client.Scs/DictionaryFetch", "/cache_client.Scs/GetBatch", "/leaderboard.Leaderboard/UpsertElements"} {
		err := cc.Invoke(inCache(t, testCache), method, &pb.GetRequest{}, &pb.GetResponse{})
		wantCode(t, method, err, codes.Unimplemented, method)
	}
}

func TestKeys(t *testing.T) {
	e := newEnv(t, func(_ *momento.Config, g *Config) {})
	get := func(cc *grpc.ClientConn) error {
		_, err := pb.NewScsClient(cc).Get(inCache(t, testCache), &pb.GetRequest{CacheKey: []byte("k")})
		return err
	}
	if err := get(e.conn(t, "")); err != nil {
		t.Errorf("plain text without a key (forMomentoLocal) = %v; want accepted", err)
	}
	wantCode(t, "plain text with a wrong key", get(e.conn(t, "wrong")), codes.Unauthenticated, "invalid API key")
	if err := get(e.conn(t, testKey)); err != nil {
		t.Errorf("plain text with the key = %v", err)
	}
	wantCode(t, "TLS without a key", get(e.tlsConn(t, "")), codes.Unauthenticated, "missing API key")
	wantCode(t, "TLS with a wrong key", get(e.tlsConn(t, "wrong")), codes.Unauthenticated, "invalid API key")
	if err := get(e.tlsConn(t, testKey)); err != nil {
		t.Errorf("TLS with the key = %v", err)
	}

	strict := newEnv(t, func(_ *momento.Config, g *Config) { g.RequireKey = true })
	wantCode(t, "plain text without a key, RequireKey", get(strict.conn(t, "")), codes.Unauthenticated, "missing API key")
}

func TestKeyNeverInAnswerOrLog(t *testing.T) {
	var log strings.Builder
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	e := newEnv(t, func(_ *momento.Config, g *Config) {
		g.Logger = newTestLogger(&log, mu)
	})
	secret := "wrong-key-that-must-not-leak"
	_, err := pb.NewScsClient(e.conn(t, secret)).Get(inCache(t, testCache), &pb.GetRequest{CacheKey: []byte("k")})
	_, _ = pb.NewScsClient(e.conn(t, testKey)).Get(inCache(t, testCache), &pb.GetRequest{CacheKey: []byte("k")})
	<-mu
	defer func() { mu <- struct{}{} }()
	if strings.Contains(err.Error(), secret) || strings.Contains(log.String(), secret) || strings.Contains(log.String(), testKey) {
		t.Errorf("the key leaked: answer %v; log %s", err, log.String())
	}
	if !strings.Contains(log.String(), "/cache_client.Scs/Get") || !strings.Contains(log.String(), "code=Unauthenticated") {
		t.Errorf("log = %s; want a line per call with the method and code", log.String())
	}
}

func TestResponsesAreWellFormed(t *testing.T) {
	// The messages' field numbers are the protocol: a GetResponse hit must encode result 2 in
	// field 1 and the body in field 2, as the SDKs decode them.
	b, err := proto.Marshal(&pb.GetResponse{Result: pb.CacheResult_CACHE_RESULT_HIT, CacheBody: []byte("v")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x08, 0x02, 0x12, 0x01, 'v'}; !cmp.Equal(b, want) {
		t.Errorf("GetResponse hit encodes as % x; want % x", b, want)
	}
}
