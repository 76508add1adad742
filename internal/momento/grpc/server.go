package momentogrpc

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/pipesim/pipesim/internal/momento"
	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

// DefaultHeartbeat is how often a quiet subscription gets a heartbeat.
const DefaultHeartbeat = 5 * time.Second

// maxRequest bounds a request message; past it grpc-go refuses it (RESOURCE_EXHAUSTED) unread.
const maxRequest = 16 << 20

// Config configures a Server.
type Config struct {
	// HTTP is the embedded HTTP API whose store, keys and faults this server shares. Required.
	HTTP *momento.Server
	// TLS, when set, is served to clients that open a TLS connection (LocalTLS.Config).
	TLS *tls.Config
	// RequireKey makes plain-text requests carry a valid key as TLS ones must.
	RequireKey bool
	// Heartbeat is how often a quiet subscription gets a heartbeat; 0 => DefaultHeartbeat.
	Heartbeat time.Duration
	// Logger receives one record per call (method, cache, code, duration; never the key);
	// nil => none.
	Logger *slog.Logger
}

// Server is the embedded Momento's gRPC API. It is safe for concurrent use.
type Server struct {
	cfg   Config
	store *momento.Store
	creds *sniffCreds
	grpc  *grpc.Server
}

// New returns a server over cfg.HTTP's store.
func New(cfg Config) *Server {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	s := &Server{cfg: cfg, store: cfg.HTTP.Store(), creds: newSniffCreds(cfg.TLS)}
	s.grpc = grpc.NewServer(
		grpc.Creds(s.creds),
		// Items reach 5 MB; a larger request is read and refused as a limit, as Momento does.
		grpc.MaxRecvMsgSize(maxRequest),
		grpc.ChainUnaryInterceptor(s.unaryGate),
		grpc.ChainStreamInterceptor(s.streamGate),
		grpc.UnknownServiceHandler(unimplemented),
	)
	pb.RegisterScsServer(s.grpc, &cacheService{s: s})
	pb.RegisterPubsubServer(s.grpc, &topicService{s: s})
	pb.RegisterScsControlServer(s.grpc, &controlService{s: s})
	return s
}

// routes maps methods to the fault-injection routes they share with the HTTP API: reads take
// cache-get's faults, writes cache-put's.
var routes = map[string]momento.Route{
	pb.Scs_Get_FullMethodName:            momento.RouteCacheGet,
	pb.Scs_KeysExist_FullMethodName:      momento.RouteCacheGet,
	pb.Scs_ItemGetTtl_FullMethodName:     momento.RouteCacheGet,
	pb.Scs_Set_FullMethodName:            momento.RouteCachePut,
	pb.Scs_SetIfNotExists_FullMethodName: momento.RouteCachePut,
	pb.Scs_Increment_FullMethodName:      momento.RouteCachePut,
	pb.Scs_UpdateTtl_FullMethodName:      momento.RouteCachePut,
	pb.Scs_Delete_FullMethodName:         momento.RouteCacheDelete,
	pb.Pubsub_Publish_FullMethodName:     momento.RouteTopicPublish,
	pb.Pubsub_Subscribe_FullMethodName:   momento.RouteTopicSubscribe,
}

