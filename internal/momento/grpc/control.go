package momentogrpc

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

// controlService is control_client.ScsControl over the store.
type controlService struct {
	pb.UnimplementedScsControlServer
	s *Server
}

func requireName(name string) error {
	if name == "" {
		return status.Error(codes.InvalidArgument, "cache_name must not be empty")
	}
	return nil
}

func (c *controlService) CreateCache(ctx context.Context, req *pb.CreateCacheRequest) (*pb.CreateCacheResponse, error) {
	if err := requireName(req.CacheName); err != nil {
		return nil, err
	}
	if err := c.s.store.CreateCache(req.CacheName); err != nil {
		return nil, storeError(ctx, req.CacheName, err)
	}
	return &pb.CreateCacheResponse{}, nil
}

func (c *controlService) DeleteCache(ctx context.Context, req *pb.DeleteCacheRequest) (*pb.DeleteCacheResponse, error) {
	if err := requireName(req.CacheName); err != nil {
		return nil, err
	}
	if err := c.s.store.DeleteCache(req.CacheName); err != nil {
		return nil, storeError(ctx, req.CacheName, err)
	}
	return &pb.DeleteCacheResponse{}, nil
}

func (c *controlService) FlushCache(ctx context.Context, req *pb.FlushCacheRequest) (*pb.FlushCacheResponse, error) {
	if err := requireName(req.CacheName); err != nil {
		return nil, err
	}
	if err := c.s.store.FlushCache(req.CacheName); err != nil {
		return nil, storeError(ctx, req.CacheName, err)
	}
	return &pb.FlushCacheResponse{}, nil
}

// ListCaches answers every cache in one page (a local server has few).
func (c *controlService) ListCaches(context.Context, *pb.ListCachesRequest) (*pb.ListCachesResponse, error) {
	resp := &pb.ListCachesResponse{}
	for _, name := range c.s.store.Caches() {
		resp.Cache = append(resp.Cache, &pb.CacheInfo{CacheName: name})
	}
	return resp, nil
}
