package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func TestCenterProfilesAreTheCentersOwnAndVerifiedByThePlatform(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(db.App).Compliance
		atlas, err := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindCenter, Name: "Atlas Contact", Country: "MA"}, "test")
		ok(t, err)
		teranga, err := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindCenter, Name: "Teranga", Country: "SN"}, "test")
		ok(t, err)
		plateau, err := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindPlatform, Name: "Plateau", Country: "FR"}, "test")
		ok(t, err)
		asAtlas := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(atlas, "test"))
		asTeranga := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(teranga, "test"))
		admin := tenancy.WithPrincipal(ctx, tenancy.Principal{Kind: tenancy.ActorUser, Label: "admin@plateau.test",
			OrgID: plateau.ID, OrgKind: tenancy.KindPlatform, Role: tenancy.RolePlatformAdmin})
		signed := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
		expires := time.Date(2028, 1, 5, 0, 0, 0, 0, time.UTC)
		saved, err := svc.SaveCenterProfile(asAtlas, compliance.CenterProfile{SCCSignedAt: &signed, SCCModule: "2", TIAOnFile: true,
			AuthorityRef: "A-GC-123/2025", AuthorityExpiresAt: &expires, Documents: []string{"scc-2026.pdf", "cndp-auth.pdf"}})
		ok(t, err)
		if saved.Authority != "CNDP" || len(saved.Documents) != 2 {
			t.Fatalf("saved: %+v", saved)
		}
		now := time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)
		if err := compliance.MayProcessEUData(saved, now); err == nil {
			t.Fatal("an unverified profile may process EU data")
		}
		// Teranga sees its own, empty profile, never Atlas's.
		p, err := svc.CenterProfile(asTeranga)
		if err != nil || p.AuthorityRef != "" || p.Country != "SN" || p.Authority != "CDP" {
			t.Errorf("Teranga's profile: %+v %v", p, err)
		}
		// Only the platform verifies a profile.
		if _, err := svc.VerifyCenterProfile(asTeranga, atlas.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a center verifying another's profile: %v", err)
		}
		if p, err := svc.CenterProfile(asAtlas); err != nil || p.VerifiedAt != nil {
			t.Fatalf("after a center's attempt: %+v %v", p, err)
		}
		verified, err := svc.VerifyCenterProfile(admin, atlas.ID)
		if err != nil || verified.VerifiedBy != "admin@plateau.test" {
			t.Fatalf("verify: %+v %v", verified, err)
		}
		if err := compliance.MayProcessEUData(verified, now); err != nil {
			t.Fatalf("a complete, verified profile: %v", err)
		}
		if _, err := svc.VerifyCenterProfile(admin, teranga.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("verifying a profile never filled: %v", err)
		}
		// Any change voids the verification.
		saved, err = svc.SaveCenterProfile(asAtlas, verified)
		ok(t, err)
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
