package worker_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestARecordedConsentFreesItsBlockedLead runs the platform's worker as
// `plateau serve`'s would (SQLite and PostgreSQL, the test's Redis) and as
// `plateau dev`'s (SQLite, in-process Redis): a lead blocked for want of
// consent becomes ready once its client records the consent, through the
// lead:rescrub task the recording announced; and blocked again when the
// number goes on the client's opt-out list.
func TestARecordedConsentFreesItsBlockedLead(t *testing.T) {
	body := func(t *testing.T, e *platformtest.Env) {
		w := e.P.Worker(mail.LogSender{Log: slog.New(slog.DiscardHandler)}, false)
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		t.Cleanup(func() {
			stop()
			if err := errors.Join(<-done, w.Close()); err != nil {
				t.Errorf("worker: %v", err)
			}
		})
		client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		svc, as := e.P.Services, platformtest.As(client.Org)
		k := platformtest.Must(svc.Campaigns.Create(as, campaign.Input{Name: "Prospection", Kind: "prospecting", Audience: "b2c",
			Country: "FR", Languages: []string{"fr"}}))(t)
		res, _, err := svc.Leads.AddBatch(as, k.ID, []leadfile.Lead{{Phone: "06 12 34 56 01", LastName: "Dupré"}})
		if err != nil {
			t.Fatal(err)
		}
		id := res[0].Lead.ID
		if res[0].Lead.Status != lead.Blocked {
			t.Fatalf("the lead without consent is %s", res[0].Lead.Status)
		}

		at := time.Now().AddDate(0, -1, 0)
		platformtest.Must(svc.Compliance.RecordConsents(as, "FR", []compliance.NewConsent{{Phone: "06 12 34 56 01", Source: "site", CapturedAt: &at}}))(t)
		if l := waitFor(t, e, client.Org, k.ID, id, lead.Ready); l.Block != nil {
			t.Errorf("the freed lead keeps its block: %+v", l.Block)
		}
		platformtest.Must(svc.Compliance.AddSuppressions(as, "FR", []compliance.NewSuppression{{Phone: "06 12 34 56 01", Reason: "stop"}}))(t)
		if l := waitFor(t, e, client.Org, k.ID, id, lead.Blocked); l.Block.Reason != compliance.SuppressedClient {
			t.Errorf("the opted-out lead is blocked for %s", l.Block.Reason)
		}
	}
	platformtest.Each(t, body)
	t.Run("in-process", func(t *testing.T) { body(t, platformtest.InProcess(t)) })
}

// waitFor waits until the worker brought a lead to status (the deadline
// only bounds a failing test) and returns it.
func waitFor(t *testing.T, e *platformtest.Env, org tenancy.Org, campaignID, id uuid.UUID, status lead.Status) lead.Lead {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got := platformtest.Must(e.P.Services.Leads.Get(platformtest.As(org), campaignID, id))(t).Lead
		if got.Status == status {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lead is %s, waiting for %s", got.Status, status)
		}
	}
}
