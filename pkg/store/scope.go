package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// tenant is a use case's transaction: limited to the org of the principal
// acting, with the one reading of the clock the whole use case works with.
type tenant struct {
	Tx        bun.IDB // the transaction: a bun.Tx on SQLite, its connection on PostgreSQL
	Principal tenancy.Principal
	Now       time.Time
	db        *DB
	// afterCommit runs once the transaction committed: the outbox's
	// publish, the RBAC cache's invalidation.
	afterCommit []func(context.Context)
	// final are the use case's last writes, sent with its COMMIT once it
	// returned without error: on PostgreSQL, in the same round trip.
	final writes
}

// OrgID is the org every query in this transaction is limited to.
func (t *tenant) OrgID() uuid.UUID { return t.Principal.OrgID }

// onCommit runs fn once the transaction has committed, never before.
func (t *tenant) onCommit(fn func(context.Context)) { t.afterCommit = append(t.afterCommit, fn) }

// run is how every tenant use case runs: fn in a transaction limited to
// the org of the principal in ctx. Without a principal it fails before
// touching the database. On PostgreSQL the org is set for row-level
// security, so a query that forgets its org filter still sees only this
// org's rows.
func run[T any](ctx context.Context, d *DB, fn func(t *tenant) (T, error)) (T, error) {
	var out T
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return out, err
	}
	t := &tenant{Principal: p, Now: d.now(), db: d}
	err = d.inTx(ctx, p, func(tx bun.IDB) (*writes, error) {
		t.Tx = tx
		out, err = fn(t)
		return &t.final, err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	for _, fn := range t.afterCommit {
		fn(ctx)
	}
	return out, nil
}

// runPair is run for a use case that answers two values: a page and the
// cursor of the next, a value and whether it was found.
func runPair[T, U any](ctx context.Context, d *DB, fn func(t *tenant) (T, U, error)) (T, U, error) {
	type pair struct {
		first  T
		second U
	}
	p, err := run(ctx, d, func(t *tenant) (pair, error) {
		a, b, err := fn(t)
		return pair{a, b}, err
	})
	return p.first, p.second, err
}

// do is run for a use case that returns nothing but its error.
func do(ctx context.Context, d *DB, fn func(t *tenant) error) error {
	_, err := run(ctx, d, func(t *tenant) (struct{}, error) { return struct{}{}, fn(t) })
	return err
}

// inSystem runs fn in a transaction that may read across orgs, on the
// system pool (SystemRole, which the application role cannot become). It
// is for the few places that must find a tenant before knowing it:
// signing in, resolving an API key, the operator CLI, the outbox
// reconciler, the console's oversight. reason is shown by the database
// (application_name) on PostgreSQL and documents the call.
func (d *DB) inSystem(ctx context.Context, reason string, fn func(tx bun.Tx) error) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("store: inSystem needs a reason")
	}
	return d.system.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if d.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT set_config('application_name', ?, true)", "plateau:"+reason); err != nil {
				return err
			}
		}
		return mapError(fn(tx))
	})
}

// inTx runs fn in a transaction limited to the principal's org, then the
// final writes fn answers, and commits. A
// principal acting with an API key acts only while the key is live: the
// transaction checks it first, so that a key revoked through another
// process (or the CLI, which announces nothing) stops working at once,
// whatever the processes' caches of resolved keys hold. On PostgreSQL the
// transaction is begun, the org set for row-level security and the key
// checked in one round trip (pgTx).
func (d *DB) inTx(ctx context.Context, p tenancy.Principal, fn func(tx bun.IDB) (*writes, error)) error {
	if d.Dialect == Postgres {
		return mapError(d.pgTx(ctx, p, fn))
	}
	return d.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if p.Kind == tenancy.ActorAPIKey {
			live, err := tx.NewSelect().Model((*apiKeyRow)(nil)).
				Where("id = ? AND org_id = ? AND revoked_at IS NULL", p.ID, p.OrgID).Exists(ctx)
			if err != nil {
				return err
			}
			if !live {
				return errKeyUnknown()
			}
		}
		final, err := fn(tx)
		if err == nil {
			err = final.exec(ctx, tx)
		}
		return mapError(err)
	})
}

