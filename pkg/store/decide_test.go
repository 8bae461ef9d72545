package store_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// services are the use cases on db with an empty copy of the national lists.
func services(db *store.DB) store.Services {
	return store.NewServices(db, nationallist.NewRegistry(), slog.Default())
}

// ok fails the test on err.
func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A French consumer, a weekday at 11:00 Paris, after the consent law.
var (
	tuesday  = time.Date(2026, 9, 15, 9, 0, 0, 0, time.UTC)
	question = compliance.Question{Number: "06 12 34 56 78", Country: "FR", Audience: "b2c", Kind: "prospecting",
		CallerID: "+33162000001", At: &tuesday}
)

func TestDecisionsUseEachClientsOwnRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		b, _ := actingAs(t, db.App, tenancy.KindClient, "Rival", "FR")
		platform, _ := actingAs(t, db.App, tenancy.KindPlatform, "Plateau", "FR")
		s := services(db.App).Compliance
		decide := func(ctx context.Context) compliance.Reason {
			t.Helper()
			d, err := s.Decide(ctx, question)
			ok(t, err)
			return d.Reason
		}
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		_, err := s.RecordConsents(a, "FR", []compliance.NewConsent{{Phone: "0612345678", Source: "checkout", CapturedAt: &captured}})
		ok(t, err)
		if r := decide(a); r != compliance.Allowed {
			t.Fatalf("A with consent: %s", r)
		}
		if r := decide(b); r != compliance.NoConsent {
			t.Fatalf("B, whose callee never consented to B: %s", r)
		}
		// A's callee says "do not call me": A is blocked, B's answer does not change.
		_, err = s.AddSuppressions(a, "FR", []compliance.NewSuppression{{Phone: "+33612345678", Reason: "asked on the phone"}})
		ok(t, err)
		if r := decide(a); r != compliance.SuppressedClient {
			t.Fatalf("A after an opt-out: %s", r)
		}
		if r := decide(b); r != compliance.NoConsent {
			t.Fatalf("B after A's opt-out: %s", r)
		}
		// The platform's list blocks every client.
		_, err = s.AddSuppressions(platform, "FR", []compliance.NewSuppression{{Phone: "+33612345678"}})
		ok(t, err)
		_, err = s.RecordConsents(b, "FR", []compliance.NewConsent{{Phone: "+33612345678", Source: "form", CapturedAt: &captured}})
		ok(t, err)
		if r := decide(b); r != compliance.SuppressedPlatform {
			t.Fatalf("B on the platform list: %s", r)
		}
	})
}

func TestWithdrawalIsHonouredAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		s := services(db.App).Compliance
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		_, err := s.RecordConsents(a, "FR", []compliance.NewConsent{{Phone: "0612345678", Source: "checkout", CapturedAt: &captured}})
		ok(t, err)
		_, err = s.WithdrawConsent(a, "+33612345678", tuesday.Add(-time.Hour))
		ok(t, err)
		// A withdrawal is also an objection: the number is on the client's list.
		d, err := s.Decide(a, question)
		if err != nil || d.Reason != compliance.SuppressedClient {
			t.Fatalf("after withdrawal: %+v %v", d, err)
		}
	})
}

func TestBatchesAreAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		s := services(db.App).Compliance
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		withdrawn := captured.Add(-time.Hour)
		_, err := s.RecordConsents(a, "FR", []compliance.NewConsent{
			{Phone: "0612345678", Source: "checkout", CapturedAt: &captured},
			{Phone: "06 12", Source: "checkout", CapturedAt: &captured},
			{Phone: "0612345679", Source: "checkout", CapturedAt: &captured, WithdrawnAt: &withdrawn},
		})
		e := apperr.As(err)
		if e == nil || len(e.Fields) != 2 || e.Fields[0].Path != "items[1].phone" || e.Fields[1].Path != "items[2].withdrawn_at" {
			t.Fatalf("batch with two bad items: %#v", err)
		}
		list, _, err := s.Consents(a, "", store.Page{})
		ok(t, err)
		if len(list) != 0 {
			t.Errorf("a refused batch stored %d consents", len(list))
		}
	})
}

func TestEvidenceOfDialsIsKeptPerOrg(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		b, _ := actingAs(t, db.App, tenancy.KindClient, "Rival", "FR")
		s := services(db.App).Compliance
		dial := question
		dial.Purpose = compliance.PurposeDial
		_, err := s.Decide(a, dial) // blocked: no consent
		ok(t, err)
		_, err = s.Decide(a, question) // a question through the API leaves no evidence
		ok(t, err)
		count := func(ctx context.Context) []compliance.BlockCount {
			out, err := s.BlockCounts(ctx)
			ok(t, err)
			return out
		}
		if got := count(a); len(got) != 1 || got[0].Count != 1 || got[0].Reason != string(compliance.NoConsent) {
			t.Fatalf("A's blocks: %+v", got)
		}
		if got := count(b); len(got) != 0 {
			t.Fatalf("B sees blocks: %+v", got)
		}
		ev, _, err := s.EvidenceFor(b, "+33612345678", nil, store.Page{})
		ok(t, err)
		if len(ev) != 0 {
			t.Errorf("B sees A's evidence: %+v", ev)
		}
	})
}

func TestNationalListsAreReloadedFromTheDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		platform, _ := actingAs(t, db.App, tenancy.KindPlatform, "Plateau", "FR")
		client, _ := actingAs(t, db.App, tenancy.KindClient, "US Shop", "US")
		snapshot, err := numberset.New([]uint64{13105551234}).MarshalBinary()
		ok(t, err)
		_, err = services(db.App).Compliance.SaveNationalList(platform, nationallist.Upload{Code: "US-DNC",
			FreshAt: tuesday.Add(-48 * time.Hour), Numbers: 1, Snapshot: snapshot})
		ok(t, err)
		// Another process, with its own copy of the lists, reloads them.
		s := services(db.App).Compliance
		ok(t, s.ReloadLists(context.Background()))
		la := time.Date(2026, 9, 15, 17, 0, 0, 0, time.UTC) // 10:00 in Los Angeles
		us := compliance.Question{Number: "(310) 555-1234", Country: "US", Audience: "b2c", Kind: "prospecting", At: &la}
		d, err := s.Decide(client, us)
		if err != nil || d.Reason != compliance.NationalList {
			t.Fatalf("listed number: %+v %v", d, err)
		}
		us.Number = "(310) 555-1235"
		if d, err := s.Decide(client, us); err != nil || !d.Allowed {
			t.Fatalf("unlisted number: %+v %v", d, err)
		}
		// A client cannot store a national list.
		_, err = s.SaveNationalList(client, nationallist.Upload{Code: "US-DNC", FreshAt: la, Snapshot: snapshot})
		if !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a client uploading a national list: %v", err)
		}
	})
}

func TestBadQuestionsNameTheirFields(t *testing.T) {
	db := dbtest.SQLite(t)
	a, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
	_, err := services(db.App).Compliance.Decide(a, compliance.Question{Number: "12", Country: "XX", Audience: "b2x", Kind: "sales", LeadZone: "Mars/Base"})
	e := apperr.As(err)
	if e == nil || len(e.Fields) != 5 {
		t.Fatalf("got %#v", err)
	}
	for i, want := range []string{"country", "number", "audience", "kind", "lead_timezone"} {
		if e.Fields[i].Path != want {
			t.Errorf("field %d: %s, want %s", i, e.Fields[i].Path, want)
		}
	}
}
