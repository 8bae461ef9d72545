package rbac_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/rbac"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestThePolicyTableIsWhatIsEnforced walks the whole matrix: for every
// role of every org kind, a person holding it in a real org, and every
// permission of the table, the enforcer (the org's grants, loaded from the
// database, and the table's kinds) answers what tenancy.Policy says.
func TestThePolicyTableIsWhatIsEnforced(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		auth := rbac.New(db.App, time.Hour)
		db.App.OnPolicyChange(auth.Invalidate) // each member added reloads the org's policies
		svc := store.NewServices(db.App, nationallist.NewRegistry(), slog.Default())
		checked := 0
		for _, kind := range []tenancy.OrgKind{tenancy.KindClient, tenancy.KindCenter, tenancy.KindPlatform} {
			org, err := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: kind, Name: string(kind), Country: "FR"}, "test")
			if err != nil {
				t.Fatal(err)
			}
			sys := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "test"))
			for _, role := range tenancy.RolesOf(kind) {
				m, err := svc.Tenancy.AddMember(sys, store.NewMemberInput{Email: fmt.Sprintf("%s@%s.test", role, kind),
					Role: string(role), Password: "long enough password"})
				if err != nil {
					t.Fatal(err)
				}
				p := tenancy.Principal{Kind: tenancy.ActorUser, ID: m.ID, OrgID: org.ID, OrgKind: kind, Role: role}
				for _, perm := range tenancy.Permissions() {
					got, err := auth.Allowed(ctx, p, perm)
					if err != nil {
						t.Fatal(err)
					}
					if want := tenancy.Holds(kind, role, perm); got != want {
						t.Errorf("a %s %s → %s: enforced %v, the table says %v", kind, role, perm, got, want)
					}
					checked++
				}
			}
		}
		if want := 9 * len(tenancy.Permissions()); checked != want {
			t.Fatalf("walked %d cells of the matrix, want %d", checked, want)
		}
	})
}

// TestAGrantOutsideItsKindIsVoid: a permission the table keeps from an org
// kind can neither be granted there nor be held through a forged grant.
func TestAGrantOutsideItsKindIsVoid(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	org, err := db.App.CreateOrg(ctx, tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: "Shop", Country: "FR"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	sys := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "test"))
	svc := store.NewServices(db.App, nationallist.NewRegistry(), slog.Default())
	err = svc.Tenancy.Grant(sys, tenancy.Grant{Role: tenancy.RoleOwner, Permission: tenancy.PermOffersWrite})
	if err == nil {
		t.Fatal("a client org was granted offers:write")
	}
	if _, err := db.Owner.Bun.ExecContext(ctx, "INSERT INTO role_permissions (org_id, role, object, action) VALUES (?, 'owner', 'offers', 'write')",
		org.ID.String()); err != nil {
		t.Fatal(err)
	}
	owner := tenancy.SystemPrincipal(org, "test")
	if ok, err := rbac.New(db.App, time.Hour).Allowed(ctx, owner, tenancy.PermOffersWrite); err != nil || ok {
		t.Fatalf("a forged grant of offers:write in a client org: allowed %v (%v)", ok, err)
	}
}
