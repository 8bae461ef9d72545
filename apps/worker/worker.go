// Package worker is the job front door: it registers the task handlers on
// the asynq server, schedules the periodic tasks, and composes the store,
// the job queue and the mail sender they use. Each handler is idempotent:
// an outbox task marks its message done in the transaction that does the
// work, so a task delivered twice acts once.
//
// It imports pkg/store (the use cases it runs), pkg/asynqjobs, domain
// packages and go-redis (for connection options); never another app.
package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Periodic task types; the other task types are declared by the domain
// that owns their work (pkg/mail, pkg/lead).
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
	Redis    *redis.Options // the job queue's Redis
	Orgs     asynqjobs.Orgs // rebuilds a task's tenant scope
	Accounts *store.Accounts
	Leads    *store.Leads
	Jobs     *store.Jobs
	Mail     mail.Sender
	BaseURL  string // public URL of the site, without trailing slash, for links in mails
	Log      *slog.Logger
	// Scheduler enqueues the periodic tasks; one process per deployment.
	Scheduler bool
	// Now is the platform's clock; the reconciler and the purge age their
	// rows with it.
	Now func() time.Time
}

// Worker runs the task handlers.
type Worker struct {
	deps   Deps
	queue  *asynqjobs.Queue
	server *asynqjobs.Server
}

// New composes the worker; it connects when Run starts.
func New(d Deps) *Worker {
	w := &Worker{deps: d, queue: asynqjobs.NewQueue(d.Redis, d.Log), server: asynqjobs.NewServer(d.Redis, d.Orgs, d.Log)}
	w.server.HandleTenant(mail.TaskInvitation, w.mailInvitation)
	w.server.HandleTenant(mail.TaskPasswordReset, w.mailPasswordReset)
	w.server.HandleTenant(lead.TaskImport, w.importLeads)
	w.server.HandleTenant(lead.TaskRescrub, w.rescrubLeads)
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
	return w.mailMember(ctx, env, tenancy.TokenInvitation, mail.InvitationValidity,
		// An invitation accepted meanwhile needs no new mail.
		func(m tenancy.Member) bool { return m.Status == tenancy.UserInvited },
		func(m tenancy.Member, org tenancy.Org, token string) mail.Message {
			link := w.deps.BaseURL + "/invitation/" + token
			if m.Joining { // a person with an account, asked to join one more org
				return mail.Join(m.Email, localeOf(m, org), org.Name, link)
			}
			return mail.Invitation(m.Email, localeOf(m, org), org.Name, link)
		})
}

func (w *Worker) mailPasswordReset(ctx context.Context, env outbox.Envelope) error {
	return w.mailMember(ctx, env, tenancy.TokenPasswordReset, mail.PasswordResetValidity,
		func(m tenancy.Member) bool { return m.Status != tenancy.UserDisabled },
		func(m tenancy.Member, org tenancy.Org, token string) mail.Message {
			return mail.PasswordReset(m.Email, localeOf(m, org), w.deps.BaseURL+"/password/reset/"+token)
		})
}

// mailMember sends the mail of a mail.MemberTask through
// store.Accounts.MailMember: the outbox message marked done, the token
// issued and the mail sent in one transaction, or nothing.
func (w *Worker) mailMember(ctx context.Context, env outbox.Envelope, purpose tenancy.TokenPurpose, validity time.Duration,
	needed func(tenancy.Member) bool, message func(tenancy.Member, tenancy.Org, string) mail.Message) error {
	task, err := asynqjobs.Decode[mail.MemberTask](env)
	if err != nil {
		return err
	}
	skipped, err := w.deps.Accounts.MailMember(ctx, store.MemberMail{OutboxID: env.OutboxID, UserID: task.UserID,
		Purpose: purpose, Validity: validity, Needed: needed,
		Send: func(m tenancy.Member, org tenancy.Org, token string) error {
			return w.deps.Mail.Send(ctx, message(m, org, token))
		}})
	if skipped != "" && err == nil {
		w.deps.Log.InfoContext(ctx, "mail not sent: "+skipped, "user_id", task.UserID, "outbox_id", env.OutboxID)
	}
	return err
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
	msgs, err := w.deps.Jobs.Unfinished(ctx, w.deps.Now().Add(-reconcileAfter), reconcileBatch)
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
		if err := w.deps.Jobs.MarkFailed(ctx, m.ID); err != nil {
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
	outboxRows, err := w.deps.Jobs.PurgeDone(ctx, now.Add(-outboxRetention))
	if err != nil {
		return err
	}
	keys, err := w.deps.Jobs.PurgeIdempotencyKeys(ctx, now.Add(-idempotencyRetention))
	if err != nil {
		return err
	}
	leavers, err := w.deps.Jobs.PurgeLeavers(ctx)
	if err != nil {
		return err
	}
	w.deps.Log.InfoContext(ctx, "purged finished work", "outbox_messages", outboxRows, "idempotency_keys", keys, "people_in_no_org", leavers)
	return nil
}
