package momento

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// topicPublish answers POST /topics/{cache}/{topic}: the body becomes a binary message when the
// Content-Type is application/octet-stream and a text message (UTF-8) otherwise; 204.
func (s *Server) topicPublish(w http.ResponseWriter, r *http.Request, _ url.Values) {
	id := topicID{cache: r.PathValue("cache"), topic: r.PathValue("topic")}
	if !s.caches.exists(id.cache) {
		writeCacheNotFound(w)
		return
	}
	body, err := readLimited(r.Body, r.ContentLength, MaxMessageSize)
	if err != nil {
		s.bodyError(w, err, "message exceeds the 4 KB topic message size limit")
		return
	}
	m := Message{IsBinary: isBinary(r.Header.Get("Content-Type"))}
	if m.IsBinary {
		m.Binary = body
	} else {
		if !utf8.Valid(body) {
			writeError(w, http.StatusBadRequest, "text message is not valid UTF-8; send binary data as application/octet-stream")
			return
		}
		m.Text = string(body)
	}
	if err := s.store.Publish(id.cache, id.topic, m); err != nil {
		s.storeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// isBinary reports whether a Content-Type asks for a binary topic value. A missing or
// malformed Content-Type means text, as curl's default form type does on Momento.
func isBinary(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), ";")
	}
	return mt == "application/octet-stream"
}

// topicSubscribe answers GET /topics/{cache}/{topic}, a long poll: it blocks until a message or
// discontinuity is available (200 with them), or Config.PollTimeout passes (200 with no
// items), or the client goes away (no answer).
func (s *Server) topicSubscribe(w http.ResponseWriter, r *http.Request, q url.Values) {
	id := topicID{cache: r.PathValue("cache"), topic: r.PathValue("topic")}
	if !s.caches.exists(id.cache) {
		writeCacheNotFound(w)
		return
	}
	c, err := parseCursor(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	release, err := s.store.openSubscription(id)
	if err != nil {
		s.storeError(w, err)
		return
	}
	entries, err := s.topics.wait(r.Context(), id, &c, s.cfg.PollTimeout)
	release()
	if err != nil {
		if !errors.Is(err, r.Context().Err()) {
			s.storeError(w, err)
		}
		return
	}
	body, err := json.Marshal(struct {
		Items []subscribeEntry `json:"items"`
	}{entries})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode subscribe answer")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// parseCursor reads sequence_number and sequence_page; absent or empty means 0.
func parseCursor(q url.Values) (cursor, error) {
	seq, err := optionalUint(q, "sequence_number")
	if err != nil {
		return cursor{}, err
	}
	page, err := optionalUint(q, "sequence_page")
	if err != nil {
		return cursor{}, err
	}
	return cursor{seq: seq, page: page}, nil
}

func optionalUint(q url.Values, name string) (uint64, error) {
	values := q[name]
	switch {
	case len(values) == 0:
		return 0, nil
	case len(values) > 1:
		return 0, fmt.Errorf("%s given %d times; give it once", name, len(values))
	case values[0] == "":
		return 0, nil
	}
	n, err := strconv.ParseUint(values[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a non-negative integer", name, clip(values[0], 32))
	}
	return n, nil
}

// ResetTopic replaces a topic by a new instance, as Momento does when it evicts or recreates a
// topic: a new sequence page, sequence numbers from 1, no replayable messages. Subscribers
// waiting on it, and later ones resuming on the old page, get a discontinuity.
func (s *Server) ResetTopic(cache, topic string) { s.store.ResetTopic(cache, topic) }
