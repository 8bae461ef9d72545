package rbac_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/rbac"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// services are the store's use cases on db.
func services(db *store.DB) store.Services {
	return store.NewServices(db, nationallist.NewRegistry(), slog.Default())
}

func TestRolesAreEnforcedPerOrgAndReloadOnChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		auth := rbac.New(db.App, time.Hour)
		db.App.OnPolicyChange(auth.Invalidate)
		orgA, _ := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "A", Country: "FR"}, "test")
		orgB, _ := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "B", Country: "FR"}, "test")
		sysA := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(orgA, "test"))
		svc := services(db.App).Tenancy
		analyst, err := svc.AddMember(sysA, store.NewMemberInput{Email: "an@a.example", Role: "analyst", Password: "long enough password"})
		if err != nil {
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
		check(tenancy.Principal{Kind: tenancy.ActorAPIKey, ID: uuid.New(), OrgID: orgA.ID, OrgKind: tenancy.KindClient, Role: tenancy.RoleOwner}, tenancy.PermUsersWrite, true)
		check(tenancy.Principal{Kind: tenancy.ActorAPIKey, ID: uuid.New(), OrgID: orgA.ID, OrgKind: tenancy.KindClient, Role: tenancy.RoleAnalyst}, tenancy.PermUsersWrite, false)

		// Promote the analyst: the cached enforcer must see it at once.
		role := "owner"
		if _, err := svc.UpdateMember(sysA, analyst.ID, store.MemberPatch{Role: &role}); err != nil {
			t.Fatal(err)
		}
		check(inA, tenancy.PermUsersWrite, true)

		// A grant taken away from a role is gone at once.
		if err := svc.Revoke(sysA, tenancy.Grant{Role: tenancy.RoleOwner, Permission: tenancy.PermUsersWrite}); err != nil {
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
		if err := services(db.App).Tenancy.Revoke(sys, taken); err != nil {
			t.Fatal(err)
		}
		if err := db.Owner.SyncDefaultPermissions(ctx); err != nil {
			t.Fatal(err)
		}
		manager := tenancy.Principal{Kind: tenancy.ActorAPIKey, OrgID: org.ID, OrgKind: org.Kind, Role: tenancy.RoleManager}
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

// TestAGrantWithinItsKindCountsAtOnce: an org may give one of its roles
// more of what the policy table lets its kind hold, and the enforcer sees
// it at once. (What the kind may not hold: policy_test.go.)
func TestAGrantWithinItsKindCountsAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		auth := rbac.New(db.App, time.Hour)
		db.App.OnPolicyChange(auth.Invalidate)
		svc := services(db.App).Tenancy
		client, _ := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "A", Country: "FR"}, "test")
		other, _ := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "B", Country: "FR"}, "test")
		sys := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(client, "test"))
		analyst := func(org tenancy.Org) tenancy.Principal {
			return tenancy.Principal{Kind: tenancy.ActorAPIKey, ID: uuid.New(), OrgID: org.ID, OrgKind: org.Kind, Role: tenancy.RoleAnalyst}
		}
		for _, org := range []tenancy.Org{client, other} {
			if ok, _ := auth.Allowed(ctx, analyst(org), tenancy.PermLeadsWrite); ok {
				t.Fatal("setup: a client analyst writes leads")
			}
		}
		if err := svc.Grant(sys, tenancy.Grant{Role: tenancy.RoleAnalyst, Permission: tenancy.PermLeadsWrite}); err != nil {
			t.Fatal(err)
		}
		if ok, err := auth.Allowed(ctx, analyst(client), tenancy.PermLeadsWrite); err != nil || !ok {
			t.Fatalf("a granted permission: %v %v", ok, err)
		}
		if ok, err := auth.Allowed(ctx, analyst(other), tenancy.PermLeadsWrite); err != nil || ok {
			t.Fatalf("another org's analyst after the grant: %v %v", ok, err)
		}
		// A grant outside the kind is refused with the field named.
		err := svc.Grant(sys, tenancy.Grant{Role: tenancy.RoleOwner, Permission: tenancy.PermConsoleAccess})
		if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Path != "permission" {
			t.Fatalf("a client granting console:access: %#v", err)
		}
	})
}
