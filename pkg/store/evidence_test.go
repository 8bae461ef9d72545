package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func TestCenterProfilesAreTheCentersOwnAndVerifiedByThePlatform(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		atlas, err := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindCenter, Name: "Atlas Contact", Country: "MA"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		teranga, _ := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindCenter, Name: "Teranga", Country: "SN"}, "test")
		asAtlas := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(atlas, "test"))
		asTeranga := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(teranga, "test"))
		signed := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
		expires := time.Date(2028, 1, 5, 0, 0, 0, 0, time.UTC)
		var saved compliance.CenterProfile
		if err := db.App.InTenant(asAtlas, func(tx *store.Tenant) error {
			saved, err = tx.SaveCenterProfile(asAtlas, compliance.CenterProfile{SCCSignedAt: &signed, SCCModule: "2", TIAOnFile: true,
				AuthorityRef: "A-GC-123/2025", AuthorityExpiresAt: &expires, Documents: []string{"scc-2026.pdf", "cndp-auth.pdf"}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if saved.Authority != "CNDP" || len(saved.Documents) != 2 {
			t.Fatalf("saved: %+v", saved)
		}
		now := time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)
		if err := compliance.MayProcessEUData(saved, now); err == nil {
			t.Fatal("an unverified profile may process EU data")
		}
		// Teranga sees its own, empty profile, never Atlas's.
		if err := db.App.InTenant(asTeranga, func(tx *store.Tenant) error {
			p, err := tx.CenterProfile(asTeranga)
			if p.AuthorityRef != "" || p.Country != "SN" || p.Authority != "CDP" {
				t.Errorf("Teranga's profile: %+v", p)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		admin := tenancy.Principal{Kind: tenancy.ActorUser, Label: "admin@plateau.test", OrgKind: tenancy.KindPlatform}
		verified, err := db.App.VerifyCenterProfile(ctx, atlas.ID, admin)
		if err != nil || verified.VerifiedBy != "admin@plateau.test" {
			t.Fatalf("verify: %+v %v", verified, err)
		}
		if err := compliance.MayProcessEUData(verified, now); err != nil {
			t.Fatalf("a complete, verified profile: %v", err)
		}
		if _, err := db.App.VerifyCenterProfile(ctx, teranga.ID, admin); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("verifying a profile never filled: %v", err)
		}
		// Any change voids the verification.
		if err := db.App.InTenant(asAtlas, func(tx *store.Tenant) error {
			saved, err = tx.SaveCenterProfile(asAtlas, verified)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if saved.VerifiedAt != nil {
			t.Fatal("an edited profile keeps its verification")
		}
	})
}

func TestMayProcessEUDataSaysWhatIsMissing(t *testing.T) {
	now := time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)
	expired := now.Add(-time.Hour)
	err := compliance.MayProcessEUData(compliance.CenterProfile{Country: "MA", SCCModule: "2", AuthorityRef: "x", AuthorityExpiresAt: &expired}, now)
	for _, want := range []string{"standard contractual clauses", "transfer impact assessment", "CNDP authorization that has not expired", "verification"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if err := compliance.MayProcessEUData(compliance.CenterProfile{Country: "FR"}, now); err != nil {
		t.Errorf("a center in France: %v", err)
	}
}
