package momento

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// cacheGet answers GET /cache/{cache}: 200 with the value as the body, or 404 "Key Not Found".
func (s *Server) cacheGet(w http.ResponseWriter, r *http.Request, q url.Values) {
	name := r.PathValue("cache")
	key, err := parseKey(q)
	if err != nil {
		s.badKey(w, name, err)
		return
	}
	value, hit, err := s.store.Get(name, key)
	switch {
	case err != nil:
		s.storeError(w, err)
	case !hit:
		writeError(w, http.StatusNotFound, "Key Not Found")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(value)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(value)
	}
}

// cachePut answers PUT /cache/{cache}: the body is stored verbatim, whatever its
// Content-Type, for ttl_seconds (clamped); 204 with no body.
func (s *Server) cachePut(w http.ResponseWriter, r *http.Request, q url.Values) {
	name := r.PathValue("cache")
	key, err := parseKey(q)
	if err != nil {
		s.badKey(w, name, err)
		return
	}
	ttl, err := parseTTL(q, s.store.maxTTL)
	if err != nil {
		s.badKey(w, name, err)
		return
	}
	if !s.caches.exists(name) {
		writeCacheNotFound(w)
		return
	}
	value, err := readLimited(r.Body, r.ContentLength, MaxItemSize-len(key))
	if err != nil {
		s.bodyError(w, err, "item (key and value) exceeds the 5 MB item size limit")
		return
	}
	if err := s.store.Set(name, key, value, ttl); err != nil {
		s.storeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// cacheDelete answers DELETE /cache/{cache}: 204 whether or not the key existed.
func (s *Server) cacheDelete(w http.ResponseWriter, r *http.Request, q url.Values) {
	name := r.PathValue("cache")
	key, err := parseKey(q)
	if err != nil {
		s.badKey(w, name, err)
		return
	}
	if err := s.store.Delete(name, key); err != nil {
		s.storeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// badKey answers a bad query parameter: 404 when the cache does not exist either (the cache is
// the resource), else 400 with the reason.
func (s *Server) badKey(w http.ResponseWriter, name string, err error) {
	if !s.caches.exists(name) {
		writeCacheNotFound(w)
		return
	}
	writeError(w, http.StatusBadRequest, err.Error())
}

// bodyError answers a body that could not be read or is over its limit.
func (s *Server) bodyError(w http.ResponseWriter, err error, tooLarge string) {
	if errors.Is(err, errTooLarge) {
		writeError(w, s.cfg.TooLargeStatus, tooLarge)
		return
	}
	writeError(w, http.StatusBadRequest, "cannot read request body")
}

// storeError answers an error of the store: 404 for a missing cache, the too-large status for
// an item or message over its size, 429 for any other limit (memory, rate, subscriptions), as
// Momento's HTTP API documents 429 for "account limits were exceeded".
func (s *Server) storeError(w http.ResponseWriter, err error) {
	var lim *LimitError
	switch {
	case errors.Is(err, ErrCacheNotFound):
		writeCacheNotFound(w)
	case errors.As(err, &lim) && lim.Cause == CauseItemSize:
		writeError(w, s.cfg.TooLargeStatus, lim.Msg)
	case errors.As(err, &lim):
		writeError(w, http.StatusTooManyRequests, lim.Msg)
	default:
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

func writeCacheNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "Cache Not Found")
}

// readLimited reads all of body, failing with errTooLarge past limit bytes (a negative limit:
// a key alone over the item limit). A refused body is drained first, up to maxDrain bytes,
// so that the client finishes sending and reads the answer instead of a broken pipe.
func readLimited(body io.Reader, contentLength int64, limit int) ([]byte, error) {
	if limit < 0 || contentLength > int64(limit) {
		drain(body, contentLength)
		return nil, errTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(body, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		drain(body, contentLength)
		return nil, errTooLarge
	}
	return b, nil
}

// maxDrain bounds how much of a refused body the server reads before answering.
const maxDrain = 64 << 20

// drain discards the rest of a refused body unless its declared length is past maxDrain.
func drain(body io.Reader, contentLength int64) {
	if contentLength > maxDrain {
		return
	}
	_, _ = io.CopyN(io.Discard, body, maxDrain)
}
