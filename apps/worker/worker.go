// Package worker is the job front door: it registers the task handlers on
// the asynq server, schedules the periodic tasks, and composes the store,
// the job queue and the mail sender they use. Each handler is idempotent:
// an outbox task marks its message done in the transaction that does the
// work, so a task delivered twice acts once.
//
// It imports pkg/store, pkg/asynqjobs, pkg/mail, domain packages and
// go-redis (for connection options); never another app.
package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/leadimport"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/screening"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Periodic task types; the mail task types are declared by the store,
// which announces them.
const (
	TypeOutboxReconcile  = "outbox:reconcile"
	TypeMaintenancePurge = "maintenance:purge"
)

// Retention of finished work.
const (
	outboxRetention      = 7 * 24 * time.Hour
	idempotencyRetention = 24 * time.Hour
	// reconcileAfter is how old an unfinished outbox message must be for
	// the reconciler to publish it again: younger ones are still on their
	// way from the commit to the queue.
	reconcileAfter = time.Minute
	reconcileBatch = 500
)

// Deps is what the worker runs on.
type Deps struct {
	DB        *store.DB
	Redis     *redis.Options // the job queue's Redis
	Mail      mail.Sender
	BaseURL   string // public URL of the site, without trailing slash, for links in mails
	Log       *slog.Logger
	Scheduler bool // enqueue the periodic tasks; one process per deployment
	// Now is the clock; nil means time.Now. Tests move it forward to age
	// outbox messages and retained rows.
	Now func() time.Time
}

// Worker runs the task handlers.
type Worker struct {
	deps    Deps
	queue   *asynqjobs.Queue
	server  *asynqjobs.Server
	imports *leadimport.Runner
}

// New composes the worker; it connects when Run starts.
func New(d Deps) *Worker {
	if d.Now == nil {
		d.Now = time.Now
	}
	w := &Worker{deps: d, queue: asynqjobs.NewQueue(d.Redis, d.Log), server: asynqjobs.NewServer(d.Redis, d.DB, d.Log),
		imports: &leadimport.Runner{DB: d.DB, Screener: screening.New(d.DB), Log: d.Log, Now: d.Now}}
	w.server.HandleTenant(store.TaskMailInvitation, w.mailInvitation)
	w.server.HandleTenant(store.TaskMailPasswordReset, w.mailPasswordReset)
	w.server.HandleTenant(store.TaskLeadImport, w.importLeads)
	w.server.HandleSystem(TypeOutboxReconcile, w.reconcile)
	w.server.HandleSystem(TypeMaintenancePurge, w.purge)
	if d.Scheduler {
		w.server.Every(time.Minute, TypeOutboxReconcile)
		w.server.Every(time.Hour, TypeMaintenancePurge)
	}
	return w
}

// Run processes tasks until ctx is done.
func (w *Worker) Run(ctx context.Context) error { return w.server.Run(ctx) }

// Close releases the connections of the queue the reconciler publishes to;
// call it once Run has returned.
func (w *Worker) Close() error { return w.queue.Close() }

func (w *Worker) mailInvitation(ctx context.Context, env outbox.Envelope) error {
	return w.mailMember(ctx, env, userMail{
		purpose: store.PurposeInvitation, validity: mail.InvitationValidity,
		// An invitation accepted meanwhile needs no new mail.
		needed: func(s tenancy.UserStatus) bool { return s == tenancy.UserInvited },
		message: func(m tenancy.Member, org tenancy.Org, token string) mail.Message {
			return mail.Invitation(m.Email, localeOf(m, org), org.Name, w.deps.BaseURL+"/invitation/"+token)
		},
	})
}

func (w *Worker) mailPasswordReset(ctx context.Context, env outbox.Envelope) error {
	return w.mailMember(ctx, env, userMail{
		purpose: store.PurposePasswordReset, validity: mail.PasswordResetValidity,
		needed: func(s tenancy.UserStatus) bool { return s != tenancy.UserDisabled },
		message: func(m tenancy.Member, org tenancy.Org, token string) mail.Message {
			return mail.PasswordReset(m.Email, localeOf(m, org), w.deps.BaseURL+"/password/reset/"+token)
		},
	})
}

