package stream

import (
	"context"
	"time"
)

// clock is the time a shard reader polls by: the wall clock, or a test's.
type clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done; it reports whether ctx is still live.
	Sleep(ctx context.Context, d time.Duration) bool
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
