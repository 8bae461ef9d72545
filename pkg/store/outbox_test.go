package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type failingPublisher struct{ got []outbox.Message }

func (f *failingPublisher) Publish(msgs ...outbox.Message) error {
	f.got = append(f.got, msgs...)
	return apperr.New(apperr.Unavailable, "outbox.queue.down", "queue down")
}

// unfinished lists the outbox messages of org not done yet.
func unfinished(t *testing.T, svc store.Services, org uuid.UUID) []outbox.Message {
	t.Helper()
	all, err := svc.Jobs.Unfinished(context.Background(), time.Now().Add(time.Minute), 100)
	ok(t, err)
	var out []outbox.Message
	for _, m := range all {
		if m.OrgID == org {
			out = append(out, m)
		}
	}
	return out
}

func TestOutboxSurvivesALostPublishAndRunsOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		pub := &failingPublisher{}
		db.App.SetPublisher(pub)
		svc := services(db.App)
		a, b, orgA, _ := twoOrgs(t, db.App)
		invited, err := svc.Tenancy.AddMember(a, store.NewMemberInput{Email: "invitee@a.example", Role: "analyst"})
		ok(t, err)
		if len(pub.got) != 1 || pub.got[0].TaskType != mail.TaskInvitation {
			t.Fatalf("published after commit: %+v", pub.got)
		}
		// A rolled-back transaction announces nothing: an import whose
		// task was announced, and whose audit event then fails.
		x := draft(t, svc, a, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		im, err := svc.Leads.Upload(a, x.ID, "a.csv", strings.NewReader("Tel;Nom\n0612345678;A\n"))
		ok(t, err)
		failInserts(t, db, "audit_events", "NEW.action = 'lead_import.start'")
		if _, err := svc.Leads.Start(a, im.ID, leadfile.Mapping{}); err == nil {
			t.Fatal("the import started without its audit event")
		}
		if len(pub.got) != 1 {
			t.Fatalf("a rolled-back transaction published %d messages", len(pub.got)-1)
		}
		pending := unfinished(t, svc, orgA.ID)
		if len(pending) != 1 || pending[0].ID != pub.got[0].ID {
			t.Fatalf("unfinished after a failed publish: %+v", pending)
		}
		// Org B cannot complete org A's message; A completes it once.
		sent := 0
		mailInvitation := func(ctx context.Context) (skipped string) {
			t.Helper()
			skipped, err := svc.Accounts.MailMember(ctx, store.MemberMail{OutboxID: pending[0].ID, UserID: invited.ID,
				Purpose: tenancy.TokenInvitation, Validity: time.Hour,
				Needed: func(m tenancy.Member) bool { return m.Status == tenancy.UserInvited },
				Send:   func(tenancy.Member, tenancy.Org, string) error { sent++; return nil }})
			ok(t, err)
			return skipped
		}
		if skipped := mailInvitation(b); skipped == "" || sent != 0 {
			t.Fatalf("org B completed org A's outbox message (%q, %d sent)", skipped, sent)
		}
		if skipped := mailInvitation(a); skipped != "" || sent != 1 {
			t.Fatalf("org A's first delivery: %q, %d sent", skipped, sent)
		}
		if skipped := mailInvitation(a); skipped == "" || sent != 1 {
			t.Fatalf("a second delivery: %q, %d sent", skipped, sent)
		}
		if pending := unfinished(t, svc, orgA.ID); len(pending) != 0 {
			t.Fatalf("still unfinished after done: %+v", pending)
		}
	})
}

func TestIdempotencyClaims(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App).Idempotency
		a, b, _, _ := twoOrgs(t, db.App)
		req := store.IdempotentRequest{Key: "k1", ActorID: "actor", Method: "POST", Path: "/api/v1/users", RequestHash: []byte("h1")}
		if got, err := svc.Claim(a, req); got != nil || err != nil {
			t.Fatalf("first claim: %v %v", got, err)
		}
		if _, err := svc.Claim(a, req); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("claim while in progress: %v", err)
		}
		// The same key in another org is another key.
		if got, err := svc.Claim(b, req); got != nil || err != nil {
			t.Fatalf("org B's claim of the same key: %v %v", got, err)
		}
		ok(t, svc.Complete(a, "k1", store.StoredResponse{StatusCode: 201, ContentType: "application/json", Body: []byte(`{"id":1}`)}))
		got, err := svc.Claim(a, req)
		if err != nil || got == nil || got.StatusCode != 201 || string(got.Body) != `{"id":1}` {
			t.Fatalf("replay: %+v %v", got, err)
		}
		other := req
		other.RequestHash = []byte("h2")
		if _, err := svc.Claim(a, other); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("same key, other body: %v", err)
		}
		// B's claim is still in progress; releasing it lets B run again.
		if _, err := svc.Claim(b, req); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("B's claim while in progress: %v", err)
		}
		ok(t, svc.Release(b, "k1"))
		if got, err := svc.Claim(b, req); got != nil || err != nil {
			t.Fatalf("B's claim after release: %v %v", got, err)
		}
		// Releasing A's completed key changes nothing.
		ok(t, svc.Release(a, "k1"))
		if got, err := svc.Claim(a, req); err != nil || got == nil || got.StatusCode != 201 {
			t.Fatalf("A's replay after a release: %+v %v", got, err)
		}
	})
}