// userMail is a mail carrying a one-time link for a member.
type userMail struct {
	purpose  string // of the token
	validity time.Duration
	needed   func(tenancy.UserStatus) bool
	message  func(m tenancy.Member, org tenancy.Org, token string) mail.Message
}

// mailMember sends the mail of a store.UserMailTask in one transaction:
// the outbox message is marked done, the token issued and the mail sent, or
// nothing is. A failed send rolls the transaction back and the task is
// retried; a second delivery finds the message done and sends nothing. (A
// mail sent just before a failed commit is sent again: at least once.)
func (w *Worker) mailMember(ctx context.Context, env outbox.Envelope, um userMail) error {
	task, err := asynqjobs.Decode[store.UserMailTask](env)
	if err != nil {
		return err
	}
	log := w.deps.Log.With("user_id", task.UserID, "outbox_id", env.OutboxID)
	return w.deps.DB.InTenant(ctx, func(t *store.Tenant) error {
		if first, err := t.MarkDone(ctx, env.OutboxID); err != nil || !first {
			return err
		}
		m, err := t.Member(ctx, task.UserID)
		if apperr.Is(err, apperr.NotFound) {
			log.InfoContext(ctx, "mail not sent: the user left the org")
			return nil
		} else if err != nil {
			return err
		}
		if !um.needed(m.Status) {
			log.InfoContext(ctx, "mail not sent: not needed any more", "status", m.Status)
			return nil
		}
		org, err := t.Org(ctx)
		if err != nil {
			return err
		}
		token, err := t.IssueToken(ctx, m.ID, um.purpose, um.validity)
		if err != nil {
			return err
		}
		return w.deps.Mail.Send(ctx, um.message(m, org, token))
	})
}

// localeOf is the language of a member's mails: theirs, else their org's.
func localeOf(m tenancy.Member, org tenancy.Org) string {
	if m.Locale != "" {
		return m.Locale
	}
	return org.Locale()
}

// reconcile publishes again the outbox messages that are not done a while
// after their commit, in case their publish was lost (Redis down, process
// killed before publishing). Messages whose task is still in the queue,
// waiting, running, retrying or archived, are not duplicated: their task id
// is taken.
func (w *Worker) reconcile(ctx context.Context) error {
	msgs, err := w.deps.DB.Unfinished(ctx, w.deps.Now().Add(-reconcileAfter), reconcileBatch)
	if err != nil || len(msgs) == 0 {
		return err
	}
	var again []outbox.Message
	for _, m := range msgs {
		archived, err := w.queue.Archived(m)
		if err != nil {
			return err
		}
		if !archived {
			again = append(again, m)
			continue
		}
		w.deps.Log.WarnContext(ctx, "outbox: task failed for good; marked failed", "type", m.TaskType, "org_id", m.OrgID, "outbox_id", m.ID)
		if err := w.deps.DB.MarkFailed(ctx, m.ID); err != nil {
			return err
		}
	}
	if len(again) == 0 {
		return nil
	}
	w.deps.Log.InfoContext(ctx, "outbox: publishing unfinished messages again", "count", len(again))
	return w.queue.Publish(again...)
}

// purge deletes finished work past its retention.
func (w *Worker) purge(ctx context.Context) error {
	now := w.deps.Now()
	outboxRows, err := w.deps.DB.PurgeDone(ctx, now.Add(-outboxRetention))
	if err != nil {
		return err
	}
	keys, err := w.deps.DB.PurgeIdempotencyKeys(ctx, now.Add(-idempotencyRetention))
	if err != nil {
		return err
	}
	w.deps.Log.InfoContext(ctx, "purged finished work", "outbox_messages", outboxRows, "idempotency_keys", keys)
	return nil
}
