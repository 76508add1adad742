package momento

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// DefaultMaxBytes is the store's memory cap when none is given: 100 MiB, the hot storage of an
// on-demand Momento account (docs/cache/manage/limits.mdx).
const DefaultMaxBytes = 100 << 20

// StoreConfig configures a Store. The zero value is usable.
type StoreConfig struct {
	Now func() time.Time // nil => time.Now
	// MaxTTL is the TTL clamp; 0 => MaxTTL (24 h, on-demand caches); negative => no clamp.
	MaxTTL time.Duration
	// TopicBuffer is how many messages each topic keeps for replay; 0 => DefaultTopicBuffer.
	TopicBuffer int
	// MaxBytes caps the memory of items and kept topic messages (keys, values and a fixed
	// overhead each); 0 => DefaultMaxBytes; negative => no cap. A write past it is refused
	// with a *LimitError, as Momento refuses writes past an account's limits.
	MaxBytes int64
	// Limits, when set, enforces Momento's rate and subscription limits.
	Limits *Limits
}

// Store is the embedded Momento's state: caches with their items, topics with their messages.
// The HTTP API (Server) and the gRPC API (internal/momento/grpc) call the same Store, so an item
// PUT over HTTP is a hit for an SDK's get and a message published on one side reaches
// subscribers on both. It is safe for concurrent use; its state lives in memory.
type Store struct {
	now    func() time.Time
	maxTTL time.Duration
	mem    *memory
	caches *cacheStore
	topics *topicStore
	limits *limiter
}

// NewStore returns an empty store.
func NewStore(cfg StoreConfig) *Store {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = MaxTTL
	}
	if cfg.TopicBuffer <= 0 {
		cfg.TopicBuffer = DefaultTopicBuffer
	}
	switch {
	case cfg.MaxBytes == 0:
		cfg.MaxBytes = DefaultMaxBytes
	case cfg.MaxBytes < 0:
		cfg.MaxBytes = -1
	}
	mem := &memory{max: cfg.MaxBytes}
	s := &Store{now: cfg.Now, maxTTL: cfg.MaxTTL, mem: mem, caches: newCacheStore(mem),
		topics: newTopicStore(cfg.TopicBuffer, cfg.Now, mem), limits: newLimiter(cfg.Limits, cfg.Now)}
	s.topics.cacheGone = func(name string) bool { return !s.caches.exists(name) }
	return s
}

// BytesUsed is how much of the memory cap is taken.
func (s *Store) BytesUsed() int64 { return s.mem.used.Load() }

// CreateCache creates a cache; ErrCacheExists when it exists. An empty name is an error.
func (s *Store) CreateCache(name string) error {
	if name == "" {
		return errors.New("cache name is empty")
	}
	if !s.caches.create(name) {
		return ErrCacheExists
	}
	return nil
}

// EnsureCache creates the cache unless it exists; an empty name is ignored.
func (s *Store) EnsureCache(name string) {
	if name != "" {
		s.caches.create(name)
	}
}

// DeleteCache deletes a cache, its items and its topics; ErrCacheNotFound when it is missing.
func (s *Store) DeleteCache(name string) error {
	if !s.caches.drop(name) {
		return ErrCacheNotFound
	}
	s.topics.dropCache(name)
	return nil
}

// FlushCache deletes every item of a cache; ErrCacheNotFound when it is missing.
func (s *Store) FlushCache(name string) error {
	if !s.caches.flush(name) {
		return ErrCacheNotFound
	}
	return nil
}

// Caches lists the caches by name.
func (s *Store) Caches() []string { return s.caches.names() }

// CacheExists reports whether the cache exists.
func (s *Store) CacheExists(name string) bool { return s.caches.exists(name) }

// checkOp answers an operation on cache: ErrCacheNotFound, a rate *LimitError, or nil.
func (s *Store) checkOp(cache string) error { return s.checkOps(cache, 1) }

// checkOps is checkOp for a call that counts as cost operations.
func (s *Store) checkOps(cache string, cost int) error {
	if !s.caches.exists(cache) {
		return ErrCacheNotFound
	}
	return s.limits.cacheOps(cache, cost)
}

// ttl clamps a TTL to the store's maximum.
func (s *Store) ttl(d time.Duration) time.Duration {
	if s.maxTTL > 0 && d > s.maxTTL {
		return s.maxTTL
	}
	return d
}

