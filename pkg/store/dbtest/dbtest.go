// Package dbtest gives each test its own fresh, migrated database: SQLite
// always, and PostgreSQL when PLATEAU_TEST_POSTGRES_URL is set (required
// when PLATEAU_TEST_REQUIRE lists postgres). Each runs the same test body.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// DB is a test database: App runs as the application (on PostgreSQL, the
// role row-level security applies to); Owner owns the tables.
type DB struct {
	App   *store.DB
	Owner *store.DB
	URL   string
}

// Each runs body once per dialect, as subtests named sqlite and pg; the pg
// subtest skips, saying why, when PostgreSQL is not configured (and fails
// when it is required).
func Each(t *testing.T, body func(t *testing.T, db DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { body(t, SQLite(t)) })
	t.Run("pg", func(t *testing.T) { body(t, Postgres(t, testenv.Need(t, testenv.Postgres))) })
}

// SQLite returns a migrated database in a temporary folder.
func SQLite(t testing.TB) DB {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "plateau.db")
	db := open(t, dsn, true)
	migrate(t, db)
	return DB{App: db, Owner: db, URL: dsn}
}

// Postgres creates a database named after a random suffix on the server of
// adminURL, migrates it, and drops it when the test ends.
func Postgres(t testing.TB, adminURL string) DB {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", adminURL, err)
	}
	defer admin.Close(ctx)
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "plateau_test_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	owner := open(t, u.String(), true)
	migrate(t, owner)
	app := open(t, u.String(), false)
	t.Cleanup(func() {
		_ = app.Close()
		_ = owner.Close()
		c, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	return DB{App: app, Owner: owner, URL: u.String()}
}

func open(t testing.TB, dsn string, asOwner bool) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, asOwner)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func migrate(t testing.TB, db *store.DB) {
	t.Helper()
	if _, err := db.MigrateUp(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", db.Dialect, err)
	}
}