// keyRevokedState is the SQLSTATE plateau_live_key raises (migration 0012).
const keyRevokedState = "PK401"

// pgTx runs fn in a transaction on one pooled connection, which database/sql
// does not know to be in a transaction: BEGIN, the org's setting and the
// check of an API key are one statement string, sent at once. A connection
// that is not idle when fn is done (a panic, a ROLLBACK that could not be
// sent) is closed rather than put back in the pool, so no later use case
// inherits this transaction or its org. fn's final writes go with the
// COMMIT, in one statement string.
func (d *DB) pgTx(ctx context.Context, p tenancy.Principal, fn func(tx bun.IDB) (*writes, error)) error {
	conn, err := d.Bun.Conn(ctx)
	if err != nil {
		return err
	}
	defer release(conn)
	begin, args := "BEGIN; SELECT set_config('app.org_id', ?, true)", []any{p.OrgID.String()}
	if p.Kind == tenancy.ActorAPIKey {
		begin, args = begin+"; SELECT plateau_live_key(?)", append(args, p.ID)
	}
	_, err = conn.ExecContext(ctx, begin, args...)
	var final *writes
	if err = keyRevoked(err); err == nil {
		final, err = fn(conn)
	}
	var commit string
	if err == nil {
		commit, err = final.then(conn.Dialect(), "COMMIT")
	}
	if err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	return onPgx(conn, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, commit)
		if err != nil && c.PgConn().TxStatus() == 'E' {
			// A final write failed: the COMMIT after it was not run.
			_, _ = c.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		if err == nil && tag.String() == "ROLLBACK" {
			// A statement failed and fn went on regardless: nothing was
			// saved, which the caller must know (as bun.Tx.Commit says).
			return pgx.ErrTxCommitRollback
		}
		return err
	})
}

// readRows runs one query (its arguments written ?) for the principal in
// ctx and scans its rows into a slice: the whole of a use case that reads
// one list. On PostgreSQL it takes one round trip (pgRead); elsewhere it
// runs in a transaction as run opens. query must be limited to what the
// principal may read, as every query of a use case is: row-level security
// is the second wall, not the first.
func readRows[R any](ctx context.Context, d *DB, query string, args []any, fields func(*R) []any, capacity int) ([]R, error) {
	rows := make([]R, 0, capacity)
	if d.Dialect != Postgres {
		return run(ctx, d, func(t *tenant) ([]R, error) {
			return rows, t.Tx.NewRaw(query, args...).Scan(ctx, &rows)
		})
	}
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return nil, err
	}
	err = d.pgRead(ctx, p, numbered(query), args, func(r pgx.Rows) error {
		var row R
		if err := r.Scan(fields(&row)...); err != nil {
			return err
		}
		rows = append(rows, row)
		return nil
	})
	return rows, err
}

// pgRead runs one read-only query limited to the principal's org in a
// single round trip: the org's setting, the check of an API key (as inTx
// makes it) and the query go as one pipelined batch, which PostgreSQL runs
// as one implicit transaction, the setting lasting until its end; no BEGIN,
// no COMMIT. Each statement of the batch is prepared on the connection the
// first time it runs there (under its own text as name), its plan kept from
// one call to the next. each reads the rows one by one.
func (d *DB) pgRead(ctx context.Context, p tenancy.Principal, query string, args []any, each func(pgx.Rows) error) error {
	conn, err := d.Bun.Conn(ctx)
	if err != nil {
		return err
	}
	defer release(conn)
	return mapError(onPgx(conn, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("SELECT set_config('app.org_id', $1, true)", p.OrgID.String())
		if p.Kind == tenancy.ActorAPIKey {
			b.Queue("SELECT plateau_live_key($1)", p.ID)
		}
		b.Queue(query, args...)
		for _, q := range b.QueuedQueries {
			// The pool runs statements unprepared (openPostgres); these few
			// texts are fixed, so they are worth keeping prepared.
			if _, err := c.Prepare(ctx, q.SQL, q.SQL); err != nil {
				return err
			}
		}
		results := c.SendBatch(ctx, b)
		for range len(b.QueuedQueries) - 1 {
			if _, err := results.Exec(); err != nil {
				_ = results.Close()
				return keyRevoked(err)
			}
		}
		rows, err := results.Query()
		for err == nil && rows.Next() {
			err = each(rows)
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
		return errors.Join(err, results.Close())
	}))
}

