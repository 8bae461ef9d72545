package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
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
	ctx, _ := memberOf(t, db, org, "Owner", email, tenancy.OwnerRole(org.Kind))
	return ctx
}

// memberOf creates a member of org, named name, with role through the system principal
// and returns a context acting as that person, and its id.
func memberOf(t *testing.T, db *store.DB, org tenancy.Org, name, email string, role tenancy.Role) (context.Context, uuid.UUID) {
	t.Helper()
	sys := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(org, "test"))
	m, err := services(db).Tenancy.AddMember(sys, store.NewMemberInput{Email: email, Name: name,
		Role: string(role), Password: "long enough password"})
	if err != nil {
		t.Fatalf("create %s %s: %v", role, email, err)
	}
	return tenancy.WithPrincipal(context.Background(), tenancy.Principal{Kind: tenancy.ActorUser, ID: m.ID, Label: email,
		OrgID: org.ID, OrgKind: org.Kind, Role: m.Role}), m.ID
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

func TestUseCasesWithoutPrincipalFail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(db.App)
		if _, err := svc.Tenancy.AddMember(ctx, store.NewMemberInput{Email: "ghost@a.example", Role: "analyst", Password: "long enough password"}); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("a write without principal: %v", err)
		}
		if _, err := svc.Accounts.AccountByEmail(ctx, "ghost@a.example"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a write without principal left a user: %v", err)
		}
		if list, _, err := svc.Campaigns.List(ctx, store.Page{}); !apperr.Is(err, apperr.Unauthorized) || len(list) != 0 {
			t.Fatalf("a read without principal: %+v %v", list, err)
		}
	})
}

func TestMembersAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App).Tenancy
		a, b, orgA, _ := twoOrgs(t, db.App)
		alice, err := svc.AddMember(a, store.NewMemberInput{Email: "Alice@A.example ", Role: "manager"})
		ok(t, err)
		if alice.Email != "alice@a.example" || alice.Status != tenancy.UserInvited || alice.OrgID != orgA.ID {
			t.Fatalf("created member %+v", alice)
		}
		// A sees two members, B sees only its owner and never Alice.
		listOf := func(ctx context.Context) []tenancy.Member {
			t.Helper()
			ms, _, err := svc.Members(ctx, store.Page{})
			ok(t, err)
			return ms
		}
		if got := listOf(a); len(got) != 2 {
			t.Fatalf("org A lists %d members, want 2", len(got))
		}
		gotB := listOf(b)
		if len(gotB) != 1 || gotB[0].Email != "owner@b.example" {
			t.Fatalf("org B lists %+v", gotB)
		}
		if team, err := svc.Team(b); err != nil || len(team) != 1 || team[0].Email != "owner@b.example" {
			t.Fatalf("org B's team: %+v %v", team, err)
		}
		name := "Mallory"
		for what, op := range map[string]func() error{
			"read": func() error { _, err := svc.Member(b, alice.ID); return err },
			"update": func() error {
				_, err := svc.UpdateMember(b, alice.ID, store.MemberPatch{Name: &name})
				return err
			},
			"remove": func() error { return svc.RemoveMember(b, alice.ID) },
		} {
			if err := op(); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("org B %s of org A's user: got %v, want not found", what, err)
			}
		}
		// Alice is unchanged.
		if m, err := svc.Member(a, alice.ID); err != nil || m.Name != "alice@a.example" {
			t.Errorf("after B's attempts Alice is %+v (%v)", m, err)
		}
	})
}

// TestAnAddressOfAnotherOrgIsInvitedToJoin: adding a person who has an
// account in another org invites them to join, answered as a new person's
// invitation is (the org learns nothing of the other org's person); adding
// them again is a conflict on the field.
func TestAnAddressOfAnotherOrgIsInvitedToJoin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App).Tenancy
		a, b, _, _ := twoOrgs(t, db.App)
		m, err := svc.AddMember(a, store.NewMemberInput{Email: "owner@b.example", Name: "Bea", Role: "analyst"})
		ok(t, err)
		if m.Status != tenancy.UserInvited || m.Name != "Bea" || !m.Joining {
			t.Fatalf("the invitation to join: %+v", m)
		}
		listed, err := svc.Member(a, m.ID)
		if err != nil || listed.Name != "Bea" || listed.Status != tenancy.UserInvited || listed.PasswordHash != "" {
			t.Fatalf("A reads %+v (%v)", listed, err)
		}
		if own, err := svc.Member(b, m.ID); err != nil || own.Name != "Owner" || own.Status != tenancy.UserActive || own.Role != tenancy.RoleOwner {
			t.Fatalf("B's owner after A's invitation: %+v (%v)", own, err)
		}
		_, err = svc.AddMember(a, store.NewMemberInput{Email: "owner@b.example", Role: "analyst"})
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Conflict || len(e.Fields) != 1 || e.Fields[0].Path != "email" {
			t.Fatalf("the same address twice: got %#v", err)
		}
	})
}

