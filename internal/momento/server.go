// Package momento is a local stand-in for Momento's HTTP API: an http.Handler serving the cache
// (GET, PUT, DELETE /cache/{cache}) and topic (POST, GET /topics/{cache}/{topic}) routes the way
// Momento documents them, with per-route fault injection for tests, and a small client that
// speaks the same API to the embedded server or to the real service.
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

// Sentinel errors returned by the client and by ParseFault.
var (
	// ErrCacheNotFound: the cache does not exist (404 "Cache Not Found").
	ErrCacheNotFound = errors.New("cache not found")
	// ErrFaultSpec: a fault specification does not parse.
	ErrFaultSpec = errors.New("bad fault spec")

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
	// TooLargeStatus answers an item or message over the size limit; 0 => 413.
	TooLargeStatus int
	// Logger receives one record per request (route, cache, status, duration; never the
	// token or the query string); nil => no request logs.
	Logger *slog.Logger
}

// Server is the embedded Momento HTTP API. It is safe for concurrent use; its state lives in
// memory and is lost when the process ends.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	caches *cacheStore
	topics *topicStore
	faults faultTable
}

// NewServer returns a server with cfg.Caches created.
func NewServer(cfg Config) *Server {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = MaxTTL
	}
	if cfg.TopicBuffer <= 0 {
		cfg.TopicBuffer = DefaultTopicBuffer
	}
	if cfg.TooLargeStatus == 0 {
		cfg.TooLargeStatus = http.StatusRequestEntityTooLarge
	}
	s := &Server{
		cfg:    cfg,
		caches: newCacheStore(),
		topics: newTopicStore(cfg.TopicBuffer, cfg.Now),
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
func (s *Server) CreateCache(name string) {
	if name == "" {
		return
	}
	s.caches.create(name)
}

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
	if s.cfg.Token != "" && subtle.ConstantTimeCompare([]byte(values[0]), []byte(s.cfg.Token)) != 1 {
		writeError(w, http.StatusUnauthorized, "invalid token")
		return false
	}
	return true
}

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
