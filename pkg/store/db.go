// Package store is the bun adapter and the home of the platform's use
// cases. It opens PostgreSQL or SQLite, runs the embedded migrations, and
// holds every query on tenant data.
//
// A use case is one exported method of a service (Campaigns, Market,
// Leads…): it opens its own transaction scoped to the principal found in
// the context (refusing to run without one, and setting the org for
// row-level security on PostgreSQL), reads the clock once, asks the policy
// table for what the route could not decide, applies the domain's rules
// (pkg/campaign, pkg/market…), saves, and writes its audit event and outbox
// message in that same transaction. Front doors parse, call one use case,
// and render. Inside the package, use cases share the unexported methods of
// tenant, which load, save and scope.
//
// It imports bun, the two SQL drivers, and domain packages; no other adapter.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Dialect names the SQL flavour of a database.
type Dialect string

const (
	Postgres Dialect = "pg"
	SQLite   Dialect = "sqlite"
)

// AppRole is the PostgreSQL role the application's tenant queries run as:
// it owns no table, so row-level security applies to it, and it cannot
// become SystemRole. Migrations create it.
const AppRole = "plateau_app"

// SystemRole is the PostgreSQL role of the few lookups that read across
// orgs (signing in, API keys, the outbox reconciler, the console), run on
// a pool of its own. Row-level security lets it through; the application
// role is not a member of it. Migrations create it.
const SystemRole = "plateau_system"

// DB is an open database.
type DB struct {
	Bun *bun.DB
	// system is the pool of the cross-org lookups, running as SystemRole
	// on PostgreSQL; Bun itself on SQLite and for the owner.
	system  *bun.DB
	Dialect Dialect
	URL     string // as given, for messages (never logged with a password)

	// Now is the platform's one clock; a use case reads it once, when its
	// transaction begins. Tests set it.
	Now func() time.Time

	publisher      outbox.Publisher
	policyObserver func(orgID uuid.UUID)
	keyObserver    func(hash []byte)
	keys           keyCache // the API keys resolved lately
	authorizer     Authorizer
	box            *secret.Box // seals the secrets kept for later use (a SIP trunk's password)
}

// Authorizer answers whether a principal holds a permission: the RBAC
// enforcer, which honours the policy table and the org's own grants.
type Authorizer func(ctx context.Context, p tenancy.Principal, perm tenancy.Permission) (bool, error)

// SetAuthorizer sets what use cases ask when the route's permission does
// not decide (a campaign's move). Without one they ask the policy table's
// defaults (tenancy.Holds).
func (d *DB) SetAuthorizer(a Authorizer) { d.authorizer = a }

// SetSecretBox sets the Box that seals the secrets the platform keeps to
// use them later (a SIP trunk's password), under the deployment's key.
// Without one, such a secret is refused rather than kept in clear.
func (d *DB) SetSecretBox(b *secret.Box) { d.box = b }

// now reads the clock: UTC, truncated to microseconds, which both
// databases keep exactly.
func (d *DB) now() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }

// Open connects to a database URL: postgres://… or sqlite:PATH. On
// PostgreSQL the connection runs as the owner (for migrations) when asOwner
// is true; otherwise tenant queries run as AppRole and the cross-org
// lookups as SystemRole, each on its own pool of the same login (which
// switches to them), unless ConnectSystem gives the latter a login of its
// own.
func Open(ctx context.Context, dsn string, asOwner bool) (*DB, error) {
	var d *DB
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		role := AppRole
		if asOwner {
			role = ""
		}
		db, err := openPostgres(dsn, role)
		if err != nil {
			return nil, err
		}
		d = &DB{Bun: db, system: db, Dialect: Postgres}
		if !asOwner {
			if d.system, err = openPostgres(dsn, SystemRole); err != nil {
				_ = db.Close()
				return nil, err
			}
		}
	case strings.HasPrefix(dsn, "sqlite:"):
		db, err := openSQLite(dsn, "immediate")
		if err != nil {
			return nil, err
		}
		// The system lookups begin their transactions lazily: a lookup made
		// while a use case holds the write lock (its permissions loaded for
		// the first time) reads beside it instead of waiting for it.
		sys, err := openSQLite(dsn, "deferred")
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		d = &DB{Bun: db, system: sys, Dialect: SQLite}
	default:
		return nil, fmt.Errorf("database URL %q: use postgres://… or sqlite:PATH", redact(dsn))
	}
	d.URL, d.Now = redact(dsn), time.Now
	if err := d.ping(ctx); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("database %s is unreachable: %w", redact(dsn), err)
	}
	return d, nil
}

