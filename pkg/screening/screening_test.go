package screening_test

import (
	"context"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/screening"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func org(t *testing.T, db *store.DB, kind tenancy.OrgKind, name, country string) context.Context {
	t.Helper()
	o, err := db.CreateOrg(context.Background(), tenancy.NewOrgInput{Kind: kind, Name: name, Country: country}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(o, "test"))
}

func in(t *testing.T, db *store.DB, ctx context.Context, fn func(*store.Tenant) error) {
	t.Helper()
	if err := db.InTenant(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// A French consumer, a weekday at 11:00 Paris, after the consent law.
var (
	tuesday = time.Date(2026, 9, 15, 9, 0, 0, 0, time.UTC)
	request = screening.Request{Number: "06 12 34 56 78", Country: "FR", Audience: "b2c", Kind: "prospecting",
		CallerID: "+33162000001", At: &tuesday}
)

func TestScreeningUsesEachClientsOwnRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a := org(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		b := org(t, db.App, tenancy.KindClient, "Rival", "FR")
		platform := org(t, db.App, tenancy.KindPlatform, "Plateau", "FR")
		s := screening.New(db.App)
		decide := func(ctx context.Context) compliance.Reason {
			t.Helper()
			d, err := s.Decide(ctx, request)
			if err != nil {
				t.Fatal(err)
			}
			return d.Reason
		}
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		in(t, db.App, a, func(tx *store.Tenant) error {
			_, err := tx.RecordConsents(a, "FR", []compliance.NewConsent{{Phone: "0612345678", Source: "checkout", CapturedAt: &captured}})
			return err
		})
		if r := decide(a); r != compliance.Allowed {
			t.Fatalf("A with consent: %s", r)
		}
		if r := decide(b); r != compliance.NoConsent {
			t.Fatalf("B, whose callee never consented to B: %s", r)
		}
		// A's callee says "do not call me": A is blocked, B's answer does not change.
		in(t, db.App, a, func(tx *store.Tenant) error {
			_, err := tx.AddSuppressions(a, "FR", []compliance.NewSuppression{{Phone: "+33612345678", Reason: "asked on the phone"}})
			return err
		})
		if r := decide(a); r != compliance.SuppressedClient {
			t.Fatalf("A after an opt-out: %s", r)
		}
		if r := decide(b); r != compliance.NoConsent {
			t.Fatalf("B after A's opt-out: %s", r)
		}
		// The platform's list blocks every client.
		in(t, db.App, platform, func(tx *store.Tenant) error {
			_, err := tx.AddSuppressions(platform, "FR", []compliance.NewSuppression{{Phone: "+33612345678"}})
			return err
		})
		in(t, db.App, b, func(tx *store.Tenant) error {
			_, err := tx.RecordConsents(b, "FR", []compliance.NewConsent{{Phone: "+33612345678", Source: "form", CapturedAt: &captured}})
			return err
		})
		if r := decide(b); r != compliance.SuppressedPlatform {
			t.Fatalf("B on the platform list: %s", r)
		}
	})
}

func TestWithdrawalIsHonouredAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a := org(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		s := screening.New(db.App)
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		in(t, db.App, a, func(tx *store.Tenant) error {
			_, err := tx.RecordConsents(a, "FR", []compliance.NewConsent{{Phone: "0612345678", Source: "checkout", CapturedAt: &captured}})
			return err
		})
		in(t, db.App, a, func(tx *store.Tenant) error {
			_, err := tx.WithdrawConsent(a, "+33612345678", tuesday.Add(-time.Hour))
			return err
		})
		// A withdrawal is also an objection: the number is on the client's list.
		d, err := s.Decide(a, request)
		if err != nil || d.Reason != compliance.SuppressedClient {
			t.Fatalf("after withdrawal: %+v %v", d, err)
		}
	})
}

func TestBatchesAreAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a := org(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		withdrawn := captured.Add(-time.Hour)
		err := db.App.InTenant(a, func(tx *store.Tenant) error {
			_, err := tx.RecordConsents(a, "FR", []compliance.NewConsent{
				{Phone: "0612345678", Source: "checkout", CapturedAt: &captured},
				{Phone: "06 12", Source: "checkout", CapturedAt: &captured},
				{Phone: "0612345679", Source: "checkout", CapturedAt: &captured, WithdrawnAt: &withdrawn},
			})
			return err
		})
		e := apperr.As(err)
		if e == nil || len(e.Fields) != 2 || e.Fields[0].Path != "items[1].phone" || e.Fields[1].Path != "items[2].withdrawn_at" {
			t.Fatalf("batch with two bad items: %#v", err)
		}
		in(t, db.App, a, func(tx *store.Tenant) error {
			list, _, err := tx.Consents(a, "", store.Page{})
			if len(list) != 0 {
				t.Errorf("a refused batch stored %d consents", len(list))
			}
			return err
		})
	})
}

func TestEvidenceOfDialsIsKeptPerOrg(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a := org(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		b := org(t, db.App, tenancy.KindClient, "Rival", "FR")
		s := screening.New(db.App)
		dial := request
		dial.Purpose = store.PurposeDial
		if _, err := s.Decide(a, dial); err != nil { // blocked: no consent
			t.Fatal(err)
		}
		ask := request // a question through the API leaves no evidence
		if _, err := s.Decide(a, ask); err != nil {
			t.Fatal(err)
		}
		count := func(ctx context.Context) []store.BlockCount {
			var out []store.BlockCount
			in(t, db.App, ctx, func(tx *store.Tenant) error {
				var err error
				out, err = tx.BlockCounts(ctx)
				return err
			})
			return out
		}
		if got := count(a); len(got) != 1 || got[0].Count != 1 || got[0].Reason != string(compliance.NoConsent) {
			t.Fatalf("A's blocks: %+v", got)
		}
		if got := count(b); len(got) != 0 {
			t.Fatalf("B sees blocks: %+v", got)
		}
		in(t, db.App, b, func(tx *store.Tenant) error {
			ev, _, err := tx.EvidenceFor(b, "+33612345678", nil, store.Page{})
			if len(ev) != 0 {
				t.Errorf("B sees A's evidence: %+v", ev)
			}
			return err
		})
	})
}

func TestNationalListsAreReloadedFromTheDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		platform := org(t, db.App, tenancy.KindPlatform, "Plateau", "FR")
		client := org(t, db.App, tenancy.KindClient, "US Shop", "US")
		snapshot, err := numberset.New([]uint64{13105551234}).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		in(t, db.App, platform, func(tx *store.Tenant) error {
			_, err := tx.SaveNationalList(platform, store.NationalListCopy{Code: "US-DNC", FreshAt: tuesday.Add(-48 * time.Hour),
				Numbers: 1, Snapshot: snapshot})
			return err
		})
		s := screening.New(db.App)
		if err := s.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		la := time.Date(2026, 9, 15, 17, 0, 0, 0, time.UTC) // 10:00 in Los Angeles
		us := screening.Request{Number: "(310) 555-1234", Country: "US", Audience: "b2c", Kind: "prospecting", At: &la}
		d, err := s.Decide(client, us)
		if err != nil || d.Reason != compliance.NationalList {
			t.Fatalf("listed number: %+v %v", d, err)
		}
		us.Number = "(310) 555-1235"
		if d, err := s.Decide(client, us); err != nil || !d.Allowed {
			t.Fatalf("unlisted number: %+v %v", d, err)
		}
		// A client cannot store a national list.
		err = db.App.InTenant(client, func(tx *store.Tenant) error {
			_, err := tx.SaveNationalList(client, store.NationalListCopy{Code: "US-DNC", FreshAt: la, Snapshot: snapshot})
			return err
		})
		if !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a client uploading a national list: %v", err)
		}
	})
}

func TestBadQuestionsNameTheirFields(t *testing.T) {
	db := dbtest.SQLite(t)
	a := org(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
	_, err := screening.New(db.App).Decide(a, screening.Request{Number: "12", Country: "XX", Audience: "b2x", Kind: "sales", LeadZone: "Mars/Base"})
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
