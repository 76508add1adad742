package momentogrpc

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pipesim/pipesim/internal/momento"
	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

// cacheService is cache_client.Scs over the store.
type cacheService struct {
	pb.UnimplementedScsServer
	s *Server
}

func (c *cacheService) Get(ctx context.Context, req *pb.GetRequest) (*pb.GetResponse, error) {
	cache, err := cacheName(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireKey(req.CacheKey); err != nil {
		return nil, err
	}
	value, hit, err := c.s.store.Get(cache, req.CacheKey)
	if err != nil {
		return nil, storeError(ctx, cache, err)
	}
	if !hit {
		return &pb.GetResponse{Result: pb.CacheResult_CACHE_RESULT_MISS}, nil
	}
	return &pb.GetResponse{Result: pb.CacheResult_CACHE_RESULT_HIT, CacheBody: value}, nil
}

func (c *cacheService) Set(ctx context.Context, req *pb.SetRequest) (*pb.SetResponse, error) {
	cache, ttl, err := writeArgs(ctx, req.CacheKey, req.TtlMilliseconds)
	if err != nil {
		return nil, err
	}
	if err := c.s.store.Set(cache, req.CacheKey, req.CacheBody, ttl); err != nil {
		return nil, storeError(ctx, cache, err)
	}
	return &pb.SetResponse{Result: pb.CacheResult_CACHE_RESULT_OK}, nil
}

// writeArgs reads what every write needs: the cache, a key and a positive TTL.
func writeArgs(ctx context.Context, key []byte, ttlMS uint64) (string, time.Duration, error) {
	cache, err := cacheName(ctx)
	if err != nil {
		return "", 0, err
	}
	if err := requireKey(key); err != nil {
		return "", 0, err
	}
	ttl, err := ttlOf(ttlMS)
	return cache, ttl, err
}

func (c *cacheService) Delete(ctx context.Context, req *pb.DeleteRequest) (*pb.DeleteResponse, error) {
	cache, err := cacheName(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireKey(req.CacheKey); err != nil {
		return nil, err
	}
	if err := c.s.store.Delete(cache, req.CacheKey); err != nil {
		return nil, storeError(ctx, cache, err)
	}
	return &pb.DeleteResponse{}, nil
}

func (c *cacheService) SetIfNotExists(ctx context.Context, req *pb.SetIfNotExistsRequest) (*pb.SetIfNotExistsResponse, error) {
	cache, ttl, err := writeArgs(ctx, req.CacheKey, req.TtlMilliseconds)
	if err != nil {
		return nil, err
	}
	stored, err := c.s.store.SetIfNotExists(cache, req.CacheKey, req.CacheBody, ttl)
	if err != nil {
		return nil, storeError(ctx, cache, err)
	}
	if stored {
		return &pb.SetIfNotExistsResponse{Result: &pb.SetIfNotExistsResponse_Stored{Stored: &pb.Stored{}}}, nil
	}
	return &pb.SetIfNotExistsResponse{Result: &pb.SetIfNotExistsResponse_NotStored{NotStored: &pb.NotStored{}}}, nil
}

func (c *cacheService) KeysExist(ctx context.Context, req *pb.KeysExistRequest) (*pb.KeysExistResponse, error) {
	cache, err := cacheName(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range req.CacheKeys {
		if err := requireKey(k); err != nil {
			return nil, err
		}
	}
	exists, err := c.s.store.KeysExist(cache, req.CacheKeys)
	if err != nil {
		return nil, storeError(ctx, cache, err)
	}
	return &pb.KeysExistResponse{Exists: exists}, nil
}

// Increment creates a missing key with the amount; its TTL, when 0, is the SDK's "none given":
// the item then gets the maximum TTL (pipesim's choice; Momento's SDKs send their default TTL).
func (c *cacheService) Increment(ctx context.Context, req *pb.IncrementRequest) (*pb.IncrementResponse, error) {
	cache, err := cacheName(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireKey(req.CacheKey); err != nil {
		return nil, err
	}
	ttl := momento.MaxTTL
	if req.TtlMilliseconds > 0 {
		ttl, _ = ttlOf(req.TtlMilliseconds)
	}
	v, err := c.s.store.Increment(cache, req.CacheKey, req.Amount, ttl)
	if err != nil {
		return nil, storeError(ctx, cache, err)
	}
	return &pb.IncrementResponse{Value: v}, nil
}

func (c *cacheService) UpdateTtl(ctx context.Context, req *pb.UpdateTTLRequest) (*pb.UpdateTTLResponse, error) {
	cache, err := cacheName(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireKey(req.CacheKey); err != nil {
		return nil, err
	}
	how, ms, err := ttlUpdate(req)
	if err != nil {
		return nil, err
	}
	ttl, err := ttlOf(ms)
	if err != nil {
		return nil, err
	}
	res, err := c.s.store.UpdateTTL(cache, req.CacheKey, how, ttl)
	if err != nil {
		return nil, storeError(ctx, cache, err)
	}
	switch res {
	case momento.TTLSet:
		return &pb.UpdateTTLResponse{Result: &pb.UpdateTTLResponse_Set{Set: &pb.TTLSet{}}}, nil
	case momento.TTLNotSet:
		return &pb.UpdateTTLResponse{Result: &pb.UpdateTTLResponse_NotSet{NotSet: &pb.TTLNotSet{}}}, nil
	}
	return &pb.UpdateTTLResponse{Result: &pb.UpdateTTLResponse_Missing{Missing: &pb.Missing{}}}, nil
}

func ttlUpdate(req *pb.UpdateTTLRequest) (momento.TTLUpdate, uint64, error) {
	switch u := req.UpdateTtl.(type) {
	case *pb.UpdateTTLRequest_IncreaseToMilliseconds:
		return momento.TTLIncrease, u.IncreaseToMilliseconds, nil
	case *pb.UpdateTTLRequest_DecreaseToMilliseconds:
		return momento.TTLDecrease, u.DecreaseToMilliseconds, nil
	case *pb.UpdateTTLRequest_OverwriteToMilliseconds:
		return momento.TTLOverwrite, u.OverwriteToMilliseconds, nil
	}
	return 0, 0, status.Error(codes.InvalidArgument, "update_ttl: set one of increase_to_milliseconds, decrease_to_milliseconds, overwrite_to_milliseconds")
}

func (c *cacheService) ItemGetTtl(ctx context.Context, req *pb.ItemGetTTLRequest) (*pb.ItemGetTTLResponse, error) {
	cache, err := cacheName(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireKey(req.CacheKey); err != nil {
		return nil, err
	}
	left, found, err := c.s.store.ItemTTL(cache, req.CacheKey)
	if err != nil {
		return nil, storeError(ctx, cache, err)
	}
	if !found {
		return &pb.ItemGetTTLResponse{Result: &pb.ItemGetTTLResponse_Missing{Missing: &pb.Missing{}}}, nil
	}
	return &pb.ItemGetTTLResponse{Result: &pb.ItemGetTTLResponse_Found{Found: &pb.TTLFound{RemainingTtlMillis: uint64(left / time.Millisecond)}}}, nil
}
