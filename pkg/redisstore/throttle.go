package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Throttle counts failures per key in a fixed window: after Limit failures
// the key is blocked until the window ends.
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

// Blocked reports whether k has used up its failures, and for how long it
// stays blocked.
func (t *Throttle) Blocked(ctx context.Context, k string) (bool, time.Duration, error) {
	n, err := t.r.Client.Get(ctx, t.key(k)).Int64()
	if errors.Is(err, redis.Nil) {
		return false, 0, nil
	} else if err != nil {
		return false, 0, err
	}
	if n < t.Limit {
		return false, 0, nil
	}
	ttl, err := t.r.Client.TTL(ctx, t.key(k)).Result()
	return true, ttl, err
}

// Fail counts one failure for k; the window starts at the first.
func (t *Throttle) Fail(ctx context.Context, k string) error {
	pipe := t.r.Client.TxPipeline()
	pipe.SetNX(ctx, t.key(k), 0, t.Window)
	pipe.Incr(ctx, t.key(k))
	_, err := pipe.Exec(ctx)
	return err
}

// Reset forgets k's failures (after a successful sign-in).
func (t *Throttle) Reset(ctx context.Context, k string) error {
	return t.r.Client.Del(ctx, t.key(k)).Err()
}
