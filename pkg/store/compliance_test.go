package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestWithdrawalPutsTheNumberOnTheClientsList: a withdrawn consent is also
// an objection (GDPR art. 7(3), 21(3)): the withdrawal puts the number on
// the client's opt-out list, in the same transaction, saying where it came
// from; another client's list is untouched.
func TestWithdrawalPutsTheNumberOnTheClientsList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		org := func(name string) context.Context {
			o, err := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: name, Country: "FR"}, "test")
			if err != nil {
				t.Fatal(err)
			}
			return tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(o, "test"))
		}
		asA, asB := org("Maison Lumière"), org("Verdier")
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		withdrawn := time.Date(2026, 9, 10, 7, 0, 0, 0, time.UTC)
		for _, as := range []context.Context{asA, asB} {
			if err := db.App.InTenant(as, func(tx *store.Tenant) error {
				_, err := tx.RecordConsents(as, "FR", []compliance.NewConsent{{Phone: "06 12 34 56 78", Source: "web form", CapturedAt: &captured}})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		// A withdrawal whose transaction fails leaves nothing behind.
		boom := errors.New("boom")
		if err := db.App.InTenant(asA, func(tx *store.Tenant) error {
			if _, err := tx.WithdrawConsent(asA, "+33612345678", withdrawn); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		lists := func(as context.Context) (entries []compliance.SuppressionEntry, facts store.Screening) {
			if err := db.App.InTenant(as, func(tx *store.Tenant) error {
				var err error
				if entries, _, err = tx.Suppressions(as, store.Page{}); err != nil {
					return err
				}
				facts, err = tx.Screen(as, "+33612345678")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return entries, facts
		}
		if entries, facts := lists(asA); len(entries) != 0 || facts.Consents[0].WithdrawnAt != nil {
			t.Fatalf("after a rolled back withdrawal: %+v %+v", entries, facts)
		}
		if err := db.App.InTenant(asA, func(tx *store.Tenant) error {
			_, err := tx.WithdrawConsent(asA, "+33612345678", withdrawn)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		entries, facts := lists(asA)
		if len(entries) != 1 || entries[0].Phone != "+33612345678" || entries[0].List != compliance.ClientList ||
			!strings.Contains(entries[0].Reason, "withdr") || entries[0].Source == "" {
			t.Fatalf("A's list after the withdrawal: %+v", entries)
		}
		if len(facts.Suppressions) != 1 || facts.Suppressions[0] != compliance.ClientList || facts.Consents[0].WithdrawnAt == nil {
			t.Fatalf("A's facts after the withdrawal: %+v", facts)
		}
		if entries, facts := lists(asB); len(entries) != 0 || len(facts.Suppressions) != 0 || facts.Consents[0].WithdrawnAt != nil {
			t.Fatalf("B's list and consent after A's callee withdrew: %+v %+v", entries, facts)
		}
		// A number already on the list stays as it was.
		if err := db.App.InTenant(asB, func(tx *store.Tenant) error {
			if _, err := tx.AddSuppressions(asB, "FR", []compliance.NewSuppression{{Phone: "+33612345678", Reason: "asked on the phone"}}); err != nil {
				return err
			}
			_, err := tx.WithdrawConsent(asB, "+33612345678", withdrawn)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if entries, _ := lists(asB); len(entries) != 1 || entries[0].Reason != "asked on the phone" {
			t.Fatalf("B's list: %+v", entries)
		}
	})
}