// tooLarge refuses an item over MaxItemSize.
func tooLarge(key, value []byte) error {
	if len(key)+len(value) > MaxItemSize {
		return &LimitError{Cause: CauseItemSize, Msg: fmt.Sprintf("item size limit exceeded: key and value are %d bytes, over the 5 MB limit", len(key)+len(value))}
	}
	return nil
}

// Get reads key: its value and true on a hit, false on a miss.
func (s *Store) Get(cache string, key []byte) ([]byte, bool, error) {
	if err := s.checkOp(cache); err != nil {
		return nil, false, err
	}
	v, found, hit := s.caches.get(cache, key, s.now())
	if !found {
		return nil, false, ErrCacheNotFound
	}
	return v, hit, nil
}

// Set stores value under key for ttl (clamped to the maximum TTL).
func (s *Store) Set(cache string, key, value []byte, ttl time.Duration) error {
	if err := s.checkOp(cache); err != nil {
		return err
	}
	if err := tooLarge(key, value); err != nil {
		return err
	}
	now := s.now()
	return s.caches.set(cache, key, value, now.Add(s.ttl(ttl)), now)
}

// SetIfNotExists stores value unless key holds a live item; stored says whether it did.
func (s *Store) SetIfNotExists(cache string, key, value []byte, ttl time.Duration) (stored bool, err error) {
	if err := s.checkOp(cache); err != nil {
		return false, err
	}
	if err := tooLarge(key, value); err != nil {
		return false, err
	}
	now := s.now()
	err = s.caches.with(cache, func(c *cacheItems) error {
		if _, ok := s.caches.live(c, string(key), now); ok {
			return nil
		}
		stored = true
		return s.caches.put(c, string(key), value, now.Add(s.ttl(ttl)), now)
	})
	return stored && err == nil, err
}

// Delete removes key; a missing key is not an error.
func (s *Store) Delete(cache string, key []byte) error {
	if err := s.checkOp(cache); err != nil {
		return err
	}
	if !s.caches.remove(cache, key) {
		return ErrCacheNotFound
	}
	return nil
}

// KeysExist reports, for each key, whether it holds a live item.
func (s *Store) KeysExist(cache string, keys [][]byte) ([]bool, error) {
	if err := s.checkOps(cache, max(1, len(keys))); err != nil {
		return nil, err
	}
	out := make([]bool, len(keys))
	now := s.now()
	err := s.caches.with(cache, func(c *cacheItems) error {
		for i, k := range keys {
			_, out[i] = s.caches.live(c, string(k), now)
		}
		return nil
	})
	return out, err
}

// Increment adds amount to the integer stored under key (a missing key counts as 0) and
// returns the sum, stored as base-10 text; a new item takes ttl, an existing one keeps its
// expiry.
func (s *Store) Increment(cache string, key []byte, amount int64, ttl time.Duration) (int64, error) {
	if err := s.checkOp(cache); err != nil {
		return 0, err
	}
	now := s.now()
	var sum int64
	err := s.caches.with(cache, func(c *cacheItems) error {
		expires := now.Add(s.ttl(ttl))
		if it, ok := s.caches.live(c, string(key), now); ok {
			n, err := strconv.ParseInt(string(it.value), 10, 64)
			if err != nil {
				return ErrNotANumber
			}
			sum, expires = n+amount, it.expires
		} else {
			sum = amount
		}
		return s.caches.put(c, string(key), []byte(strconv.FormatInt(sum, 10)), expires, now)
	})
	return sum, err
}

// TTLUpdate says how UpdateTTL changes an item's TTL.
type TTLUpdate int

// The ways of UpdateTTL.
const (
	TTLOverwrite TTLUpdate = iota // set the TTL
	TTLIncrease                   // set it only if longer than the remaining one
	TTLDecrease                   // set it only if shorter than the remaining one
)

// TTLResult is what UpdateTTL did.
type TTLResult int

// The answers of UpdateTTL.
const (
	TTLSet     TTLResult = iota // the TTL was changed
	TTLNotSet                   // the condition (increase/decrease) did not hold
	TTLMissing                  // the key holds no live item
)

