package webui

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// keepAlive is how often an idle event stream gets a comment line, so that proxies and the
// browser keep it open.
const keepAlive = 20 * time.Second

// stream is GET /api/events: the kept events after the page's Last-Event-ID, then each new one
// as it happens, until the page goes away or pipesim stops. A request from another page
// (its Origin) is refused, beside the guard's Host check.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, "http://"+r.Host) {
		writeError(w, http.StatusForbidden, errors.New("the event stream is for the page itself (Origin)"))
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, errors.New("streaming unsupported"))
		return
	}
	backlog, events, cancel := s.events.subscribe(r.Header.Get("Last-Event-ID"))
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("retry: 1000\n\n")) // reconnect after a second when the stream ends
	for _, e := range backlog {
		w.Write(e)
	}
	flusher.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-events:
			if !ok { // fell behind: the page reconnects and catches up from the kept events
				return
			}
			w.Write(e)
			flusher.Flush()
		case <-tick.C:
			w.Write([]byte(": keep-alive\n\n"))
			flusher.Flush()
		}
	}
}
