package store_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// The second wall (row-level security on PostgreSQL) holds even against
// SQL the application's code never sends: each test writes that SQL by
// hand on the application role's pool, as an injection would.

// asApp runs sql on the application role's pool in a transaction scoped to
// org (as a use case's), with extra statements first, and returns its error.
func asApp(t *testing.T, db dbtest.DB, org uuid.UUID, sql string, args ...any) error {
	t.Helper()
	ctx := context.Background()
	return db.App.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true)", org.String()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, sql, args...)
		return err
	})
}

// TestTheAppRoleCannotReadAcrossOrgs: setting the old system switch opens
// nothing, and the system role cannot be taken.
func TestTheAppRoleCannotReadAcrossOrgs(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	_, _, orgA, orgB := twoOrgs(t, db.App)
	ctx := context.Background()
	var seen []uuid.UUID
	err := db.App.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT set_config('app.system', 'on', true), set_config('app.org_id', ?, true)", orgA.ID.String()); err != nil {
			return err
		}
		return tx.NewRaw("SELECT id FROM orgs").Scan(ctx, &seen)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range seen {
		if id == orgB.ID {
			t.Fatal("the app role read another org's row after setting app.system")
		}
	}
	// Logged in as the application role itself, as in production.
	ok(t, db.Owner.AllowLogin(ctx, store.AppRole, "a test password"))
	t.Cleanup(func() {
		if _, err := db.Owner.Bun.ExecContext(ctx, "ALTER ROLE plateau_app NOLOGIN PASSWORD NULL"); err != nil {
			t.Errorf("reset plateau_app: %v", err)
		}
	})
	u, err := url.Parse(db.URL)
	ok(t, err)
	u.User = url.UserPassword(store.AppRole, "a test password")
	conn, err := pgx.Connect(ctx, u.String())
	ok(t, err)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET ROLE plateau_system"); err == nil {
		t.Fatal("the app role's login became plateau_system")
	}
	var policies []string
	if err := db.Owner.Bun.NewRaw(`SELECT tablename || '.' || policyname FROM pg_policies
		WHERE schemaname = 'public' AND (qual LIKE '%app.system%' OR with_check LIKE '%app.system%')`).Scan(ctx, &policies); err != nil {
		t.Fatal(err)
	}
	if len(policies) > 0 {
		t.Fatalf("policies still opened by app.system: %v", policies)
	}
}

// TestAPersonIsAddedOnlyThroughAMembership: the app role cannot write a
// user row that no membership of its org covers.
func TestAPersonIsAddedOnlyThroughAMembership(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	_, _, orgA, _ := twoOrgs(t, db.App)
	err := asApp(t, db, orgA.ID, `INSERT INTO users (id, email, name, status, created_at, updated_at)
		VALUES (?, 'squatter@example.test', 'x', 'active', now(), now())`, uuid.Must(uuid.NewV7()))
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("a user row without a membership: %v", err)
	}
}

// contracted makes a client's campaign (non-EU: no data-protection file
// needed), a center's offer on it, the contract accepted and confirmed.
func contracted(t *testing.T, db dbtest.DB) (client, center tenancy.Org, c campaign.Campaign, k market.Contract) {
	t.Helper()
	svc := services(db.App)
	asClient, client := actingAs(t, db.App, tenancy.KindClient, "US Shop", "US")
	asCenter, center := actingAs(t, db.App, tenancy.KindCenter, "Atlas Contact", "MA")
	start := time.Now().AddDate(0, 0, 7)
	c, err := svc.Campaigns.Create(asClient, campaign.Input{Name: "Renewals", Kind: "customer_care", Audience: "b2c",
		Country: "US", Languages: []string{"en"}, Volume: 100})
	ok(t, err)
	_, err = svc.Campaigns.Move(asClient, c.ID, campaign.Publish)
	ok(t, err)
	offered, err := svc.Market.SubmitOffer(asCenter, c.ID, market.OfferInput{RateCard: market.RateCard{Currency: "USD",
		PerConnectedCall: 500_000}, Seats: 3, Languages: []string{"en"}, StartsOn: &start})
	ok(t, err)
	accepted, err := svc.Market.Accept(asClient, c.ID, offered.Offers[0].ID)
	ok(t, err)
	confirmed, err := svc.Market.Confirm(asCenter, accepted.ID)
	ok(t, err)
	return client, center, c, confirmed.Contract
}

