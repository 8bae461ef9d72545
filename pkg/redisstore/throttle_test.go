package redisstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/redisstore"
	"github.com/plateau-bpo/plateau/pkg/redisstore/redistest"
	"github.com/plateau-bpo/plateau/pkg/session"
)

func TestThrottleBlocksAfterLimitAndResets(t *testing.T) {
	ctx := context.Background()
	th := redisstore.NewThrottle(redistest.Open(t), "login", 3, time.Minute)
	for i := range 3 {
		if blocked, _, err := th.Take(ctx, "a@x"); err != nil || blocked {
			t.Fatalf("attempt %d: blocked=%v err=%v", i+1, blocked, err)
		}
	}
	blocked, wait, err := th.Take(ctx, "a@x")
	if err != nil || !blocked || wait <= 0 || wait > time.Minute {
		t.Fatalf("fourth attempt: blocked=%v wait=%v err=%v", blocked, wait, err)
	}
	if blocked, _, _ := th.Take(ctx, "b@x"); blocked {
		t.Fatal("another key is blocked too")
	}
	if err := th.Reset(ctx, "a@x"); err != nil {
		t.Fatal(err)
	}
	if blocked, _, _ := th.Take(ctx, "a@x"); blocked {
		t.Fatal("still blocked after reset")
	}
}

// TestThrottleHoldsUnderParallelAttempts: 40 attempts at once on a limit
// of 5 let exactly 5 through.
func TestThrottleHoldsUnderParallelAttempts(t *testing.T) {
	ctx := context.Background()
	th := redisstore.NewThrottle(redistest.Open(t), "login", 5, time.Minute)
	var passed atomic.Int64
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if blocked, _, err := th.Take(ctx, "a@x"); err == nil && !blocked {
				passed.Add(1)
			}
		})
	}
	wg.Wait()
	if passed.Load() != 5 {
		t.Fatalf("%d parallel attempts passed a limit of 5", passed.Load())
	}
}

func TestGiveReturnsTheSlotOfASuccess(t *testing.T) {
	ctx := context.Background()
	th := redisstore.NewThrottle(redistest.Open(t), "ip", 2, time.Minute)
	for range 10 {
		if blocked, _, _ := th.Take(ctx, "10.0.0.1"); blocked {
			t.Fatal("successful attempts that gave their slot back were throttled")
		}
		if err := th.Give(ctx, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSessionsRoundTripAndRotate(t *testing.T) {
	ctx := context.Background()
	s := redisstore.NewSessions(redistest.Open(t), time.Hour)
	sess := s.New()
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, sess.ID)
	if err != nil || got.CSRF != sess.CSRF {
		t.Fatalf("get: %+v %v", got, err)
	}
	oldID, oldCSRF := sess.ID, sess.CSRF
	if err := s.Rotate(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if sess.ID == oldID || sess.CSRF == oldCSRF {
		t.Fatal("rotate kept the id or the CSRF token")
	}
	if _, err := s.Get(ctx, oldID); err != session.ErrNotFound {
		t.Fatalf("old id still works: %v", err)
	}
}

func TestEmbeddedRedisExpiresKeys(t *testing.T) {
	r, err := redisstore.Open(context.Background(), "memory://")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	r.Client.Set(ctx, "k", "v", 300*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for r.Client.Exists(ctx, "k").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("a key with a 300 ms TTL is still there after 5 s: the embedded clock does not advance")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
