package momento

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits and defaults of the service. Sizes follow Momento's published limits.
const (
	// MaxItemSize bounds a cache item, key and value together (Momento: 5 MB).
	MaxItemSize = 5 << 20
	// MaxMessageSize bounds a published topic message (Momento: 4 KB).
	MaxMessageSize = 4 << 10
	// MaxTTL is the longest TTL an on-demand cache keeps; longer TTLs are clamped to it.
	MaxTTL = 24 * time.Hour
	// DefaultPollTimeout is how long a subscribe long-poll waits before answering an empty 200.
	DefaultPollTimeout = 30 * time.Second
	// DefaultTopicBuffer is how many recent messages a topic keeps for replay.
	DefaultTopicBuffer = 256
)

// Sentinel errors of the store, the client and ParseFault.
var (
	// ErrCacheNotFound: the cache does not exist (404 "Cache Not Found").
	ErrCacheNotFound = errors.New("cache not found")
	// ErrFaultSpec: a fault specification does not parse.
	ErrFaultSpec = errors.New("bad fault spec")
	// ErrCacheExists: CreateCache of a cache that exists (gRPC ALREADY_EXISTS).
	ErrCacheExists = errors.New("cache already exists")
	// ErrNotANumber: Increment of an item whose value is not a base-10 integer.
	ErrNotANumber = errors.New("the item's value is not a base-10 integer")
	// ErrLimitExceeded is what every *LimitError is (errors.Is): Momento's "limit exceeded",
	// HTTP 429 and gRPC RESOURCE_EXHAUSTED.
	ErrLimitExceeded = errors.New("limit exceeded")

	// errTooLarge marks a body over its limit (answered with Config.TooLargeStatus).
	errTooLarge = errors.New("body too large")
)

// Config configures a Server. The zero value is usable: any non-empty token, no caches.
type Config struct {
	Token       string           // "" accepts any non-empty token
	Caches      []string         // created at start
	PollTimeout time.Duration    // long-poll wait before an empty 200; 0 => DefaultPollTimeout
	Now         func() time.Time // nil => time.Now (for TTL tests)

	// MaxTTL is the TTL clamp; 0 => MaxTTL (24 h, on-demand caches); negative => no clamp
	// (provisioned caches).
	MaxTTL time.Duration
	// TopicBuffer is how many messages each topic keeps for replay; 0 => DefaultTopicBuffer.
	TopicBuffer int
	// TooLargeStatus answers an item or message over the size limit; 0 => 429, the status
	// Momento's HTTP API documents for "account limits were exceeded" (the SDKs call a size
	// error LimitExceeded).
	TooLargeStatus int
	// Now, MaxTTL, TopicBuffer, MaxBytes and Limits configure the store NewServer makes (see
	// StoreConfig); unused when Store is set, whose own settings then apply.
	MaxBytes int64
	Limits   *Limits
	// Store is the state to serve; nil => a new store. Give the gRPC server the same one
	// (Server.Store) so both APIs share it.
	Store *Store
	// Logger receives one record per request (route, cache, status, duration; never the
	// token or the query string); nil => no request logs.
	Logger *slog.Logger
}

// Server is the embedded Momento HTTP API. It is safe for concurrent use; its state lives in
// memory and is lost when the process ends.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	store  *Store
	caches *cacheStore // store.caches and store.topics, for the package's own tests
	topics *topicStore
	faults faultTable
}

// NewServer returns a server with cfg.Caches created.
func NewServer(cfg Config) *Server {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	if cfg.TooLargeStatus == 0 {
		cfg.TooLargeStatus = http.StatusTooManyRequests
	}
	if cfg.Store == nil { // NewStore gives Now, MaxTTL and TopicBuffer their defaults
		cfg.Store = NewStore(StoreConfig{Now: cfg.Now, MaxTTL: cfg.MaxTTL, TopicBuffer: cfg.TopicBuffer,
			MaxBytes: cfg.MaxBytes, Limits: cfg.Limits})
	}
	s := &Server{
		cfg:    cfg,
		store:  cfg.Store,
		caches: cfg.Store.caches,
		topics: cfg.Store.topics,
		faults: faultTable{byRoute: map[Route]*faultState{}},
	}
	for _, name := range cfg.Caches {
		s.CreateCache(name)
	}
	s.routes()
	return s
}