// keyRevoked reads plateau_live_key's refusal (migration 0012) as the
// key's being unknown; other errors pass unchanged.
func keyRevoked(err error) error {
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == keyRevokedState {
		return errKeyUnknown()
	}
	return err
}

// numbered writes a query's ? placeholders as PostgreSQL's $1, $2…; the
// query holds no other question mark.
func numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteString("$" + strconv.Itoa(n))
	}
	return b.String()
}

// release gives a connection back to the pool if it is idle, and closes it
// otherwise.
func release(conn bun.Conn) {
	_ = onPgx(conn, func(c *pgx.Conn) error {
		if c.PgConn().TxStatus() != 'I' {
			return driver.ErrBadConn // database/sql closes the connection
		}
		return nil
	})
	_ = conn.Close()
}

// onPgx runs fn on a pooled connection's pgx handle.
func onPgx(conn bun.Conn, fn func(c *pgx.Conn) error) error {
	return conn.Raw(func(driverConn any) error {
		pc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: %T is not a pgx connection", driverConn)
		}
		return fn(pc.Conn())
	})
}

// deferForeignKeys checks the transaction's foreign keys at its commit,
// for rows that must be written child first (a membership before its
// person, so that row-level security sees the person as the org's).
func (t *tenant) deferForeignKeys(ctx context.Context) error {
	stmt := "PRAGMA defer_foreign_keys = ON"
	if t.db.Dialect == Postgres {
		stmt = "SET CONSTRAINTS ALL DEFERRED"
	}
	_, err := t.Tx.ExecContext(ctx, stmt)
	return err
}

// may asks whether the principal holds perm: the authorizer when the
// composition root set one, the policy table's defaults otherwise.
func (t *tenant) may(ctx context.Context, perm tenancy.Permission) (bool, error) {
	if t.db.authorizer == nil {
		return tenancy.Holds(t.Principal.OrgKind, t.Principal.Role, perm), nil
	}
	return t.db.authorizer(ctx, t.Principal, perm)
}

// require refuses a principal without perm.
func (t *tenant) require(ctx context.Context, perm tenancy.Permission) error {
	ok, err := t.may(ctx, perm)
	if err != nil || ok {
		return err
	}
	return apperr.New(apperr.Forbidden, "access.role.lacks_permission", "your role (%s) does not allow you to %s", t.Principal.Role, perm)
}

// mapError turns driver errors into the platform's kinds: a missing row is
// NotFound, a uniqueness clash Conflict. Other errors pass unchanged.
func mapError(err error) error {
	if err == nil || apperr.As(err) != nil {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(err, apperr.NotFound, "store.row.not_found", "not found")
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") {
		return apperr.Wrap(err, apperr.Conflict, "store.row.exists", "already exists")
	}
	return err
}

// isNoRows reports a missing row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// conflictOn rewrites a uniqueness clash into said, a precise message (at
// field, unless it is ""), and leaves other errors as they are.
func conflictOn(err error, field string, said *apperr.Error) error {
	if err == nil || !apperr.Is(mapError(err), apperr.Conflict) {
		return err
	}
	said.Err = err
	if field != "" {
		said.Fields = []apperr.FieldError{{Path: field, Code: said.Code, Message: said.Message, Args: said.Args}}
	}
	return said
}