// TestAContractsTermsNeverChange: neither side rewrites a contract's rate
// card or seats; the center cannot end it, nor the client confirm it.
func TestAContractsTermsNeverChange(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	client, center, _, k := contracted(t, db)
	for _, tc := range []struct {
		org  uuid.UUID
		sql  string
		what string
	}{
		{center.ID, "UPDATE contracts SET seats = 999 WHERE id = ?", "the center raising its seats"},
		{center.ID, `UPDATE contracts SET rate_card = '{"currency":"USD","per_connected_call":9000000}' WHERE id = ?`, "the center rewriting its rate card"},
		{client.ID, "UPDATE contracts SET seats = 1 WHERE id = ?", "the client cutting the seats"},
		{center.ID, "UPDATE contracts SET status = 'ended' WHERE id = ?", "the center ending the contract"},
		{center.ID, "DELETE FROM contracts WHERE id = ?", "the center deleting the contract"},
	} {
		err := asApp(t, db, tc.org, tc.sql, k.ID)
		if err == nil && strings.HasPrefix(tc.sql, "DELETE") {
			var n int
			ok(t, db.Owner.Bun.NewRaw("SELECT count(*) FROM contracts WHERE id = ?", k.ID).Scan(context.Background(), &n))
			if n == 1 {
				continue // no row was visible to delete
			}
		}
		if err == nil {
			t.Errorf("%s went through", tc.what)
		}
	}
	if err := asApp(t, db, client.ID, "UPDATE contracts SET status = 'ended' WHERE id = ?", k.ID); err != nil {
		t.Errorf("the client ending its contract: %v", err)
	}
}

// TestACenterChangesOnlyTheStatusOfItsClientsCampaign: a contracted center
// starts and pauses the campaign, and changes nothing else of it.
func TestACenterChangesOnlyTheStatusOfItsClientsCampaign(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	_, center, c, _ := contracted(t, db)
	if err := asApp(t, db, center.ID, "UPDATE campaigns SET name = 'mine now', budget_cap = 0 WHERE id = ?", c.ID); err == nil {
		t.Error("a center renamed its client's campaign")
	}
	if err := asApp(t, db, center.ID, "UPDATE campaigns SET status = 'completed' WHERE id = ?", c.ID); err == nil {
		t.Error("a center completed its client's campaign")
	}
	if err := asApp(t, db, center.ID, "UPDATE campaigns SET status = 'running', updated_at = now() WHERE id = ?", c.ID); err != nil {
		t.Errorf("a center starting its contracted campaign: %v", err)
	}
}

// TestAnOrgWritesOnlyItsOwnTrail: no audit event lands in another org's
// trail, but a center's move on its client's campaign.
func TestAnOrgWritesOnlyItsOwnTrail(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	client, center, c, _ := contracted(t, db)
	insert := `INSERT INTO audit_events (id, org_id, actor_kind, actor_label, action, object_type, object_id, created_at)
		VALUES (?, ?, 'user', 'x', ?, ?, ?, now())`
	if err := asApp(t, db, center.ID, insert, uuid.Must(uuid.NewV7()), client.ID, "user.remove", "user", uuid.NewString()); err == nil {
		t.Error("a center wrote a made-up event into its client's trail")
	}
	if err := asApp(t, db, center.ID, insert, uuid.Must(uuid.NewV7()), client.ID, "campaign.pause", "campaign", c.ID.String()); err != nil {
		t.Errorf("a center recording its move in its client's trail: %v", err)
	}
}

// TestOnlyCentersReadOpenRequests: a campaign published on the marketplace
// is read by every center and by no other client, whatever kind, org
// setting or switch a client's session claims for itself; and the kind the
// policy asks is its org's, whatever the session claims.
func TestOnlyCentersReadOpenRequests(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	svc := services(db.App)
	asClient, _ := actingAs(t, db.App, tenancy.KindClient, "US Shop", "US")
	_, rival := actingAs(t, db.App, tenancy.KindClient, "Rival Shop", "US")
	_, center := actingAs(t, db.App, tenancy.KindCenter, "Atlas Contact", "MA")
	c, err := svc.Campaigns.Create(asClient, campaign.Input{Name: "Renewals", Kind: "customer_care", Audience: "b2c",
		Country: "US", Languages: []string{"en"}, Volume: 100})
	ok(t, err)
	_, err = svc.Campaigns.Move(asClient, c.ID, campaign.Publish)
	ok(t, err)
	reads := func(org uuid.UUID, claim string) bool {
		t.Helper()
		var n int
		err := db.App.Bun.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true)", org.String()); err != nil {
				return err
			}
			if claim != "" {
				if _, err := tx.ExecContext(ctx, claim); err != nil {
					return err
				}
			}
			return tx.NewRaw("SELECT count(*) FROM campaigns WHERE id = ?", c.ID).Scan(ctx, &n)
		})
		ok(t, err)
		return n == 1
	}
	if !reads(center.ID, "") {
		t.Fatal("a center does not read an open request")
	}
	for _, claim := range []string{"",
		"SELECT set_config('app.org_kind', 'center', true)",
		"SET LOCAL app.org_kind = 'center'",
		"SELECT set_config('app.kind', 'center', true), set_config('app.system', 'on', true)",
	} {
		if reads(rival.ID, claim) {
			t.Errorf("another client read an open request (%q)", claim)
		}
	}
	if !reads(center.ID, "SELECT set_config('app.org_kind', 'client', true)") {
		t.Error("a center claiming to be a client changed what the policy sees of it")
	}
	var kind string
	err = db.App.Bun.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true), set_config('app.org_kind', 'center', true)", rival.ID.String()); err != nil {
			return err
		}
		return tx.NewRaw("SELECT plateau_org_kind()").Scan(ctx, &kind)
	})
	ok(t, err)
	if kind != string(tenancy.KindClient) {
		t.Fatalf("plateau_org_kind() for a client that claims to be a center: %q", kind)
	}
}
