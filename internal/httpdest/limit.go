package httpdest

import (
	"context"
	"sync"
	"time"
)

// Limiter paces invocations to at most rate per second, shared by every pipe that uses one API
// destination. It spaces requests evenly and allows a burst of one second's worth.
type Limiter struct {
	mu       sync.Mutex
	interval time.Duration
	burst    time.Duration
	next     time.Time
}

// NewLimiter paces to rate invocations per second.
func NewLimiter(rate int) *Limiter {
	return &Limiter{interval: time.Second / time.Duration(rate), burst: time.Second}
}

// Wait blocks until the caller may invoke, or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error {
	d := l.reserve(time.Now())
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reserve takes the next slot and says how long to wait for it.
func (l *Limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if earliest := now.Add(-l.burst); l.next.Before(earliest) {
		l.next = earliest
	}
	slot := l.next
	l.next = slot.Add(l.interval)
	return slot.Sub(now)
}
