package worker_test

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/apps/worker"
	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/redisstore/redistest"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

const baseURL = "https://plateau.test"

// mailbox keeps the mails instead of sending them: SMTP is not the subject
// of these tests (pkg/smtpmail is tested against a real SMTP server).
type mailbox struct {
	mu      sync.Mutex
	sent    []mail.Message
	refuses int // the next sends to fail
}

func (b *mailbox) Send(_ context.Context, m mail.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.refuses > 0 {
		b.refuses--
		return errors.New("451 4.3.0 try again later")
	}
	b.sent = append(b.sent, m)
	return nil
}

func (b *mailbox) mails() []mail.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]mail.Message(nil), b.sent...)
}

// recorder publishes to the queue and keeps a copy of each message, so a
// test can deliver one again.
type recorder struct {
	outbox.Publisher
	mu   sync.Mutex
	msgs []outbox.Message
}

func (r *recorder) Publish(msgs ...outbox.Message) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, msgs...)
	r.mu.Unlock()
	return r.Publisher.Publish(msgs...)
}

func (r *recorder) published() []outbox.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outbox.Message(nil), r.msgs...)
}

type fixture struct {
	db    *store.DB
	svc   store.Services
	org   tenancy.Org // French: its members' mails default to French
	queue *asynqjobs.Queue
	box   *mailbox
	deps  worker.Deps
}

func newFixture(t *testing.T, db dbtest.DB) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	red := redistest.Open(t)
	q := asynqjobs.NewQueue(red.Options, log)
	t.Cleanup(func() { _ = q.Close() })
	org, err := db.App.CreateOrg(context.Background(), tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "Acme", Country: "FR"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	box := &mailbox{}
	svc := store.NewServices(db.App, nationallist.NewRegistry(), log)
	return &fixture{db: db.App, svc: svc, org: org, queue: q, box: box,
		deps: worker.Deps{Redis: red.Options, Orgs: db.App, Accounts: svc.Accounts, Leads: svc.Leads, Jobs: svc.Jobs,
			Mail: box, BaseURL: baseURL, Log: log, Now: time.Now}}
}

// publishing makes the store publish to the queue, keeping a copy.
func (f *fixture) publishing() *recorder {
	r := &recorder{Publisher: f.queue}
	f.db.SetPublisher(r)
	return r
}

// run starts a worker on deps until the test ends.
func (f *fixture) run(t *testing.T, deps worker.Deps) {
	t.Helper()
	w := worker.New(deps)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := errors.Join(<-done, w.Close()); err != nil {
			t.Errorf("worker: %v", err)
		}
	})
}

func (f *fixture) ctx() context.Context {
	return tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(f.org, "test"))
}

// member adds a person to the org; without a password they are invited.
func (f *fixture) member(t *testing.T, email, locale, password string) tenancy.Member {
	t.Helper()
	m, err := f.svc.Tenancy.AddMember(f.ctx(), store.NewMemberInput{Email: email, Role: "manager", Locale: locale, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) stat(t *testing.T, queue string) asynqjobs.QueueStat {
	t.Helper()
	s, err := f.queue.Stat(queue)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitProcessed waits until n tasks of queue have run (the deadline only
// bounds a failing test) and returns the queue's state.
func (f *fixture) waitProcessed(t *testing.T, queue string, n int) asynqjobs.QueueStat {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		s := f.stat(t, queue)
		if s.Processed >= n && s.Active == 0 {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue %s: %d tasks processed, waiting for %d: %+v", queue, s.Processed, n, s)
		}
	}
}

func (f *fixture) unfinished(t *testing.T) []outbox.Message {
	t.Helper()
	msgs, err := f.svc.Jobs.Unfinished(context.Background(), time.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// token finds the one-time token of a link to path in a mail.
func token(t *testing.T, m mail.Message, path string) string {
	t.Helper()
	found := regexp.MustCompile(regexp.QuoteMeta(baseURL+path) + `(\S+)`).FindStringSubmatch(m.Text)
	if found == nil {
		t.Fatalf("no %s link in the mail:\n%s", path, m.Text)
	}
	return found[1]
}

func TestInvitationIsMailedOnceWithAWorkingLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		published := f.publishing()
		f.run(t, f.deps)
		invited := f.member(t, "new@acme.test", "", "")

		if s := f.waitProcessed(t, asynqjobs.QueueCritical, 1); s.Failed != 0 {
			t.Fatalf("critical queue: %+v", s)
		}
		mails := f.box.mails()
		if len(mails) != 1 || mails[0].To != "new@acme.test" || mails[0].Subject != "Invitation à rejoindre Acme sur Plateau" {
			t.Fatalf("mails = %+v, want one French invitation to new@acme.test", mails)
		}
		acc, _, err := f.svc.Accounts.RedeemToken(context.Background(), token(t, mails[0], "/invitation/"), tenancy.TokenInvitation, "correct horse battery")
		if err != nil {
			t.Fatalf("redeem the invitation link: %v", err)
		}
		if acc.User.ID != invited.ID || acc.User.Status != tenancy.UserActive {
			t.Fatalf("after redeeming: %+v, want %s active", acc.User, invited.ID)
		}

		// The same task again, as after a lost acknowledgement: it runs and
		// finds its message done.
		msgs := published.published()
		if len(msgs) != 1 || msgs[0].TaskType != mail.TaskInvitation {
			t.Fatalf("published %+v, want one invitation", msgs)
		}
		if err := f.queue.Publish(msgs[0]); err != nil {
			t.Fatal(err)
		}
		if s := f.waitProcessed(t, asynqjobs.QueueCritical, 2); s.Failed != 0 {
			t.Fatalf("critical queue: %+v", s)
		}
		if n := len(f.box.mails()); n != 1 {
			t.Fatalf("%d mails after the second delivery, want 1", n)
		}
	})
}

func TestLostPublishIsRecoveredByTheReconciler(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db) // no publisher: the commit reaches the database, not Redis
		f.member(t, "late@acme.test", "en", "")
		if s := f.stat(t, asynqjobs.QueueCritical); s.Pending != 0 {
			t.Fatalf("critical queue before reconciling: %+v, want empty", s)
		}
		deps := f.deps
		deps.Now = func() time.Time { return time.Now().Add(2 * time.Minute) } // the message is now overdue
		f.run(t, deps)

		// Enqueue the reconciler as the scheduler does every minute.
		if err := f.queue.Publish(outbox.Message{ID: uuid.Must(uuid.NewV7()), TaskType: worker.TypeOutboxReconcile}); err != nil {
			t.Fatal(err)
		}
		f.waitProcessed(t, asynqjobs.QueueCritical, 1)
		mails := f.box.mails()
		if len(mails) != 1 || mails[0].To != "late@acme.test" || mails[0].Subject != "You are invited to join Acme on Plateau" {
			t.Fatalf("mails = %+v, want one English invitation to late@acme.test", mails)
		}
		if left := f.unfinished(t); len(left) != 0 {
			t.Fatalf("unfinished outbox messages: %+v", left)
		}
	})
}