// UpdateTTL changes the TTL of a live item to ttl from now (clamped), as how says.
func (s *Store) UpdateTTL(cache string, key []byte, how TTLUpdate, ttl time.Duration) (TTLResult, error) {
	if err := s.checkOp(cache); err != nil {
		return 0, err
	}
	now := s.now()
	res := TTLMissing
	err := s.caches.with(cache, func(c *cacheItems) error {
		it, ok := s.caches.live(c, string(key), now)
		if !ok {
			return nil
		}
		expires := now.Add(s.ttl(ttl))
		if how == TTLIncrease && !expires.After(it.expires) || how == TTLDecrease && !expires.Before(it.expires) {
			res = TTLNotSet
			return nil
		}
		it.expires = expires
		c.items[string(key)] = it
		res = TTLSet
		return nil
	})
	return res, err
}

// ItemTTL returns the remaining TTL of a live item; found is false on a miss.
func (s *Store) ItemTTL(cache string, key []byte) (remaining time.Duration, found bool, err error) {
	if err := s.checkOp(cache); err != nil {
		return 0, false, err
	}
	now := s.now()
	err = s.caches.with(cache, func(c *cacheItems) error {
		var it item
		if it, found = s.caches.live(c, string(key), now); found {
			remaining = it.expires.Sub(now)
		}
		return nil
	})
	return remaining, found, err
}

// Message is a topic message to publish: text (UTF-8), or binary bytes when Binary is set.
type Message struct {
	Text     string
	Binary   []byte
	IsBinary bool
}

// Publish appends a message to a topic of cache and wakes its subscribers, over both APIs.
func (s *Store) Publish(cache, topic string, m Message) error {
	if !s.caches.exists(cache) {
		return ErrCacheNotFound
	}
	if n := len(m.Text) + len(m.Binary); n > MaxMessageSize {
		return &LimitError{Cause: CauseItemSize, Msg: fmt.Sprintf("message is %d bytes, over the 4 KB topic message size limit", n)}
	}
	id := topicID{cache: cache, topic: topic}
	if err := s.limits.topicOps(cache, 1+s.topics.listen(id, 0)); err != nil {
		return err
	}
	return s.topics.publish(id, message{text: m.Text, binary: m.Binary, isBin: m.IsBinary})
}

// Subscription reads a topic from a position on, as an SDK's subscribe stream does. It holds
// one of the cache's subscriptions until Close.
type Subscription struct {
	s       *Store
	id      topicID
	at      cursor
	release func()
}

// Subscribe opens a subscription that resumes at sequence number seq of page (seq 0: the next
// message published; page 0: the current page). It fails with ErrCacheNotFound, or a
// *LimitError when the cache has its limit of subscriptions.
func (s *Store) Subscribe(cache, topic string, seq, page uint64) (*Subscription, error) {
	if !s.caches.exists(cache) {
		return nil, ErrCacheNotFound
	}
	id := topicID{cache: cache, topic: topic}
	release, err := s.openSubscription(id)
	if err != nil {
		return nil, err
	}
	return &Subscription{s: s, id: id, at: cursor{seq: seq, page: page}, release: sync.OnceFunc(release)}, nil
}

// openSubscription counts a subscribe as one topic operation, takes one of the cache's
// subscriptions and counts it on the topic; the returned function gives it back.
func (s *Store) openSubscription(id topicID) (func(), error) {
	release, err := s.limits.subscribe(id.cache)
	if err != nil {
		return nil, err
	}
	if err := s.limits.topicOps(id.cache, 1); err != nil {
		release()
		return nil, err
	}
	s.topics.listen(id, 1)
	return func() {
		s.topics.listen(id, -1)
		release()
	}, nil
}

// Next blocks until there are messages or a discontinuity for the subscription (returned in
// order, at most 100), timeout passes (no items, no error), or ctx is done (ctx.Err()). It
// fails with ErrCacheNotFound when the cache is deleted.
func (sub *Subscription) Next(ctx context.Context, timeout time.Duration) ([]TopicItem, error) {
	entries, err := sub.s.topics.wait(ctx, sub.id, &sub.at, timeout)
	if err != nil {
		return nil, err
	}
	out := make([]TopicItem, 0, len(entries))
	for _, e := range entries {
		it, ok := e.topicItem()
		if !ok {
			continue
		}
		out = append(out, it)
		sub.at = cursor{seq: it.SequenceNumber + 1, page: it.SequencePage}
		if it.Discontinuity {
			sub.at.seq = it.SequenceNumber
		}
	}
	return out, nil
}

// Close gives the subscription back; later calls do nothing.
func (sub *Subscription) Close() { sub.release() }

// ResetTopic replaces a topic by a new instance (see Server.ResetTopic).
func (s *Store) ResetTopic(cache, topic string) {
	s.topics.reset(topicID{cache: cache, topic: topic})
}
