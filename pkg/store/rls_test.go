package store_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// TestRowLevelSecurityFailsClosed checks the second wall on PostgreSQL: the
// application role sees no tenant row unless a transaction set its org, and
// then only that org's rows, on every table but the migrator's own.
func TestRowLevelSecurityFailsClosed(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	_, _, orgA, _ := twoOrgs(t, db.App)
	ctx := context.Background()

	var tables []string
	if err := db.Owner.Bun.NewRaw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'
		AND tablename NOT LIKE 'schema_migration%' ORDER BY tablename`).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 8 {
		t.Fatalf("found only %d tables: %v", len(tables), tables)
	}
	var unprotected []string
	if err := db.Owner.Bun.NewRaw(`SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace
		WHERE nspname = 'public' AND relkind = 'r' AND NOT relrowsecurity AND relname NOT LIKE 'schema_migration%'`).
		Scan(ctx, &unprotected); err != nil {
		t.Fatal(err)
	}
	if len(unprotected) > 0 {
		t.Fatalf("tables without row-level security: %v", unprotected)
	}
	var owned int
	if err := db.App.Bun.NewRaw(`SELECT count(*) FROM pg_tables WHERE tableowner = current_user`).Scan(ctx, &owned); err != nil {
		t.Fatal(err)
	}
	if owned != 0 {
		t.Fatalf("the application role owns %d tables", owned)
	}
	for _, table := range tables {
		var total, none, inA int
		if err := db.Owner.Bun.NewRaw("SELECT count(*) FROM "+table).Scan(ctx, &total); err != nil {
			t.Fatal(err)
		}
		if err := db.App.Bun.NewRaw("SELECT count(*) FROM "+table).Scan(ctx, &none); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if none != 0 {
			t.Errorf("%s: the app role sees %d of %d rows with no org set", table, none, total)
		}
		tx, err := db.App.Bun.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true)", orgA.ID.String()); err != nil {
			t.Fatal(err)
		}
		if err := tx.NewRaw("SELECT count(*) FROM "+table).Scan(ctx, &inA); err != nil {
			t.Fatal(err)
		}
		_ = tx.Rollback()
		if total > 0 && inA >= total {
			t.Errorf("%s: with org A set, the app role sees all %d rows (B's included)", table, total)
		}
	}
}

func TestAllowAppLogin(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	ctx := context.Background()
	if err := db.Owner.AllowLogin(ctx, store.AppRole, "it's a 'quoted' secret"); err != nil {
		t.Fatal(err)
	}
	// The role is shared by the server's databases: leave it as migrations make it.
	t.Cleanup(func() {
		if _, err := db.Owner.Bun.ExecContext(ctx, "ALTER ROLE plateau_app NOLOGIN PASSWORD NULL"); err != nil {
			t.Errorf("reset plateau_app: %v", err)
		}
	})
	var canLogin bool
	if err := db.Owner.Bun.NewRaw("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'plateau_app'").Scan(ctx, &canLogin); err != nil || !canLogin {
		t.Fatalf("plateau_app can log in: %v (%v)", canLogin, err)
	}
	if err := dbtest.SQLite(t).Owner.AllowLogin(ctx, store.AppRole, "x"); err == nil {
		t.Fatal("SQLite accepted an app password")
	}
}

// TestPoolSizeFromTheURL: pool_max_conns on the database URL bounds each
// pool (and is not sent to the server as a setting, which it would refuse).
func TestPoolSizeFromTheURL(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	ctx := context.Background()
	u, err := url.Parse(db.URL)
	ok(t, err)
	q := u.Query()
	q.Set("pool_max_conns", "3")
	u.RawQuery = q.Encode()
	sized, err := store.Open(ctx, u.String(), false)
	ok(t, err)
	defer sized.Close()
	if n := sized.Bun.Stats().MaxOpenConnections; n != 3 {
		t.Errorf("pool_max_conns=3 opened a pool of %d", n)
	}
	if n := db.App.Bun.Stats().MaxOpenConnections; n != 20 {
		t.Errorf("the default pool holds %d", n)
	}
	q.Set("pool_max_conns", "many")
	u.RawQuery = q.Encode()
	if _, err := store.Open(ctx, u.String(), false); err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
		t.Errorf("pool_max_conns=many: %v", err)
	}
}

// TestAOneRoundTripReadLeavesNoOrgBehind: a page of leads read without
// BEGIN and COMMIT (the org set in the implicit transaction of its one
// round trip) leaves its connection with no org set, so the next query on
// that connection sees no tenant row.
func TestAOneRoundTripReadLeavesNoOrgBehind(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	ctx := context.Background()
	a, _, _, _ := twoOrgs(t, db.App)
	svc := services(db.App)
	c := draft(t, svc, a, campaign.Input{Name: "X", Kind: "survey", Audience: "b2c", Country: "FR", Languages: []string{"fr"}})
	importFile(t, svc, a, c.ID, "Téléphone;Nom\n0612345699;Favre\n")

	u, err := url.Parse(db.URL)
	ok(t, err)
	q := u.Query()
	q.Set("pool_max_conns", "1") // the page's connection is the next query's
	u.RawQuery = q.Encode()
	one, err := store.Open(ctx, u.String(), false)
	ok(t, err)
	defer one.Close()
	if got := leadsOf(t, services(one), a, c.ID, store.LeadFilter{}); len(got) != 1 {
		t.Fatalf("the page holds %d leads, want 1", len(got))
	}
	var setting string
	var seen int
	ok(t, one.Bun.NewRaw("SELECT coalesce(current_setting('app.org_id', true), '')").Scan(ctx, &setting))
	ok(t, one.Bun.NewRaw("SELECT count(*) FROM leads").Scan(ctx, &seen))
	if setting != "" || seen != 0 {
		t.Errorf("after the page, its connection has app.org_id %q and sees %d leads", setting, seen)
	}
}
