// Package redistest gives tests a Redis: the real server named by
// PLATEAU_TEST_REDIS_URL (required when PLATEAU_TEST_REQUIRE lists redis),
// else an in-process one. Each test gets its own logical database on the
// real server, emptied first.
package redistest

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/plateau-bpo/plateau/pkg/redisstore"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// URL returns a Redis URL for one test: a fresh database on the real server
// when one is configured, or memory://.
func URL(t testing.TB) string {
	t.Helper()
	base := testenv.URL(t, testenv.Redis)
	if base == "" {
		return "memory://"
	}
	ctx := context.Background()
	opts, err := redis.ParseURL(base)
	if err != nil {
		t.Fatalf("PLATEAU_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	// Databases 1..15 in turn; database 0 holds the counter. Packages run in
	// parallel, so each test takes the next database rather than a fixed one.
	n, err := c.Incr(ctx, "plateau:test:db").Result()
	if err != nil {
		t.Fatalf("redis at %s: %v", opts.Addr, err)
	}
	u, _ := url.Parse(base)
	u.Path = fmt.Sprintf("/%d", 1+n%15)
	dbURL := u.String()
	o2, _ := redis.ParseURL(dbURL)
	c2 := redis.NewClient(o2)
	defer c2.Close()
	if err := c2.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	return dbURL
}

// Open connects to URL(t) and closes it when the test ends.
func Open(t testing.TB) *redisstore.Redis {
	t.Helper()
	r, err := redisstore.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}
