package momento

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Causes of a LimitError, as Momento's SDKs read them from the "err" trailer of a
// RESOURCE_EXHAUSTED answer (@gomomento/sdk-core, LimitExceededError).
const (
	CauseItemSize      = "item_size_limit_exceeded"
	CauseRequestRate   = "operations_rate_limit_exceeded"
	CauseSubscriptions = "topic_subscriptions_limit_exceeded"
	CauseStorage       = "" // no cause of its own: the SDKs say "Limit exceeded for this account"
)

// LimitError is a refusal because a limit was reached: an item or message over its size, the
// store's memory cap, or a rate or subscription limit of Limits.
type LimitError struct {
	Cause string // one of the Cause constants
	Msg   string
}

func (e *LimitError) Error() string        { return e.Msg }
func (e *LimitError) Is(target error) bool { return target == ErrLimitExceeded }

// Limits are Momento's documented soft limits, enforced when the store is given them. A zero
// field is no limit.
type Limits struct {
	// CacheOpsPerSecond bounds the data operations (get, set, delete, ...) on one cache in each
	// second, over HTTP and gRPC together. KeysExist costs one per key, as Momento counts it.
	CacheOpsPerSecond int
	// TopicOpsPerSecond bounds the topic operations of one cache in each second: a publish
	// counts one, plus one for each subscription it is delivered to; a subscribe (a gRPC
	// stream, or each HTTP long poll) counts one.
	TopicOpsPerSecond int
	// Subscriptions bounds the subscriptions open at once on one cache's topics (gRPC streams
	// and HTTP long polls).
	Subscriptions int
}

// DocumentedLimits are the defaults of an on-demand Momento account: 100 operations a second
// (docs/cache/manage/limits.mdx), 100 topic operations a second and 100 concurrent
// subscriptions per namespace (docs/topics/limits.mdx).
var DocumentedLimits = Limits{CacheOpsPerSecond: 100, TopicOpsPerSecond: 100, Subscriptions: 100}

// LimitsSyntax documents ParseLimits, for flag help.
const LimitsSyntax = `on (Momento's documented defaults: cache-ops=100,topic-ops=100,subscriptions=100),
  or NAME=N[,NAME=N...] to change some of them (the rest stay documented; 0 removes one)`

// ParseLimits reads a --momento-limits value: "on" or "true" for DocumentedLimits, "off" or
// "false" for none, or NAME=N pairs (cache-ops, topic-ops, subscriptions) over the documented
// defaults. The error names the bad part.
func ParseLimits(spec string) (*Limits, error) {
	switch strings.TrimSpace(spec) {
	case "on", "true", "documented":
		l := DocumentedLimits
		return &l, nil
	case "off", "false", "":
		return nil, nil
	}
	l := DocumentedLimits
	for _, part := range strings.Split(spec, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(value)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("momento limits %q: %q: want NAME=N with N a whole number >= 0", clip(spec, 64), clip(part, 32))
		}
		switch name {
		case "cache-ops":
			l.CacheOpsPerSecond = n
		case "topic-ops":
			l.TopicOpsPerSecond = n
		case "subscriptions":
			l.Subscriptions = n
		default:
			return nil, fmt.Errorf("momento limits %q: unknown limit %q (want cache-ops, topic-ops or subscriptions)", clip(spec, 64), clip(name, 32))
		}
	}
	return &l, nil
}

// String renders l in ParseLimits' syntax.
func (l Limits) String() string {
	return fmt.Sprintf("cache-ops=%d,topic-ops=%d,subscriptions=%d", l.CacheOpsPerSecond, l.TopicOpsPerSecond, l.Subscriptions)
}

// limiter counts operations in one-second windows and open subscriptions, per cache. Momento
// does not document how it measures a second; whole clock seconds keep tests deterministic.
type limiter struct {
	mu      sync.Mutex
	lim     Limits
	now     func() time.Time
	windows map[limitKey]*window
	subs    map[string]int
}

type limitKey struct{ kind, cache string }

type window struct {
	second int64
	used   int
}

func newLimiter(l *Limits, now func() time.Time) *limiter {
	if l == nil {
		return nil
	}
	return &limiter{lim: *l, now: now, windows: map[limitKey]*window{}, subs: map[string]int{}}
}

// cacheOps takes cost cache operations of cache's budget; nil limiter: always allowed.
func (l *limiter) cacheOps(cache string, cost int) error {
	if l == nil || l.lim.CacheOpsPerSecond == 0 {
		return nil
	}
	return l.take(limitKey{"cache", cache}, cost, l.lim.CacheOpsPerSecond)
}

// topicOps takes cost topic operations of cache's budget.
func (l *limiter) topicOps(cache string, cost int) error {
	if l == nil || l.lim.TopicOpsPerSecond == 0 {
		return nil
	}
	return l.take(limitKey{"topic", cache}, cost, l.lim.TopicOpsPerSecond)
}

func (l *limiter) take(k limitKey, cost, per int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	sec := l.now().Unix()
	w, ok := l.windows[k]
	if !ok || w.second != sec {
		w = &window{second: sec}
		l.windows[k] = w
	}
	if w.used+cost > per && w.used > 0 {
		return &LimitError{Cause: CauseRequestRate, Msg: fmt.Sprintf("Request rate limit exceeded: more than %d %s operations a second on cache %q", per, k.kind, clip(k.cache, 64))}
	}
	w.used += cost
	return nil
}

// subscribe opens a subscription on cache; the returned function closes it.
func (l *limiter) subscribe(cache string) (func(), error) {
	if l == nil || l.lim.Subscriptions == 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs[cache] >= l.lim.Subscriptions {
		return nil, &LimitError{Cause: CauseSubscriptions, Msg: fmt.Sprintf("Topic subscriptions limit exceeded: %d subscribers already on cache %q", l.lim.Subscriptions, clip(cache, 64))}
	}
	l.subs[cache]++
	return sync.OnceFunc(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.subs[cache]--
	}), nil
}
