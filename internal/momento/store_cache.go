package momento

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// sweepEvery is how many sets a cache takes between sweeps of its expired items; reads drop
// expired items as they meet them.
const sweepEvery = 1024

// Bytes counted for the bookkeeping of each stored thing, on top of its keys and values, so
// that many tiny items or topics cannot slip under the memory cap.
const (
	itemOverhead    = 64
	messageOverhead = 64
	topicOverhead   = 256
	cacheOverhead   = 256
)

// memory is the store's byte budget; a negative max is no cap (bytes are still counted).
type memory struct {
	max  int64
	used atomic.Int64
}

// reserve takes n bytes; it returns false, taking nothing, when they do not fit.
func (m *memory) reserve(n int64) bool {
	if m.max < 0 {
		m.used.Add(n)
		return true
	}
	for {
		used := m.used.Load()
		if used+n > m.max {
			return false
		}
		if m.used.CompareAndSwap(used, used+n) {
			return true
		}
	}
}

func (m *memory) release(n int64) { m.used.Add(-n) }

// cacheStore holds the caches and their items.
type cacheStore struct {
	mu     sync.Mutex
	mem    *memory
	caches map[string]*cacheItems
}

type cacheItems struct {
	items map[string]item
	sets  int
}

type item struct {
	value   []byte
	expires time.Time
}

func itemCost(key string, value []byte) int64 { return int64(len(key) + len(value) + itemOverhead) }

func newCacheStore(mem *memory) *cacheStore {
	return &cacheStore{mem: mem, caches: map[string]*cacheItems{}}
}

// create makes the named cache; it returns false when it already exists.
func (cs *cacheStore) create(name string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.caches[name]; ok {
		return false
	}
	cs.mem.used.Add(cacheOverhead) // a cache is created by its owner, never refused
	cs.caches[name] = &cacheItems{items: map[string]item{}}
	return true
}

func (cs *cacheStore) exists(name string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	_, ok := cs.caches[name]
	return ok
}

func (cs *cacheStore) names() []string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := make([]string, 0, len(cs.caches))
	for name := range cs.caches {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// drop deletes the cache and its items; false when it does not exist.
func (cs *cacheStore) drop(name string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.caches[name]
	if ok {
		cs.mem.release(c.cost() + cacheOverhead)
		delete(cs.caches, name)
	}
	return ok
}

// flush empties the cache; false when it does not exist.
func (cs *cacheStore) flush(name string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.caches[name]
	if ok {
		cs.mem.release(c.cost())
		clear(c.items)
	}
	return ok
}

func (c *cacheItems) cost() int64 {
	var n int64
	for k, it := range c.items {
		n += itemCost(k, it.value)
	}
	return n
}

// set stores value under key until expires; it returns ErrCacheNotFound when the cache does not
// exist and a *LimitError when the memory cap is reached even after a sweep of expired items.
func (cs *cacheStore) set(name string, key, value []byte, expires, now time.Time) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.caches[name]
	if !ok {
		return ErrCacheNotFound
	}
	return cs.put(c, string(key), value, expires, now)
}

// put stores one item in c, replacing any; the caller holds cs.mu.
func (cs *cacheStore) put(c *cacheItems, key string, value []byte, expires, now time.Time) error {
	need := itemCost(key, value)
	if !cs.mem.reserve(need - costOf(c, key)) {
		cs.sweepAll(now) // may drop the old item, whose bytes are then released
		if !cs.mem.reserve(need - costOf(c, key)) {
			return &LimitError{Cause: CauseStorage, Msg: "the embedded Momento's memory is full (--max-bytes); delete items or wait for their TTLs"}
		}
	}
	c.items[key] = item{value: value, expires: expires}
	if c.sets++; c.sets%sweepEvery == 0 {
		cs.sweep(c, now)
	}
	return nil
}

// costOf is what the item under key counts now, 0 when there is none.
func costOf(c *cacheItems, key string) int64 {
	if prev, ok := c.items[key]; ok {
		return itemCost(key, prev.value)
	}
	return 0
}

// live returns the item under key if it has not expired, dropping it if it has; the caller
// holds cs.mu.
func (cs *cacheStore) live(c *cacheItems, key string, now time.Time) (item, bool) {
	it, ok := c.items[key]
	if !ok {
		return item{}, false
	}
	if !now.Before(it.expires) {
		cs.mem.release(itemCost(key, it.value))
		delete(c.items, key)
		return item{}, false
	}
	return it, true
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
	it, ok := cs.live(c, string(key), now)
	return it.value, true, ok
}

// remove deletes key; it returns false when the cache does not exist.
func (cs *cacheStore) remove(name string, key []byte) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.caches[name]
	if ok {
		if it, found := c.items[string(key)]; found {
			cs.mem.release(itemCost(string(key), it.value))
			delete(c.items, string(key))
		}
	}
	return ok
}

// with runs fn on the cache under the lock; it returns ErrCacheNotFound when the cache does not
// exist, else fn's error.
func (cs *cacheStore) with(name string, fn func(c *cacheItems) error) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.caches[name]
	if !ok {
		return ErrCacheNotFound
	}
	return fn(c)
}

// sweep drops c's expired items; the caller holds cs.mu.
func (cs *cacheStore) sweep(c *cacheItems, now time.Time) {
	for k, it := range c.items {
		if !now.Before(it.expires) {
			cs.mem.release(itemCost(k, it.value))
			delete(c.items, k)
		}
	}
}

// sweepAll drops every cache's expired items; the caller holds cs.mu.
func (cs *cacheStore) sweepAll(now time.Time) {
	for _, c := range cs.caches {
		cs.sweep(c, now)
	}
}