// ConnectSystem runs the cross-org lookups on a login of their own (the
// role SystemRole logging in with `plateau migrate up --system-password`),
// for deployments whose application login cannot switch to SystemRole.
func (d *DB) ConnectSystem(ctx context.Context, dsn string) error {
	if d.Dialect != Postgres {
		return fmt.Errorf("a system database URL applies to PostgreSQL only")
	}
	sys, err := openPostgres(dsn, "")
	if err != nil {
		return err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sys.PingContext(pingCtx); err != nil {
		_ = sys.Close()
		return fmt.Errorf("system database %s is unreachable: %w", redact(dsn), err)
	}
	if d.system != d.Bun {
		_ = d.system.Close()
	}
	d.system = sys
	return nil
}

// openPostgres opens a pool whose connections switch to role ("" for the
// login's own).
func openPostgres(dsn, role string) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	size, err := poolSize(cfg)
	if err != nil {
		return nil, err
	}
	// bun writes every argument into the SQL text, so nearly every query
	// it sends is a new text: pgx's default, preparing each new text before
	// running it and keeping it in a statement cache, would take two round
	// trips (and a DEALLOCATE now and then) for one. Queries are sent and
	// run at once instead; the few that take $n arguments through pgx
	// itself (pgRead) prepare theirs explicitly.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	var opts []stdlib.OptionOpenDB
	if role != "" {
		opts = append(opts, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
			if c.Config().User == role {
				return nil // the role's own login
			}
			_, err := c.Exec(ctx, "SET ROLE "+role)
			return err
		}))
	}
	sqldb := stdlib.OpenDB(*cfg, opts...)
	// As many idle connections are kept as may be open: database/sql keeps
	// two by default, and a busy server would open (and switch the role of)
	// a new connection for most queries.
	sqldb.SetMaxOpenConns(size)
	sqldb.SetMaxIdleConns(size)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// defaultPoolSize is how many connections each pool opens at most unless
// the URL says otherwise.
const defaultPoolSize = 20

// poolSize takes pool_max_conns (pgxpool's name for it) off a parsed
// database URL, where pgx would send it to the server as a setting: how
// many connections each pool opens at most. Fewer than the default serve
// more requests when the database has few cores (8 on two cores: the
// backends compete less for them).
func poolSize(cfg *pgx.ConnConfig) (int, error) {
	raw, ok := cfg.RuntimeParams["pool_max_conns"]
	if !ok {
		return defaultPoolSize, nil
	}
	delete(cfg.RuntimeParams, "pool_max_conns")
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("database URL: pool_max_conns=%q is not a number of connections", raw)
	}
	return n, nil
}

func openSQLite(dsn, txlock string) (*bun.DB, error) {
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
	// (txlock is "immediate", but for the system pool's reads.)
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", txlock)
	sqldb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(4)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

func (d *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.Bun.PingContext(ctx); err != nil {
		return err
	}
	return d.system.PingContext(ctx)
}

// Close closes the pools.
func (d *DB) Close() error {
	err := d.Bun.Close()
	if d.system != d.Bun {
		err = errors.Join(err, d.system.Close())
	}
	return err
}

// Analyze refreshes the planner's statistics of every table, as the
// database's own background work would some time after a bulk load.
func (d *DB) Analyze(ctx context.Context) error {
	_, err := d.Bun.ExecContext(ctx, "ANALYZE")
	return err
}

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
