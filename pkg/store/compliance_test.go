package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// failInserts makes every insert into table fail, with the message boom,
// when when (a condition on NEW, or "") holds, until the test ends or the
// returned function is called: the way to see that a use case's
// transaction keeps nothing when one of its later steps fails.
func failInserts(t *testing.T, db dbtest.DB, table, when string) (restore func()) {
	t.Helper()
	ctx := context.Background()
	var create []string
	drop := "DROP TRIGGER IF EXISTS boom_" + table
	switch db.Owner.Dialect {
	case store.Postgres:
		cond := ""
		if when != "" {
			cond = " WHEN (" + when + ")"
		}
		create = []string{
			"CREATE OR REPLACE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$",
			"CREATE TRIGGER boom_" + table + " BEFORE INSERT ON " + table + " FOR EACH ROW" + cond + " EXECUTE FUNCTION boom()",
		}
		drop += " ON " + table
	default:
		cond := ""
		if when != "" {
			cond = " WHEN " + when
		}
		create = []string{"CREATE TRIGGER boom_" + table + " BEFORE INSERT ON " + table + cond + " BEGIN SELECT RAISE(ABORT, 'boom'); END"}
	}
	for _, q := range create {
		if _, err := db.Owner.Bun.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	done := false
	restore = func() {
		if done {
			return
		}
		done = true
		if _, err := db.Owner.Bun.ExecContext(ctx, drop); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(restore)
	return restore
}

// TestWithdrawalPutsTheNumberOnTheClientsList: a withdrawn consent is also
// an objection (GDPR art. 7(3), 21(3)): the withdrawal puts the number on
// the client's opt-out list, in the same transaction, saying where it came
// from; another client's list is untouched.
func TestWithdrawalPutsTheNumberOnTheClientsList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(db.App).Compliance
		org := func(name string) context.Context {
			o, err := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: name, Country: "FR"}, "test")
			ok(t, err)
			return tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(o, "test"))
		}
		asA, asB := org("Maison Lumière"), org("Verdier")
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		withdrawn := time.Date(2026, 9, 10, 7, 0, 0, 0, time.UTC)
		for _, as := range []context.Context{asA, asB} {
			_, err := svc.RecordConsents(as, "FR", []compliance.NewConsent{{Phone: "06 12 34 56 78", Source: "web form", CapturedAt: &captured}})
			ok(t, err)
		}
		// A withdrawal whose list entry cannot be written leaves nothing behind.
		restore := failInserts(t, db, "suppression_entries", "")
		if _, err := svc.WithdrawConsent(asA, "+33612345678", withdrawn); err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("a withdrawal whose list entry fails: %v", err)
		}
		restore()
		type facts struct {
			entries  []compliance.SuppressionEntry
			consents []compliance.ConsentRecord
			reason   compliance.Reason // of a call at question's time
		}
		lists := func(as context.Context) facts {
			t.Helper()
			var f facts
			var err error
			f.entries, _, err = svc.Suppressions(as, store.Page{})
			ok(t, err)
			f.consents, _, err = svc.Consents(as, "+33612345678", store.Page{})
			ok(t, err)
			d, err := svc.Decide(as, question)
			ok(t, err)
			f.reason = d.Reason
			return f
		}
		if f := lists(asA); len(f.entries) != 0 || f.consents[0].WithdrawnAt != nil || f.reason != compliance.Allowed {
			t.Fatalf("after a rolled back withdrawal: %+v", f)
		}
		n, err := svc.WithdrawConsent(asA, "+33612345678", withdrawn)
		if err != nil || n != 1 {
			t.Fatalf("withdraw: %d %v", n, err)
		}
		f := lists(asA)
		if len(f.entries) != 1 || f.entries[0].Phone != "+33612345678" || f.entries[0].List != compliance.ClientList ||
			!strings.Contains(f.entries[0].Reason, "withdr") || f.entries[0].Source == "" {
			t.Fatalf("A's list after the withdrawal: %+v", f.entries)
		}
		if f.reason != compliance.SuppressedClient || f.consents[0].WithdrawnAt == nil {
			t.Fatalf("A's facts after the withdrawal: %+v", f)
		}
		if f := lists(asB); len(f.entries) != 0 || f.reason != compliance.Allowed || f.consents[0].WithdrawnAt != nil {
			t.Fatalf("B's list and consent after A's callee withdrew: %+v", f)
		}
		// A number already on the list stays as it was.
		_, err = svc.AddSuppressions(asB, "FR", []compliance.NewSuppression{{Phone: "+33612345678", Reason: "asked on the phone"}})
		ok(t, err)
		_, err = svc.WithdrawConsent(asB, "+33612345678", withdrawn)
		ok(t, err)
		if f := lists(asB); len(f.entries) != 1 || f.entries[0].Reason != "asked on the phone" {
			t.Fatalf("B's list: %+v", f.entries)
		}
	})
}
