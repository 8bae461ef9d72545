// Package redisstore is the Redis adapter: it connects to a real server or
// starts an in-process one (miniredis) for `plateau dev`, and keeps what
// lives in Redis besides the job queue: sign-in sessions, login throttling
// counters, and the RBAC invalidation channel.
//
// It imports go-redis, miniredis and domain packages; no other adapter.
package redisstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Redis is a connection, and the embedded server when there is one.
type Redis struct {
	Client  *redis.Client
	Options *redis.Options // for asynq, which opens its own connections
	mini    *miniredis.Miniredis
	stop    chan struct{}
	closing sync.Once
}

// Open connects to redis://… or starts an in-process server for memory://.
func Open(ctx context.Context, rawURL string) (*Redis, error) {
	r := &Redis{}
	switch {
	case rawURL == "memory://" || rawURL == "memory:":
		m := miniredis.NewMiniRedis()
		if err := m.Start(); err != nil {
			return nil, fmt.Errorf("in-process redis: %w", err)
		}
		r.mini, r.stop = m, make(chan struct{})
		go r.advanceClock()
		r.Options = &redis.Options{Addr: m.Addr()}
	case strings.HasPrefix(rawURL, "redis://"), strings.HasPrefix(rawURL, "rediss://"):
		opts, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redis URL: %w", err)
		}
		r.Options = opts
	default:
		return nil, fmt.Errorf("redis URL %q: use redis://host:port/db or memory://", rawURL)
	}
	r.Client = redis.NewClient(r.Options)
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := r.Client.Ping(pingCtx).Err(); err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("redis at %s is unreachable: %w", r.Options.Addr, err)
	}
	return r, nil
}

// advanceClock moves miniredis's clock with the wall clock: it does not on
// its own, and without it no TTL (sessions, throttles, asynq's unique locks
// and leases) would ever expire.
func (r *Redis) advanceClock() {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-r.stop:
			return
		case t := <-tick.C:
			r.mini.SetTime(t)
			r.mini.FastForward(t.Sub(last))
			last = t
		}
	}
}

// Ping checks Redis answers, for /readyz.
func (r *Redis) Ping(ctx context.Context) error { return r.Client.Ping(ctx).Err() }

// Embedded reports whether this is the in-process server.
func (r *Redis) Embedded() bool { return r.mini != nil }

// Close disconnects and stops the embedded server; closing twice is a no-op.
func (r *Redis) Close() error {
	var err error
	r.closing.Do(func() {
		err = r.Client.Close()
		if r.mini != nil {
			close(r.stop)
			r.mini.Close()
		}
	})
	return err
}
