package momento

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// sweepEvery is how many sets a cache takes between sweeps of its expired items; reads drop
// expired items as they meet them.
const sweepEvery = 1024

// cacheStore holds the caches and their items.
type cacheStore struct {
	mu     sync.Mutex
	caches map[string]*cache
}

type cache struct {
	items map[string]item
	sets  int
}

type item struct {
	value   []byte
	expires time.Time
}

func newCacheStore() *cacheStore {
	return &cacheStore{caches: map[string]*cache{}}
}

func (cs *cacheStore) create(name string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.caches[name]; !ok {
		cs.caches[name] = &cache{items: map[string]item{}}
	}
}

func (cs *cacheStore) exists(name string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	_, ok := cs.caches[name]
	return ok
}

// set stores value under key until expires; it returns false when the cache does not exist.
func (cs *cacheStore) set(name string, key, value []byte, expires, now time.Time) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.caches[name]
	if !ok {
		return false
	}
	c.items[string(key)] = item{value: value, expires: expires}
	if c.sets++; c.sets%sweepEvery == 0 {
		c.sweep(now)
	}
	return true
}

// get returns the live value under key; cacheFound is false when the cache does not exist and
// hit is false when the key is missing or expired.
func (cs *cacheStore) get(name string, key []byte, now time.Time) (value []byte, cacheFound, hit bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.caches[name]
	if !ok {
		return nil, false, false
	}
	it, ok := c.items[string(key)]
	if !ok {
		return nil, true, false
	}
	if !now.Before(it.expires) {
		delete(c.items, string(key))
		return nil, true, false
	}
	return it.value, true, true
}

// remove deletes key; it returns false when the cache does not exist.
func (cs *cacheStore) remove(name string, key []byte) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.caches[name]
	if ok {
		delete(c.items, string(key))
	}
	return ok
}

func (c *cache) sweep(now time.Time) {
	for k, it := range c.items {
		if !now.Before(it.expires) {
			delete(c.items, k)
		}
	}
}

// cacheGet answers GET /cache/{cache}: 200 with the value as the body, or 404 "Key Not Found".
func (s *Server) cacheGet(w http.ResponseWriter, r *http.Request, q url.Values) {
	name := r.PathValue("cache")
	key, err := parseKey(q)
	if err != nil {
		s.badKey(w, name, err)
		return
	}
	value, cacheFound, hit := s.caches.get(name, key, s.cfg.Now())
	switch {
	case !cacheFound:
		writeCacheNotFound(w)
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
	ttl, err := parseTTL(q, s.cfg.MaxTTL)
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
	now := s.cfg.Now()
	if !s.caches.set(name, key, value, now.Add(ttl), now) {
		writeCacheNotFound(w)
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
	if !s.caches.remove(name, key) {
		writeCacheNotFound(w)
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
