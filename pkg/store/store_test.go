package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// twoOrgs creates two client orgs, each with an owner, and returns contexts
// acting as each owner.
func twoOrgs(t *testing.T, db *store.DB) (a, b context.Context, orgA, orgB tenancy.Org) {
	t.Helper()
	orgA = mustOrg(t, db, "Maison Lumière", tenancy.KindClient)
	orgB = mustOrg(t, db, "Rival Retail", tenancy.KindClient)
	a = ownerOf(t, db, orgA, "owner@a.example")
	b = ownerOf(t, db, orgB, "owner@b.example")
	return a, b, orgA, orgB
}

func mustOrg(t *testing.T, db *store.DB, name string, kind tenancy.OrgKind) tenancy.Org {
	t.Helper()
	org, err := db.CreateOrg(context.Background(), tenancy.NewOrgInput{Kind: kind, Name: name, Country: "FR", Timezone: "Europe/Paris"}, "test")
	if err != nil {
		t.Fatalf("create org %s: %v", name, err)
	}
	return org
}

// ownerOf creates an owner in org through the system principal and returns a
// context acting as that owner.
func ownerOf(t *testing.T, db *store.DB, org tenancy.Org, email string) context.Context {
	t.Helper()
	sys := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(org, "test"))
	var m tenancy.Member
	err := db.InTenant(sys, func(tx *store.Tenant) error {
		var err error
		m, err = tx.CreateMember(sys, store.NewMemberInput{Email: email, Name: "Owner", Role: string(tenancy.OwnerRole(org.Kind)), Password: "long enough password"})
		return err
	})
	if err != nil {
		t.Fatalf("create owner %s: %v", email, err)
	}
	return tenancy.WithPrincipal(context.Background(), tenancy.Principal{Kind: tenancy.ActorUser, ID: m.ID, Label: email,
		OrgID: org.ID, OrgKind: org.Kind, Role: m.Role})
}

func TestMigrationsRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		if err := db.Owner.CheckMigrated(ctx); err != nil {
			t.Fatalf("freshly migrated database reported behind: %v", err)
		}
		down, err := db.Owner.MigrateDown(ctx)
		if err != nil || len(down) == 0 {
			t.Fatalf("migrate down: %v %v", down, err)
		}
		if err := db.Owner.CheckMigrated(ctx); err == nil {
			t.Fatal("after migrate down, CheckMigrated says the database is current")
		}
		up, err := db.Owner.MigrateUp(ctx)
		if err != nil || len(up) != len(down) {
			t.Fatalf("migrate up again: %v %v", up, err)
		}
		status, err := db.Owner.MigrationStatus(ctx)
		if err != nil || len(status) == 0 || !status[0].Applied {
			t.Fatalf("status: %+v %v", status, err)
		}
	})
}

func TestTenantQueryWithoutPrincipalFails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		called := false
		err := db.App.InTenant(context.Background(), func(*store.Tenant) error { called = true; return nil })
		if !apperr.Is(err, apperr.Unauthorized) || called {
			t.Fatalf("InTenant without principal: err=%v called=%v", err, called)
		}
	})
}

func TestMembersAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, b, orgA, _ := twoOrgs(t, db.App)
		var alice tenancy.Member
		err := db.App.InTenant(a, func(tx *store.Tenant) error {
			var err error
			alice, err = tx.CreateMember(a, store.NewMemberInput{Email: "Alice@A.example ", Role: "manager"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if alice.Email != "alice@a.example" || alice.Status != tenancy.UserInvited || alice.OrgID != orgA.ID {
			t.Fatalf("created member %+v", alice)
		}
		// A sees two members, B sees only its owner and never Alice.
		listOf := func(ctx context.Context) []tenancy.Member {
			var ms []tenancy.Member
			if err := db.App.InTenant(ctx, func(tx *store.Tenant) error {
				var err error
				ms, _, err = tx.Members(ctx, store.Page{})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ms
		}
		if got := listOf(a); len(got) != 2 {
			t.Fatalf("org A lists %d members, want 2", len(got))
		}
		gotB := listOf(b)
		if len(gotB) != 1 || gotB[0].Email != "owner@b.example" {
			t.Fatalf("org B lists %+v", gotB)
		}
		name := "Mallory"
		for what, op := range map[string]func(tx *store.Tenant) error{
			"read": func(tx *store.Tenant) error { _, err := tx.Member(b, alice.ID); return err },
			"update": func(tx *store.Tenant) error {
				_, err := tx.UpdateMember(b, alice.ID, store.MemberPatch{Name: &name})
				return err
			},
			"remove": func(tx *store.Tenant) error { return tx.RemoveMember(b, alice.ID) },
		} {
			if err := db.App.InTenant(b, op); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("org B %s of org A's user: got %v, want not found", what, err)
			}
		}
		// Alice is unchanged.
		_ = db.App.InTenant(a, func(tx *store.Tenant) error {
			m, err := tx.Member(a, alice.ID)
			if err != nil || m.Name != "alice@a.example" {
				t.Errorf("after B's attempts Alice is %+v (%v)", m, err)
			}
			return nil
		})
	})
}

func TestDuplicateEmailIsAConflictOnTheField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, _, _, _ := twoOrgs(t, db.App)
		err := db.App.InTenant(a, func(tx *store.Tenant) error {
			_, err := tx.CreateMember(a, store.NewMemberInput{Email: "owner@b.example", Role: "analyst"})
			return err
		})
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Conflict || len(e.Fields) != 1 || e.Fields[0].Path != "email" {
			t.Fatalf("duplicate email: got %#v", err)
		}
	})
}

