package main

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/apps/worker"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/redisstore"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// TestRedisFlushedMidCampaignLosesNoWork: a campaign's first day writes
// outbox messages (the rescreening of the client's leads after each "do not
// call"); they are published to Redis, and Redis is flushed before any
// worker takes them. The campaign goes on for a day; then a worker's
// reconciler publishes every unfinished message again, each is handled,
// and plateau verify passes.
func TestRedisFlushedMidCampaignLosesNoWork(t *testing.T) {
	testenv.Need(t, testenv.Redis)
	// The fault is Redis's: one database is enough, and SQLite the quicker.
	db := dbtest.SQLite(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	campaign := demoCampaign(t, db)
	url := "--database-url=" + db.URL
	simulate := func(from string) {
		t.Helper()
		if code, out, errOut := plateau(t, "simulate", url, "--campaign", campaign, "--from", from,
			"--days", "1", "--agents", "3", "--seed", "5"); code != 0 {
			t.Fatalf("simulate from %s: exit %d\n%s\n%s", from, code, out, errOut)
		}
	}
	red := jobQueueRedis(t)
	queue := asynqjobs.NewQueue(red.Options, log)
	t.Cleanup(func() { _ = queue.Close() })
	svc, err := platform.Services(ctx, db.App, log)
	if err != nil {
		t.Fatal(err)
	}
	unfinished := func() []outbox.Message {
		t.Helper()
		msgs, err := svc.Jobs.Unfinished(ctx, time.Now().Add(time.Hour), 10_000)
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}

	simulate("2026-11-03T06:00:00Z")
	written := unfinished()
	if !slices.ContainsFunc(written, func(m outbox.Message) bool { return m.TaskType == lead.TaskRescrub }) {
		t.Fatalf("the first day wrote no rescreening to the outbox (%d messages): the flush would lose nothing", len(written))
	}
	if err := queue.Publish(written...); err != nil { // as each commit publishes its message
		t.Fatal(err)
	}
	if s, err := queue.Stat(asynqjobs.QueueDefault); err != nil || s.Pending != len(written) {
		t.Fatalf("before the flush: %+v %v, want %d tasks pending", s, err, len(written))
	}
	flushJobQueue(t, red)
	if s, err := queue.Stat(asynqjobs.QueueDefault); err == nil && s.Pending != 0 {
		t.Fatalf("after the flush: %+v, want nothing pending", s)
	}

	simulate("2026-11-04T06:00:00Z")
	all := unfinished()
	// The worker's clock is two minutes ahead: the messages of the
	// second day are overdue too, as at the scheduler's next runs.
	w := worker.New(worker.Deps{Redis: red.Options, Orgs: db.App, Accounts: svc.Accounts, Leads: svc.Leads, Jobs: svc.Jobs,
		Mail: mail.LogSender{Log: log}, BaseURL: "https://plateau.test", Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now: func() time.Time { return time.Now().Add(2 * time.Minute) }})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := errors.Join(<-done, w.Close()); err != nil {
			t.Errorf("worker: %v", err)
		}
	})
	// The reconciler, enqueued as the scheduler does every minute.
	if err := queue.Publish(outbox.Message{ID: uuid.Must(uuid.NewV7()), TaskType: worker.TypeOutboxReconcile}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Minute); len(unfinished()) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d outbox messages still unfinished 2 minutes after the reconciler ran", len(unfinished()), len(all))
		}
	}
	s, err := queue.Stat(asynqjobs.QueueDefault)
	if err != nil || s.Processed < len(all) || s.Failed != 0 {
		t.Fatalf("the default queue after the reconciler: %+v %v, want %d tasks processed, none failed", s, err, len(all))
	}
	if code, out, errOut := plateau(t, "verify", url); code != 0 {
		t.Fatalf("verify after the flush: exit %d\n%s\n%s", code, out, errOut)
	}
}

// jobQueueRedis is database 0 of the Redis of PLATEAU_TEST_REDIS_URL, its
// job queue emptied. The other tests take databases 1 to 15 in turn
// (redistest), a test of another package possibly the one this test would
// take: its worker would run their tasks, and they its. Database 0 only
// holds redistest's counter.
func jobQueueRedis(t *testing.T) *redisstore.Redis {
	t.Helper()
	u, err := url.Parse(testenv.Need(t, testenv.Redis))
	if err != nil {
		t.Fatalf("PLATEAU_TEST_REDIS_URL: %v", err)
	}
	u.Path = "/0"
	red, err := redisstore.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = red.Close() })
	flushJobQueue(t, red)
	return red
}

// flushJobQueue deletes every key of the job queue (asynq's), as a flush of
// Redis would, leaving redistest's counter.
func flushJobQueue(t *testing.T, red *redisstore.Redis) {
	t.Helper()
	ctx := context.Background()
	it := red.Client.Scan(ctx, 0, "asynq:*", 1000).Iterator()
	for it.Next(ctx) {
		if err := red.Client.Del(ctx, it.Val()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
}
