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

func TestSyncGrantsNewDefaultsButNotRemovedOnes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		auth := rbac.New(db.App, time.Hour)
		db.App.OnPolicyChange(auth.Invalidate)
		org, _ := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "A", Country: "FR"}, "test")
		sys := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "test"))
		taken := tenancy.Grant{Role: tenancy.RoleManager, Permission: tenancy.PermAuditRead}
		if err := db.App.InTenant(sys, func(tx *store.Tenant) error { return tx.RemoveGrant(sys, taken) }); err != nil {
			t.Fatal(err)
		}
		if err := db.Owner.SyncDefaultPermissions(ctx); err != nil {
			t.Fatal(err)
		}
		manager := tenancy.Principal{Kind: tenancy.ActorAPIKey, OrgID: org.ID, Role: tenancy.RoleManager}
		auth.Invalidate(org.ID)
		if ok, _ := auth.Allowed(ctx, manager, tenancy.PermAuditRead); ok {
			t.Fatal("a grant the org took away came back at the next sync")
		}
		// A default the org was never offered (as when a release adds one) is
		// granted at the next sync.
		for _, table := range []string{"role_permissions", "role_permission_defaults"} {
			if _, err := db.Owner.Bun.ExecContext(ctx, "DELETE FROM "+table+
				" WHERE org_id = ? AND role = 'manager' AND object = 'compliance' AND action = 'write'", org.ID.String()); err != nil {
				t.Fatal(err)
			}
		}
		auth.Invalidate(org.ID)
		if ok, _ := auth.Allowed(ctx, manager, tenancy.PermComplianceWrite); ok {
			t.Fatal("setup: the manager still holds compliance:write")
		}
		if err := db.Owner.SyncDefaultPermissions(ctx); err != nil {
			t.Fatal(err)
		}
		auth.Invalidate(org.ID)
		if ok, _ := auth.Allowed(ctx, manager, tenancy.PermComplianceWrite); !ok {
			t.Fatal("a new default was not granted by the sync")
		}
	})
}