func TestAPIKeysAreIsolatedAndRevocable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		a, b, orgA, _ := twoOrgs(t, db.App)
		var key tenancy.APIKey
		var secretKey string
		if err := db.App.InTenant(a, func(tx *store.Tenant) error {
			var err error
			key, secretKey, err = tx.CreateAPIKey(a, store.NewAPIKeyInput{Name: "shop sync", Role: "manager"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, org, err := db.App.APIKeyBySecret(ctx, secretKey)
		if err != nil || got.ID != key.ID || org.ID != orgA.ID || got.LastUsedAt == nil {
			t.Fatalf("resolve key: %+v %+v %v", got, org, err)
		}
		if err := db.App.InTenant(b, func(tx *store.Tenant) error {
			keys, _, err := tx.APIKeys(b, store.Page{})
			if len(keys) != 0 {
				t.Errorf("org B lists org A's keys: %+v", keys)
			}
			if err != nil {
				return err
			}
			_, err = tx.RevokeAPIKey(b, key.ID)
			return err
		}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("org B revoking org A's key: got %v, want not found", err)
		}
		if _, _, err := db.App.APIKeyBySecret(ctx, secretKey); err != nil {
			t.Fatalf("B's failed revoke still broke A's key: %v", err)
		}
		if err := db.App.InTenant(a, func(tx *store.Tenant) error { _, err := tx.RevokeAPIKey(a, key.ID); return err }); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.App.APIKeyBySecret(ctx, secretKey); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("revoked key: got %v, want unauthorized", err)
		}
	})
}

func TestAuditEventsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, b, _, _ := twoOrgs(t, db.App)
		count := func(ctx context.Context) (n int, actions []string) {
			_ = db.App.InTenant(ctx, func(tx *store.Tenant) error {
				evs, _, err := tx.AuditEvents(ctx, store.Page{})
				for _, e := range evs {
					actions = append(actions, e.Action)
				}
				n = len(evs)
				return err
			})
			return n, actions
		}
		_ = db.App.InTenant(a, func(tx *store.Tenant) error {
			_, err := tx.CreateMember(a, store.NewMemberInput{Email: "x@a.example", Role: "analyst"})
			return err
		})
		nA, actsA := count(a)
		nB, actsB := count(b)
		// A: org.create, owner user.create, x user.create. B: org.create, owner.
		if nA != 3 || nB != 2 {
			t.Fatalf("audit: A has %d %v, B has %d %v", nA, actsA, nB, actsB)
		}
	})
}

func TestPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, _, _, _ := twoOrgs(t, db.App)
		for i := range 5 {
			_ = db.App.InTenant(a, func(tx *store.Tenant) error {
				_, _, err := tx.CreateAPIKey(a, store.NewAPIKeyInput{Role: "analyst", Name: string(rune(97 + i))})
				return err
			})
		}
		seen := map[uuid.UUID]bool{}
		after := uuid.Nil
		pages := 0
		for {
			var keys []tenancy.APIKey
			var next *uuid.UUID
			_ = db.App.InTenant(a, func(tx *store.Tenant) error {
				var err error
				keys, next, err = tx.APIKeys(a, store.Page{Limit: 2, After: after})
				return err
			})
			pages++
			for _, k := range keys {
				if seen[k.ID] {
					t.Fatalf("key %s on two pages", k.ID)
				}
				seen[k.ID] = true
			}
			if next == nil {
				break
			}
			after = *next
		}
		if len(seen) != 5 || pages != 3 {
			t.Fatalf("saw %d keys in %d pages, want 5 in 3", len(seen), pages)
		}
	})
}

func TestOneTimeTokensAreIsolatedAndSingleUse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		a, b, _, _ := twoOrgs(t, db.App)
		var invited tenancy.Member
		if err := db.App.InTenant(a, func(tx *store.Tenant) error {
			var err error
			invited, err = tx.CreateMember(a, store.NewMemberInput{Email: "new@a.example", Role: "analyst"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.App.InTenant(b, func(tx *store.Tenant) error {
			_, err := tx.IssueToken(b, invited.ID, store.PurposePasswordReset, time.Hour)
			return err
		}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("org B issuing a token for org A's user: %v, want not found", err)
		}
		issue := func(ttl time.Duration) string {
			var token string
			if err := db.App.InTenant(a, func(tx *store.Tenant) error {
				var err error
				token, err = tx.IssueToken(a, invited.ID, store.PurposeInvitation, ttl)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return token
		}
		expired := issue(-time.Minute)
		if _, err := db.App.RedeemToken(ctx, expired, store.PurposeInvitation, "a good new password"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("expired token: %v", err)
		}
		first, second := issue(time.Hour), issue(time.Hour)
		if _, err := db.App.RedeemToken(ctx, first, store.PurposeInvitation, "a good new password"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a token replaced by a newer one still works: %v", err)
		}
		if _, err := db.App.RedeemToken(ctx, second, store.PurposePasswordReset, "a good new password"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("an invitation redeemed as a password reset: %v", err)
		}
		if _, err := db.App.RedeemToken(ctx, second, store.PurposeInvitation, "short"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a weak password was accepted: %v", err)
		}
		acc, err := db.App.RedeemToken(ctx, second, store.PurposeInvitation, "a good new password")
		if err != nil || acc.User.Status != tenancy.UserActive {
			t.Fatalf("redeem: %+v %v", acc.User, err)
		}
		if _, err := db.App.RedeemToken(ctx, second, store.PurposeInvitation, "another good password"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a token redeemed twice: %v", err)
		}
	})
}
