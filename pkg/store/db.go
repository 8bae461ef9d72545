// Package store is the bun adapter: it opens PostgreSQL or SQLite, runs the
// embedded migrations, and holds every query on tenant data. Tenant queries
// go through InTenant, which refuses to run without a principal and, on
// PostgreSQL, sets the org for row-level security in the same transaction.
//
// It imports bun, the two SQL drivers, and domain packages; no other adapter.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/plateau-bpo/plateau/pkg/outbox"
)

// Dialect names the SQL flavour of a database.
type Dialect string

const (
	Postgres Dialect = "pg"
	SQLite   Dialect = "sqlite"
)

// AppRole is the PostgreSQL role the application runs as: it owns no table,
// so row-level security applies to it. Migrations create it.
const AppRole = "plateau_app"

// DB is an open database.
type DB struct {
	Bun     *bun.DB
	Dialect Dialect
	URL     string // as given, for messages (never logged with a password)

	publisher      outbox.Publisher
	policyObserver func(orgID uuid.UUID)
}

// Open connects to a database URL: postgres://… or sqlite:PATH. On
// PostgreSQL the connection runs as the owner (for migrations) when asOwner
// is true, and as AppRole otherwise.
func Open(ctx context.Context, dsn string, asOwner bool) (*DB, error) {
	var (
		sqldb   *sql.DB
		db      *bun.DB
		dialect Dialect
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("database URL: %w", err)
		}
		var opts []stdlib.OptionOpenDB
		if !asOwner {
			opts = append(opts, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
				_, err := c.Exec(ctx, "SET ROLE "+AppRole)
				return err
			}))
		}
		sqldb = stdlib.OpenDB(*cfg, opts...)
		sqldb.SetMaxOpenConns(20)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New())
		dialect = Postgres
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return nil, fmt.Errorf("database URL %q: sqlite needs a path, as in sqlite:./var/plateau.db", dsn)
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("database folder: %w", err)
			}
		}
		// WAL lets readers work beside the writer; immediate transactions take
		// the write lock up front so two writers wait instead of deadlocking.
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_txlock", "immediate")
		var err error
		sqldb, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, err
		}
		sqldb.SetMaxOpenConns(4)
		db = bun.NewDB(sqldb, sqlitedialect.New())
		dialect = SQLite
	default:
		return nil, fmt.Errorf("database URL %q: use postgres://… or sqlite:PATH", redact(dsn))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("database %s is unreachable: %w", redact(dsn), err)
	}
	return &DB{Bun: db, Dialect: dialect, URL: redact(dsn)}, nil
}

// Close closes the pool.
func (d *DB) Close() error { return d.Bun.Close() }

// Ping checks the database answers, for /readyz.
func (d *DB) Ping(ctx context.Context) error { return d.Bun.PingContext(ctx) }

// redact hides the password of a URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