func (s *Server) unaryGate(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	start := time.Now()
	defer func() { s.log(ctx, info.FullMethod, err, time.Since(start)) }()
	if err := s.gate(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (s *Server) streamGate(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	start := time.Now()
	defer func() { s.log(ss.Context(), info.FullMethod, err, time.Since(start)) }()
	if err := s.gate(ss.Context(), info.FullMethod); err != nil {
		return err
	}
	return handler(srv, ss)
}

// gate applies the method's fault, then checks the key, in the HTTP API's order: an injected
// failure answers even a request with a bad key, as a failing service would.
func (s *Server) gate(ctx context.Context, method string) error {
	if route, ok := routes[method]; ok {
		if err := s.fault(ctx, route); err != nil {
			return err
		}
	}
	return s.authorize(ctx)
}

// fault waits the route's latency and fails the call as its next status says.
func (s *Server) fault(ctx context.Context, route momento.Route) error {
	latency, code, _ := s.cfg.HTTP.NextFault(route)
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
	switch {
	case code == momento.StatusRefuse:
		s.creds.drop(ctx)
		return status.Error(codes.Unavailable, "injected fault: connection dropped")
	case code >= 300 && code <= 599:
		return status.Errorf(codeOf(code), "injected fault: %s", http.StatusText(code))
	}
	return nil
}

// codeOf is the gRPC code for an HTTP status, as Google's API gateways map them.
func codeOf(httpStatus int) codes.Code {
	switch httpStatus {
	case http.StatusBadRequest:
		return codes.InvalidArgument
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	case http.StatusNotFound:
		return codes.NotFound
	case http.StatusConflict:
		return codes.Aborted
	case http.StatusTooManyRequests:
		return codes.ResourceExhausted
	case http.StatusNotImplemented:
		return codes.Unimplemented
	case http.StatusServiceUnavailable, http.StatusBadGateway:
		return codes.Unavailable
	case http.StatusGatewayTimeout:
		return codes.DeadlineExceeded
	}
	if httpStatus >= 500 {
		return codes.Internal
	}
	if httpStatus >= 400 {
		return codes.FailedPrecondition
	}
	return codes.Unknown
}

// authorize checks the authorization metadata with the HTTP API's rule. An absent or empty key
// passes on plain text unless RequireKey is set.
func (s *Server) authorize(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	keys := md.Get("authorization")
	key := ""
	if len(keys) > 0 {
		key = keys[0]
	}
	switch {
	case len(keys) > 1:
		return status.Error(codes.Unauthenticated, "invalid API key: more than one authorization value")
	case key == "" && !s.cfg.RequireKey && !isTLS(ctx):
		return nil
	case key == "":
		return status.Error(codes.Unauthenticated, "missing API key: send it in the authorization metadata")
	case !s.cfg.HTTP.ValidKey(key):
		return status.Error(codes.Unauthenticated, "invalid API key")
	}
	return nil
}

// unimplemented answers every method pipesim does not serve, naming it.
func unimplemented(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	return status.Errorf(codes.Unimplemented, "pipesim's embedded Momento does not implement %s", method)
}

// storeError converts an error of the store into the status the SDKs read: NOT_FOUND "Cache
// not found", ALREADY_EXISTS, RESOURCE_EXHAUSTED with the limit's cause in the "err" trailer.
func storeError(ctx context.Context, cache string, err error) error {
	var lim *momento.LimitError
	switch {
	case errors.Is(err, momento.ErrCacheNotFound):
		return status.Errorf(codes.NotFound, "Cache not found: %s", cache)
	case errors.Is(err, momento.ErrCacheExists):
		return status.Errorf(codes.AlreadyExists, "Cache already exists: %s", cache)
	case errors.Is(err, momento.ErrNotANumber):
		return status.Error(codes.FailedPrecondition, "the item's value is not a base-10 integer, so it cannot be incremented")
	case errors.As(err, &lim):
		if lim.Cause != "" {
			_ = grpc.SetTrailer(ctx, metadata.Pairs("err", lim.Cause))
		}
		return status.Error(codes.ResourceExhausted, lim.Msg)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	}
	return status.Errorf(codes.Internal, "internal error: %v", err)
}

// cacheName reads the cache metadata of a data-plane call.
func cacheName(ctx context.Context) (string, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("cache"); len(v) == 1 && v[0] != "" {
		return v[0], nil
	}
	return "", status.Error(codes.InvalidArgument, "missing cache name: send it in the cache metadata")
}

func (s *Server) log(ctx context.Context, method string, err error, d time.Duration) {
	if s.cfg.Logger == nil {
		return
	}
	cache, _ := cacheName(ctx)
	s.cfg.Logger.LogAttrs(context.WithoutCancel(ctx), slog.LevelInfo, "momento gRPC call",
		slog.String("method", method), slog.String("cache", cache),
		slog.String("code", status.Code(err).String()), slog.Duration("duration", d))
}

// ttlOf reads a TTL in milliseconds: Momento refuses 0 and pipesim clamps what is over the
// store's maximum.
func ttlOf(ms uint64) (time.Duration, error) {
	if ms == 0 {
		return 0, status.Error(codes.InvalidArgument, "ttl_milliseconds must be positive")
	}
	const maxMS = uint64(1<<63-1) / uint64(time.Millisecond)
	return time.Duration(min(ms, maxMS)) * time.Millisecond, nil
}

func requireKey(k []byte) error {
	if len(k) == 0 {
		return status.Error(codes.InvalidArgument, "cache_key must not be empty")
	}
	return nil
}
