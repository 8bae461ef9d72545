package rbac_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/rbac"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func TestRolesAreEnforcedPerOrgAndReloadOnChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		auth := rbac.New(db.App, time.Hour)
		db.App.OnPolicyChange(auth.Invalidate)
		orgA, _ := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "A", Country: "FR"}, "test")
		orgB, _ := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "B", Country: "FR"}, "test")
		sysA := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(orgA, "test"))
		var analyst tenancy.Member
		if err := db.App.InTenant(sysA, func(tx *store.Tenant) error {
			var err error
			analyst, err = tx.CreateMember(sysA, store.NewMemberInput{Email: "an@a.example", Role: "analyst", Password: "long enough password"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		inA := tenancy.Principal{Kind: tenancy.ActorUser, ID: analyst.ID, OrgID: orgA.ID, OrgKind: tenancy.KindClient}
		check := func(p tenancy.Principal, perm tenancy.Permission, want bool) {
			t.Helper()
			got, err := auth.Allowed(ctx, p, perm)
			if err != nil || got != want {
				t.Errorf("%s in %s → %s: got %v (%v), want %v", p.Subject(), p.OrgID, perm, got, err, want)
			}
		}
		check(inA, tenancy.PermPortalAccess, true)
		check(inA, tenancy.PermUsersWrite, false)
		check(inA, tenancy.PermConsoleAccess, false)
		// The same user id claimed in org B holds nothing there.
		inB := inA
		inB.OrgID = orgB.ID
		check(inB, tenancy.PermPortalAccess, false)
		// An API key acts with its role as subject.
		check(tenancy.Principal{Kind: tenancy.ActorAPIKey, ID: uuid.New(), OrgID: orgA.ID, Role: tenancy.RoleOwner}, tenancy.PermUsersWrite, true)
		check(tenancy.Principal{Kind: tenancy.ActorAPIKey, ID: uuid.New(), OrgID: orgA.ID, Role: tenancy.RoleAnalyst}, tenancy.PermUsersWrite, false)

		// Promote the analyst: the cached enforcer must see it at once.
		role := "owner"
		if err := db.App.InTenant(sysA, func(tx *store.Tenant) error {
			_, err := tx.UpdateMember(sysA, analyst.ID, store.MemberPatch{Role: &role})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		check(inA, tenancy.PermUsersWrite, true)

		// A grant taken away from a role is gone at once.
		if err := db.App.InTenant(sysA, func(tx *store.Tenant) error {
			return tx.RemoveGrant(sysA, tenancy.Grant{Role: tenancy.RoleOwner, Permission: tenancy.PermUsersWrite})
		}); err != nil {
			t.Fatal(err)
		}
		check(inA, tenancy.PermUsersWrite, false)
		perms, err := auth.Permissions(ctx, inA)
		if err != nil || len(perms) == 0 {
			t.Fatalf("permissions: %v %v", perms, err)
		}
	})
}
