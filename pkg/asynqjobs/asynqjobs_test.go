package asynqjobs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/redisstore/redistest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// orgs is an org directory in memory: the store is not the subject here.
type orgs map[uuid.UUID]tenancy.Org

func (o orgs) OrgByID(_ context.Context, id uuid.UUID) (tenancy.Org, error) {
	if org, ok := o[id]; ok {
		return org, nil
	}
	return tenancy.Org{}, apperr.New(apperr.NotFound, "store.org.not_found", "org %v not found", id)
}

var acme = tenancy.Org{ID: uuid.Must(uuid.NewV7()), Kind: tenancy.KindCenter, Name: "Acme", Country: "MA"}

// logBuffer collects log lines written by the server's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type fixture struct {
	queue *asynqjobs.Queue
	srv   *asynqjobs.Server
	logs  *logBuffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	red := redistest.Open(t)
	q := asynqjobs.NewQueue(red.Options, log)
	t.Cleanup(func() { _ = q.Close() })
	return &fixture{queue: q, srv: asynqjobs.NewServer(red.Options, orgs{acme.ID: acme}, log), logs: logs}
}

// run starts the server until the test ends.
func (f *fixture) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func (f *fixture) stat(t *testing.T, queue string) asynqjobs.QueueStat {
	t.Helper()
	s, err := f.queue.Stat(queue)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eventually waits for cond; the deadline only bounds a failing test.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
	}
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("gave up waiting for the handler")
		panic("unreachable")
	}
}

func TestTenantTaskRunsAsItsOrgsSystemPrincipal(t *testing.T) {
	f := newFixture(t)
	type seen struct {
		p   tenancy.Principal
		err error
		env outbox.Envelope
	}
	got := make(chan seen, 1)
	f.srv.HandleTenant("test:echo", func(ctx context.Context, env outbox.Envelope) error {
		p, err := tenancy.PrincipalFrom(ctx)
		got <- seen{p, err, env}
		return nil
	})
	f.run(t)
	msg, err := outbox.NewMessage(acme.ID, "alice@acme.test", "test:echo", map[string]int{"n": 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.queue.Publish(msg); err != nil {
		t.Fatal(err)
	}
	s := receive(t, got)
	want := tenancy.Principal{Kind: tenancy.ActorSystem, Label: "job:test:echo", OrgID: acme.ID,
		OrgKind: tenancy.KindCenter, Role: tenancy.RoleOwner}
	if s.err != nil || s.p != want {
		t.Fatalf("principal = %+v (%v), want %+v", s.p, s.err, want)
	}
	if s.env.OutboxID != msg.ID || s.env.OrgID != acme.ID || s.env.Actor != "alice@acme.test" {
		t.Fatalf("envelope = %+v", s.env)
	}
	data, err := asynqjobs.Decode[map[string]int](s.env)
	if err != nil || data["n"] != 7 {
		t.Fatalf("Decode = %v, %v", data, err)
	}
	eventually(t, "the task line in the log", func() bool {
		return strings.Contains(f.logs.String(), `"msg":"task done","org_id":"`+acme.ID.String()+`","outbox_id":"`+msg.ID.String()+`","type":"test:echo"`)
	})
}

func TestBadEnvelopesAreArchivedNotRetried(t *testing.T) {
	f := newFixture(t)
	called := make(chan struct{}, 3)
	f.srv.HandleTenant("test:echo", func(context.Context, outbox.Envelope) error {
		called <- struct{}{}
		return nil
	})
	f.run(t)
	stranger, err := outbox.NewMessage(uuid.Must(uuid.NewV7()), "someone", "test:echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	garbage := outbox.Message{ID: uuid.Must(uuid.NewV7()), TaskType: "test:echo", Payload: []byte("not json")}
	anonymous := outbox.Message{ID: uuid.Must(uuid.NewV7()), TaskType: "test:echo", Payload: []byte(`{"data":{}}`)}
	if err := f.queue.Publish(garbage, stranger, anonymous); err != nil {
		t.Fatal(err)
	}
	eventually(t, "three archived tasks", func() bool { return f.stat(t, asynqjobs.QueueDefault).Archived == 3 })
	if s := f.stat(t, asynqjobs.QueueDefault); s.Retry != 0 || s.Pending != 0 {
		t.Fatalf("stats = %+v, want nothing left to retry", s)
	}
	if len(called) != 0 {
		t.Fatal("the handler ran for a bad envelope")
	}
	for _, why := range []string{"is not an outbox envelope", "org " + stranger.OrgID.String() + " does not exist", "lacks its org_id"} {
		if !strings.Contains(f.logs.String(), why) {
			t.Errorf("the log does not say %q:\n%s", why, f.logs.String())
		}
	}
}

func TestDecodeRejectsForGood(t *testing.T) {
	_, err := asynqjobs.Decode[struct{ N int }](outbox.Envelope{Data: []byte(`"a string"`)})
	if !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("err = %v, want SkipRetry", err)
	}
}

func TestPublishingTwiceQueuesOnceAndStatsShowIt(t *testing.T) {
	f := newFixture(t)
	if stats, err := f.queue.Stats(context.Background()); err != nil || len(stats) != 0 {
		t.Fatalf("before any task: %+v, %v; want no queue", stats, err)
	}
	msg, err := outbox.NewMessage(acme.ID, "alice@acme.test", "mail:test", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.queue.Publish(msg); err != nil {
			t.Fatal(err)
		}
	}
	stats, err := f.queue.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []asynqjobs.QueueStat{{Queue: asynqjobs.QueueCritical, Pending: 1}}
	if len(stats) != 1 || stats[0] != want[0] {
		t.Fatalf("stats = %+v, want %+v", stats, want)
	}
}

func TestPeriodicTaskRunsWithoutPrincipal(t *testing.T) {
	f := newFixture(t)
	got := make(chan error, 10)
	f.srv.HandleSystem("maintenance:test", func(ctx context.Context) error {
		_, err := tenancy.PrincipalFrom(ctx)
		got <- err
		return nil
	})
	f.srv.Every(time.Second, "maintenance:test")
	f.run(t)
	if err := receive(t, got); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("PrincipalFrom in a system task = %v, want Unauthorized", err)
	}
	if s := f.stat(t, asynqjobs.QueueLow); s.Processed == 0 && s.Active == 0 {
		t.Fatalf("low queue = %+v, want the periodic task there", s)
	}
}

func TestRunFailsClearlyWithoutRedis(t *testing.T) {
	srv := asynqjobs.NewServer(&redis.Options{Addr: "127.0.0.1:1"}, orgs{}, slog.New(slog.DiscardHandler))
	err := srv.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redis at 127.0.0.1:1 is unreachable") {
		t.Fatalf("Run = %v", err)
	}
}
