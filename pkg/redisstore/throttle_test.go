package redisstore_test

import (
	"context"
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
		if blocked, _, err := th.Blocked(ctx, "a@x"); err != nil || blocked {
			t.Fatalf("after %d failures: blocked=%v err=%v", i, blocked, err)
		}
		if err := th.Fail(ctx, "a@x"); err != nil {
			t.Fatal(err)
		}
	}
	blocked, wait, err := th.Blocked(ctx, "a@x")
	if err != nil || !blocked || wait <= 0 || wait > time.Minute {
		t.Fatalf("after 3 failures: blocked=%v wait=%v err=%v", blocked, wait, err)
	}
	if blocked, _, _ := th.Blocked(ctx, "b@x"); blocked {
		t.Fatal("another key is blocked too")
	}
	if err := th.Reset(ctx, "a@x"); err != nil {
		t.Fatal(err)
	}
	if blocked, _, _ := th.Blocked(ctx, "a@x"); blocked {
		t.Fatal("still blocked after reset")
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