func TestPasswordResetIsMailedInTheUsersLanguage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		f.publishing()
		f.run(t, f.deps)
		f.member(t, "bob@acme.test", "en", "correct horse battery")
		if err := f.svc.Accounts.RequestPasswordReset(context.Background(), "bob@acme.test"); err != nil {
			t.Fatal(err)
		}
		f.waitProcessed(t, asynqjobs.QueueCritical, 1)
		mails := f.box.mails()
		if len(mails) != 1 || mails[0].Subject != "Reset your Plateau password" {
			t.Fatalf("mails = %+v, want one English reset mail", mails)
		}
		if _, _, err := f.svc.Accounts.RedeemToken(context.Background(), token(t, mails[0], "/password/reset/"),
			tenancy.TokenPasswordReset, "a brand new password"); err != nil {
			t.Fatalf("redeem the reset link: %v", err)
		}
	})
}

func TestFailedSendLeavesTheMessageToRetry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		f.publishing()
		f.box.refuses = 1
		f.run(t, f.deps)
		f.member(t, "new@acme.test", "", "")

		s := f.waitProcessed(t, asynqjobs.QueueCritical, 1)
		if s.Failed != 1 || s.Retry != 1 {
			t.Fatalf("critical queue: %+v, want the task failed once and waiting to retry", s)
		}
		if left := f.unfinished(t); len(left) != 1 || left[0].TaskType != mail.TaskInvitation {
			t.Fatalf("unfinished outbox messages: %+v, want the invitation (its transaction rolled back)", left)
		}
	})
}

func TestMalformedMailTaskIsArchivedNotRetried(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		f.run(t, f.deps)
		msg, err := outbox.NewMessage(f.org.ID, "test", mail.TaskInvitation, "not a user mail task")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.queue.Publish(msg); err != nil {
			t.Fatal(err)
		}
		s := f.waitProcessed(t, asynqjobs.QueueCritical, 1)
		if s.Archived != 1 || s.Retry != 0 {
			t.Fatalf("critical queue: %+v, want the task archived, not retried", s)
		}
		if n := len(f.box.mails()); n != 0 {
			t.Fatalf("%d mails sent for a malformed task", n)
		}
	})
}

func TestPurgeForgetsExpiredIdempotencyKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		deps := f.deps
		deps.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
		f.run(t, deps)
		claim := func(hash string) error {
			_, err := f.svc.Idempotency.Claim(f.ctx(), store.IdempotentRequest{Key: "k1", ActorID: "a", Method: "POST",
				Path: "/x", RequestHash: []byte(hash)})
			return err
		}
		if err := claim("first"); err != nil {
			t.Fatal(err)
		}
		if err := f.queue.Publish(outbox.Message{ID: uuid.Must(uuid.NewV7()), TaskType: worker.TypeMaintenancePurge}); err != nil {
			t.Fatal(err)
		}
		if s := f.waitProcessed(t, asynqjobs.QueueLow, 1); s.Failed != 0 {
			t.Fatalf("low queue: %+v", s)
		}
		if err := claim("another request"); err != nil {
			t.Fatalf("the key is still held after the purge: %v", err)
		}
	})
}