func TestAPIKeysAreIsolatedAndRevocable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(db.App)
		db.App.OnKeyRevoked(svc.Accounts.ForgetKey) // as the composition root does
		a, b, orgA, _ := twoOrgs(t, db.App)
		key, secretKey, err := svc.Tenancy.CreateAPIKey(a, store.NewAPIKeyInput{Name: "shop sync", Role: "manager"})
		ok(t, err)
		got, org, err := svc.Accounts.APIKeyBySecret(ctx, secretKey)
		if err != nil || got.ID != key.ID || org.ID != orgA.ID || got.LastUsedAt == nil {
			t.Fatalf("resolve key: %+v %+v %v", got, org, err)
		}
		keys, _, err := svc.Tenancy.APIKeys(b, store.Page{})
		if err != nil || len(keys) != 0 {
			t.Errorf("org B lists org A's keys: %+v %v", keys, err)
		}
		if _, err := svc.Tenancy.RevokeAPIKey(b, key.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("org B revoking org A's key: got %v, want not found", err)
		}
		if _, _, err := svc.Accounts.APIKeyBySecret(ctx, secretKey); err != nil {
			t.Fatalf("B's failed revoke still broke A's key: %v", err)
		}
		_, err = svc.Tenancy.RevokeAPIKey(a, key.ID)
		ok(t, err)
		if _, _, err := svc.Accounts.APIKeyBySecret(ctx, secretKey); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("revoked key: got %v, want unauthorized", err)
		}
	})
}

func TestAuditEventsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App).Tenancy
		a, b, _, _ := twoOrgs(t, db.App)
		count := func(ctx context.Context) (n int, actions []string) {
			t.Helper()
			evs, _, err := svc.AuditEvents(ctx, store.Page{})
			ok(t, err)
			for _, e := range evs {
				actions = append(actions, e.Action)
			}
			return len(evs), actions
		}
		_, err := svc.AddMember(a, store.NewMemberInput{Email: "x@a.example", Role: "analyst"})
		ok(t, err)
		ok(t, svc.Record(a, "user.login", "user", "x"))
		nA, actsA := count(a)
		nB, actsB := count(b)
		// A: org.create, owner user.create, x user.create, user.login. B: org.create, owner.
		if nA != 4 || nB != 2 || actsA[0] != "user.login" {
			t.Fatalf("audit: A has %d %v, B has %d %v", nA, actsA, nB, actsB)
		}
	})
}

func TestPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App).Tenancy
		a, _, _, _ := twoOrgs(t, db.App)
		for i := range 5 {
			_, _, err := svc.CreateAPIKey(a, store.NewAPIKeyInput{Role: "analyst", Name: string(rune(97 + i))})
			ok(t, err)
		}
		seen := map[uuid.UUID]bool{}
		after := uuid.Nil
		pages := 0
		for {
			keys, next, err := svc.APIKeys(a, store.Page{Limit: 2, After: after})
			ok(t, err)
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

// TestOneTimeTokensAreIsolatedAndSingleUse: a member's mail carries a
// token of its org's, for one of its people; a token works once, for its
// purpose, before it expires, and a newer one of the same purpose voids it.
func TestOneTimeTokensAreIsolatedAndSingleUse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(db.App)
		a, b, orgA, orgB := twoOrgs(t, db.App)
		invited, err := svc.Tenancy.AddMember(a, store.NewMemberInput{Email: "new@a.example", Role: "analyst"})
		ok(t, err)
		_, err = svc.Tenancy.AddMember(b, store.NewMemberInput{Email: "new@b.example", Role: "analyst"})
		ok(t, err)
		// mailLink sends a one-time link to a member through the next
		// outbox message of the org, and returns the token sent.
		mailLink := func(ctx context.Context, org uuid.UUID, purpose tenancy.TokenPurpose, ttl time.Duration) (token, skipped string) {
			t.Helper()
			pending := unfinished(t, svc, org)
			if len(pending) == 0 {
				t.Fatalf("no outbox message in org %s", org)
			}
			skipped, err := svc.Accounts.MailMember(ctx, store.MemberMail{OutboxID: pending[0].ID, UserID: invited.ID, Purpose: purpose,
				Validity: ttl, Needed: func(tenancy.Member) bool { return true },
				Send: func(_ tenancy.Member, _ tenancy.Org, tok string) error { token = tok; return nil }})
			ok(t, err)
			return token, skipped
		}
		if token, skipped := mailLink(b, orgB.ID, tenancy.TokenPasswordReset, time.Hour); token != "" || skipped == "" {
			t.Fatalf("org B mailing a token to org A's user: %q (%q)", token, skipped)
		}
		issue := func(ttl time.Duration) string {
			t.Helper()
			ok(t, svc.Accounts.RequestPasswordReset(ctx, "new@a.example")) // a fresh message for the next mail
			token, skipped := mailLink(a, orgA.ID, tenancy.TokenInvitation, ttl)
			if token == "" {
				t.Fatalf("no token mailed: %s", skipped)
			}
			return token
		}
		expired := issue(-time.Minute)
		if _, _, err := svc.Accounts.RedeemToken(ctx, expired, tenancy.TokenInvitation, "a good new password"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("expired token: %v", err)
		}
		first, second := issue(time.Hour), issue(time.Hour)
		if _, _, err := svc.Accounts.RedeemToken(ctx, first, tenancy.TokenInvitation, "a good new password"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a token replaced by a newer one still works: %v", err)
		}
		if _, _, err := svc.Accounts.RedeemToken(ctx, second, tenancy.TokenPasswordReset, "a good new password"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("an invitation redeemed as a password reset: %v", err)
		}
		if _, _, err := svc.Accounts.RedeemToken(ctx, second, tenancy.TokenInvitation, "short"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a weak password was accepted: %v", err)
		}
		acc, from, err := svc.Accounts.RedeemToken(ctx, second, tenancy.TokenInvitation, "a good new password")
		if err != nil || acc.User.Status != tenancy.UserActive || from != orgA.ID {
			t.Fatalf("redeem: %+v from %s: %v", acc.User, from, err)
		}
		if _, _, err := svc.Accounts.RedeemToken(ctx, second, tenancy.TokenInvitation, "another good password"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a token redeemed twice: %v", err)
		}
	})
}

// TestARevokedKeyStopsAtOnceInEveryProcess: a key revoked by another
// process that announces nothing (the CLI) still answers from this
// process's cache of resolved keys, but no use case runs with it.
func TestARevokedKeyStopsAtOnceInEveryProcess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(db.App)
		a, _, orgA, _ := twoOrgs(t, db.App)
		made, secretKey, err := svc.Tenancy.CreateAPIKey(a, store.NewAPIKeyInput{Name: "shop sync", Role: "manager"})
		ok(t, err)
		key, org, err := svc.Accounts.APIKeyBySecret(ctx, secretKey)
		ok(t, err)
		withKey := tenancy.WithPrincipal(ctx, tenancy.Principal{Kind: tenancy.ActorAPIKey, ID: key.ID, Label: key.Prefix,
			OrgID: org.ID, OrgKind: org.Kind, Role: key.Role})
		if _, _, err := svc.Campaigns.List(withKey, store.Page{}); err != nil {
			t.Fatalf("a live key: %v", err)
		}
		c := draft(t, svc, a, campaign.Input{Name: "X", Kind: "survey", Audience: "b2c", Country: "FR", Languages: []string{"fr"}})
		importFile(t, svc, a, c.ID, "Téléphone;Nom\n0612345699;Favre\n")
		if got := leadsOf(t, svc, withKey, c.ID, store.LeadFilter{}); len(got) != 1 {
			t.Fatalf("a live key reads %d leads, want 1", len(got))
		}

		other, err := store.Open(ctx, db.URL, false) // another process, with a cache of its own
		ok(t, err)
		defer other.Close()
		_, err = services(other).Tenancy.RevokeAPIKey(tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(orgA, "cli")), made.ID)
		ok(t, err)
		if _, _, err := svc.Accounts.APIKeyBySecret(ctx, secretKey); err != nil {
			t.Fatalf("this process's cache no longer holds the key (the test misses its point): %v", err)
		}
		if _, _, err := svc.Campaigns.List(withKey, store.Page{}); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("a use case with a key revoked elsewhere: %v, want unauthorized", err)
		}
		if got, _, err := svc.Leads.List(withKey, c.ID, store.LeadFilter{}, store.Page{}); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("a page of leads with a key revoked elsewhere: %d leads, %v, want unauthorized", len(got), err)
		}
		if _, _, err := svc.Campaigns.List(a, store.Page{}); err != nil {
			t.Fatalf("the org's other principals: %v", err)
		}
	})
}