// CreateCache creates the named cache; creating an existing cache keeps its items. An empty
// name is ignored: no request can address it.
func (s *Server) CreateCache(name string) { s.store.EnsureCache(name) }

// Store is the state the server serves, to share with the gRPC server.
func (s *Server) Store() *Store { return s.store }

// ServeHTTP answers one Momento HTTP API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.handle("GET /cache/{cache}", RouteCacheGet, s.cacheGet)
	s.handle("PUT /cache/{cache}", RouteCachePut, s.cachePut)
	s.handle("DELETE /cache/{cache}", RouteCacheDelete, s.cacheDelete)
	s.handle("POST /topics/{cache}/{topic}", RouteTopicPublish, s.topicPublish)
	s.handle("GET /topics/{cache}/{topic}", RouteTopicSubscribe, s.topicSubscribe)
}

// handle registers h under pattern behind fault injection, authentication and logging.
func (s *Server) handle(pattern string, route Route, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() { s.logRequest(r, route, rec.status, time.Since(start)) }()
		if s.injectFault(w, rec, r, route) {
			return
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			writeError(rec, http.StatusBadRequest, "malformed query string: "+queryErrorText(err))
			return
		}
		if !s.authorize(rec, r, q) {
			return
		}
		h(rec, r, q)
	})
}

// handlerFunc serves one route once the query has been parsed and the token checked.
type handlerFunc func(w http.ResponseWriter, r *http.Request, q url.Values)

// queryErrorText describes a query parse error without quoting the query, which may hold the
// token.
func queryErrorText(err error) string {
	var esc url.EscapeError
	if errors.As(err, &esc) {
		return "invalid percent-encoding"
	}
	if strings.Contains(err.Error(), "semicolon") {
		return "semicolons are not separators; percent-encode them"
	}
	return "cannot parse"
}

// authorize checks the token, which travels in the Authorization header or the token query
// parameter, never both. It writes the error answer and returns false when the request may not
// proceed.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, q url.Values) bool {
	header, inHeader := r.Header["Authorization"]
	tokens, inQuery := q["token"]
	switch {
	case inHeader && inQuery:
		writeError(w, http.StatusBadRequest, "provide the token in the Authorization header or the token query parameter, not both")
		return false
	case inHeader:
		return s.checkToken(w, header)
	case inQuery:
		return s.checkToken(w, tokens)
	}
	writeError(w, http.StatusUnauthorized, "missing token: set the Authorization header or the token query parameter")
	return false
}

// checkToken accepts exactly one non-empty value equal to the configured token (any token when
// none is configured). The token never appears in the answer.
func (s *Server) checkToken(w http.ResponseWriter, values []string) bool {
	if len(values) != 1 || values[0] == "" {
		writeError(w, http.StatusUnauthorized, "invalid token: expected exactly one non-empty token")
		return false
	}
	if !s.ValidKey(values[0]) {
		writeError(w, http.StatusUnauthorized, "invalid token")
		return false
	}
	return true
}

// ValidKey reports whether key is accepted: non-empty and, when a token is configured, equal to
// it (compared in constant time). The gRPC API checks its keys with it too.
func (s *Server) ValidKey(key string) bool {
	if key == "" {
		return false
	}
	return s.cfg.Token == "" || subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.Token)) == 1
}

// KeyConfigured reports whether the server checks keys against a configured token.
func (s *Server) KeyConfigured() bool { return s.cfg.Token != "" }

func (s *Server) logRequest(r *http.Request, route Route, status int, d time.Duration) {
	if s.cfg.Logger == nil {
		return
	}
	outcome := slog.Int("status", status)
	switch status {
	case 0:
		outcome = slog.String("status", "none (client gone)")
	case StatusRefuse:
		outcome = slog.String("status", "none (connection dropped by fault)")
	}
	s.cfg.Logger.LogAttrs(context.WithoutCancel(r.Context()), slog.LevelInfo, "momento request",
		slog.String("route", string(route)),
		slog.String("cache", r.PathValue("cache")),
		outcome,
		slog.Duration("duration", d))
}

// writeError answers status with a one-line text body, the short form pipesim uses for every
// error (Momento documents only the texts "Key Not Found" and "Cache Not Found").
func writeError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}

// statusRecorder remembers the status written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer (flush, hijack).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
