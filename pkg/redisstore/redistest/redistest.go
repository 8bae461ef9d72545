// Package redistest gives tests a Redis: the real server named by
// PLATEAU_TEST_REDIS_URL (required when PLATEAU_TEST_REQUIRE lists redis),
// else an in-process one. Each test gets its own logical database on the
// real server, emptied first and leased to it until it ends.
package redistest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

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
	n := lease(t, c)
	u, _ := url.Parse(base)
	u.Path = fmt.Sprintf("/%d", n)
	dbURL := u.String()
	o2, _ := redis.ParseURL(dbURL)
	c2 := redis.NewClient(o2)
	defer c2.Close()
	if err := c2.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	return dbURL
}

// Databases 1..15 are leased, one a test, through keys in database 0:
// packages run in parallel, and a test must not empty a database another
// one still uses (a browser test's sessions vanished when the databases
// were only taken in turn). A lease outlives a killed run by leaseTTL at
// most.
const (
	databases = 15
	leaseTTL  = 20 * time.Minute
	leaseWait = 2 * time.Minute
)

// lease takes a free database until the test ends, waiting for one when
// all are taken.
func lease(t testing.TB, c *redis.Client) int {
	t.Helper()
	ctx := context.Background()
	token := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	for deadline := time.Now().Add(leaseWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		start, err := c.Incr(ctx, "plateau:test:db").Result() // spread the tests over the databases
		if err != nil {
			t.Fatalf("redis at %s: %v", c.Options().Addr, err)
		}
		for i := range databases {
			n := 1 + int(start+int64(i))%databases
			key := fmt.Sprintf("plateau:test:db:%d", n)
			if ok, err := c.SetNX(ctx, key, token, leaseTTL).Result(); err != nil {
				t.Fatalf("redis at %s: %v", c.Options().Addr, err)
			} else if ok {
				t.Cleanup(func() { release(c.Options(), key, token) })
				return n
			}
		}
	}
	t.Fatalf("no Redis database of %d free after %s: too many tests at once, or leases left by a killed run (they end within %s)", databases, leaseWait, leaseTTL)
	return 0
}

// release gives the lease key up if token still holds it.
func release(opts *redis.Options, key, token string) {
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	if held, err := c.Get(ctx, key).Result(); err == nil && held == token {
		c.Del(ctx, key)
	}
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
