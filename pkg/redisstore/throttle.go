package redisstore

import (
	"context"
	"time"
)

// Throttle limits attempts per key in a fixed window. An attempt is counted
// before it is made (Take), so parallel attempts cannot slip past the limit
// between a check and a count; an attempt that turns out fine gives its
// slot back (Give) or clears the key (Reset).
type Throttle struct {
	r      *Redis
	name   string
	Limit  int64
	Window time.Duration
}

// NewThrottle makes a throttle whose keys are namespaced by name.
func NewThrottle(r *Redis, name string, limit int64, window time.Duration) *Throttle {
	return &Throttle{r: r, name: name, Limit: limit, Window: window}
}

func (t *Throttle) key(k string) string { return "plateau:throttle:" + t.name + ":" + k }

// Take counts one attempt for k, atomically, and reports whether it is over
// the limit and, if so, how long until the window ends. The window starts
// at the first attempt.
func (t *Throttle) Take(ctx context.Context, k string) (blocked bool, wait time.Duration, err error) {
	pipe := t.r.Client.TxPipeline()
	pipe.SetNX(ctx, t.key(k), 0, t.Window)
	count := pipe.Incr(ctx, t.key(k))
	ttl := pipe.PTTL(ctx, t.key(k))
	if _, err := pipe.Exec(ctx); err != nil {
		return false, 0, err
	}
	if count.Val() <= t.Limit {
		return false, 0, nil
	}
	return true, max(ttl.Val(), time.Second), nil
}

// Give returns the slot of an attempt that succeeded, so that only failures
// count (many agents of one call center share one address).
func (t *Throttle) Give(ctx context.Context, k string) error {
	return t.r.Client.Decr(ctx, t.key(k)).Err()
}

// Reset forgets k's attempts (after a successful sign-in).
func (t *Throttle) Reset(ctx context.Context, k string) error {
	return t.r.Client.Del(ctx, t.key(k)).Err()
}
