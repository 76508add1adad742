package momento

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Route names one operation of the API, for fault injection.
type Route string

// The routes of the API.
const (
	RouteCachePut       Route = "cache-put"       // PUT /cache/{cache}
	RouteCacheGet       Route = "cache-get"       // GET /cache/{cache}
	RouteCacheDelete    Route = "cache-delete"    // DELETE /cache/{cache}
	RouteTopicPublish   Route = "topic-publish"   // POST /topics/{cache}/{topic}
	RouteTopicSubscribe Route = "topic-subscribe" // GET /topics/{cache}/{topic}
)

// Routes lists every route, in the order the flag help shows them.
var Routes = []Route{RouteCachePut, RouteCacheGet, RouteCacheDelete, RouteTopicPublish, RouteTopicSubscribe}

// StatusRefuse, as an entry of Fault.Statuses, drops the connection instead of answering: the
// client sees a connection reset (or an unexpected EOF), never an HTTP status.
const StatusRefuse = -1

// Fault tells a route to misbehave. Each request on the route, in arrival order:
//
//  1. waits Latency first (cut short if the client goes away), while the fault is installed;
//  2. takes the next entry of Statuses, if any is left: an entry of 300-599 is answered with
//     that status, a short text body and, when RetryAfter is set, a Retry-After header; an
//     entry of StatusRefuse drops the connection; any other entry (0, 2xx) is handled
//     normally. With Repeat the entries start over when used up, so they never run out;
//  3. once Statuses are used up, has its connection dropped when Refuse is set, or is handled
//     normally.
//
// Authentication is checked after the fault: an injected status answers even a request with a
// bad token, as a failing service would.
type Fault struct {
	Statuses   []int
	RetryAfter string        // Retry-After header value on injected statuses ("" => none)
	Latency    time.Duration // delay before every request on the route
	Refuse     bool          // drop every connection once Statuses are used up
	Repeat     bool          // cycle through Statuses forever
}

// faultTable holds the installed faults and how far each has been consumed.
type faultTable struct {
	mu      sync.Mutex
	byRoute map[Route]*faultState
}

type faultState struct {
	f    Fault
	next int
}

// InjectFault installs f on route, replacing any fault there, and starts its Statuses from the
// first. A fault on a route the server does not know is never used.
func (s *Server) InjectFault(route Route, f Fault) {
	f.Statuses = append([]int(nil), f.Statuses...)
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.byRoute[route] = &faultState{f: f}
}

// ClearFaults removes every fault; requests already waiting out a latency finish normally.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	clear(s.faults.byRoute)
}

// step consumes the route's next fault entry: the latency to wait, the status to act on (0:
// none) and the Retry-After value.
func (ft *faultTable) step(route Route) (time.Duration, int, string) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	st, ok := ft.byRoute[route]
	if !ok {
		return 0, 0, ""
	}
	status := 0
	switch {
	case st.next < len(st.f.Statuses):
		status = st.f.Statuses[st.next]
		st.next++
		if st.f.Repeat && st.next == len(st.f.Statuses) {
			st.next = 0
		}
	case st.f.Refuse:
		status = StatusRefuse
	}
	return st.f.Latency, status, st.f.RetryAfter
}

// injectFault applies the route's fault to one request; it returns true when the fault
// answered (or dropped) the request. raw is the server's own writer, for hijacking.
func (s *Server) injectFault(raw, w http.ResponseWriter, r *http.Request, route Route) bool {
	latency, status, retryAfter := s.faults.step(route)
	if latency > 0 && !sleep(r.Context(), latency) {
		return true
	}
	switch {
	case status == StatusRefuse:
		if rec, ok := w.(*statusRecorder); ok {
			rec.status = StatusRefuse
		}
		dropConnection(raw)
		return true
	case status >= 300 && status <= 599:
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeError(w, status, "injected fault: "+http.StatusText(status))
		return true
	}
	return false
}

// sleep waits d; it returns false if ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the client's connection without an answer, with a TCP reset where it
// can. When the writer cannot be hijacked (HTTP/2, a recorder) it aborts the handler instead,
// which also leaves the client without an answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// NextFault consumes the route's next fault entry for a request arriving over another
// transport (the gRPC API): the latency to wait first, the status to act on (0: none,
// StatusRefuse: drop the connection, 300-599: fail as that status) and the Retry-After value.
func (s *Server) NextFault(route Route) (latency time.Duration, status int, retryAfter string) {
	return s.faults.step(route)
}
