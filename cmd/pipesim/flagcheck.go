package main

import (
	"fmt"
	"time"
)

// minPollInterval is the shortest --poll-interval: shorter is not a poll but a busy loop against
// DynamoDB Local.
const minPollInterval = time.Millisecond

// checkPositive refuses a duration flag that is zero or negative: it would mean nothing (a
// negative backoff, a timeout already over).
func checkPositive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("--%s %s: want a positive duration, such as 1s or 250ms", name, d)
	}
	return nil
}

// checkPollInterval refuses a --poll-interval below minPollInterval.
func checkPollInterval(d time.Duration) error {
	if d < minPollInterval {
		return fmt.Errorf("--poll-interval %s: want at least %s (Pipes polls each shard every 250ms)", d, minPollInterval)
	}
	return nil
}

// check refuses delivery flags that mean nothing; it runs before anything starts.
func (f *pipeFlags) check() error {
	if err := checkPositive("backoff", f.backoff); err != nil {
		return err
	}
	if err := checkPositive("max-backoff", f.maxBackoff); err != nil {
		return err
	}
	if f.maxBackoff < f.backoff {
		return fmt.Errorf("--max-backoff %s is shorter than --backoff %s", f.maxBackoff, f.backoff)
	}
	return nil
}
