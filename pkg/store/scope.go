package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Tenant is the handle a tenant query runs on: the transaction and the
// principal whose org scopes it.
type Tenant struct {
	Tx          bun.Tx
	Principal   tenancy.Principal
	db          *DB
	afterCommit []func(context.Context)
}

// OrgID is the org every query in this transaction is limited to.
func (t *Tenant) OrgID() uuid.UUID { return t.Principal.OrgID }

// onCommit runs fn once the transaction has committed, never before.
func (t *Tenant) onCommit(fn func(context.Context)) { t.afterCommit = append(t.afterCommit, fn) }

// InTenant runs fn in a transaction limited to the org of the principal in
// ctx. Without a principal it fails before touching the database. On
// PostgreSQL the org is set for row-level security, so a query that forgets
// its org filter still sees only this org's rows.
func (d *DB) InTenant(ctx context.Context, fn func(t *Tenant) error) error {
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	t := &Tenant{Principal: p, db: d}
	err = d.inTx(ctx, func(tx bun.Tx) error {
		if d.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true)", p.OrgID.String()); err != nil {
				return err
			}
		}
		t.Tx = tx
		return fn(t)
	})
	if err != nil {
		return err
	}
	for _, fn := range t.afterCommit {
		fn(ctx)
	}
	return nil
}

// InSystem runs fn in a transaction that may read across orgs. It is for the
// few places that must find a tenant before knowing it: signing in, resolving
// an API key, the operator CLI, the outbox reconciler. reason is logged by
// the database (application_name) on PostgreSQL and documents the call.
func (d *DB) InSystem(ctx context.Context, reason string, fn func(tx bun.Tx) error) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("store: InSystem needs a reason")
	}
	return d.inTx(ctx, func(tx bun.Tx) error {
		if d.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx,
				"SELECT set_config('app.system', 'on', true), set_config('application_name', ?, true)",
				"plateau:"+reason); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

func (d *DB) inTx(ctx context.Context, fn func(tx bun.Tx) error) error {
	return d.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return mapError(fn(tx))
	})
}

// mapError turns driver errors into the platform's kinds: a missing row is
// NotFound, a uniqueness clash Conflict. Other errors pass unchanged.
func mapError(err error) error {
	if err == nil || apperr.As(err) != nil {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(err, apperr.NotFound, "not found")
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") {
		return apperr.Wrap(err, apperr.Conflict, "already exists")
	}
	return err
}

// notFound is the answer for a row that is absent or belongs to another org.
func notFound(what string, id any) error {
	return apperr.New(apperr.NotFound, "%s %v not found", what, id)
}

// isNoRows reports a missing row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// conflictOn rewrites a uniqueness clash into a precise message and leaves
// other errors as they are.
func conflictOn(err error, field, format string, args ...any) error {
	if err == nil || !apperr.Is(mapError(err), apperr.Conflict) {
		return err
	}
	e := apperr.Wrap(err, apperr.Conflict, format, args...)
	if field != "" {
		e.Fields = []apperr.FieldError{{Path: field, Message: e.Message}}
	}
	return e
}

// asSystem lifts the org limit of row-level security for fn only, inside
// this transaction. It is for a check that must look across orgs to keep
// data consistent (an orphaned user), never to return another org's rows.
func (t *Tenant) asSystem(ctx context.Context, fn func() error) error {
	if t.db.Dialect != Postgres {
		return fn()
	}
	if _, err := t.Tx.ExecContext(ctx, "SELECT set_config('app.system', 'on', true)"); err != nil {
		return err
	}
	err := fn()
	if _, resetErr := t.Tx.ExecContext(ctx, "SELECT set_config('app.system', '', true)"); resetErr != nil && err == nil {
		err = resetErr
	}
	return err
}
