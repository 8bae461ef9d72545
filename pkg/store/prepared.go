package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// selectPrepared runs query (its arguments written ?) in the transaction
// and scans its rows into dest as bun does. On PostgreSQL the query goes
// with its arguments apart, as a statement the connection prepares once
// and keeps (pgx's statement cache): after a few runs PostgreSQL reuses
// one plan, where a text with its arguments written in (bun's way) is
// parsed, rewritten with the row-level security policies and planned
// anew each time, which costs a claim more than running it. For the hot
// queries of a claim only.
func (t *tenant) selectPrepared(ctx context.Context, dest any, query string, args ...any) error {
	conn, ok := t.Tx.(bun.Conn)
	if t.db.Dialect != Postgres || !ok {
		return t.Tx.NewRaw(query, args...).Scan(ctx, dest)
	}
	// database/sql's own connection, not bun's, which would write the
	// arguments in. pgx reads a QueryExecMode first among the arguments as
	// how to run this one query, overriding the pool's default
	// (openPostgres).
	rows, err := conn.Conn.QueryContext(ctx, numbered(query), append([]any{pgx.QueryExecModeCacheStatement}, args...)...)
	if err != nil {
		return err
	}
	return t.db.Bun.ScanRows(ctx, rows, dest)
}

// scanRepeated scans the rows of q into its model, a slice, as q.Scan
// does, but on PostgreSQL as a statement the connection prepares once and
// keeps, like selectPrepared: for a query whose text, its arguments written
// in by bun, repeats from one call to the next (a campaign read by every
// claim on it).
func (t *tenant) scanRepeated(ctx context.Context, q *bun.SelectQuery, slice any) error {
	conn, ok := t.Tx.(bun.Conn)
	if t.db.Dialect != Postgres || !ok {
		return q.Scan(ctx)
	}
	query, err := q.AppendQuery(t.db.Bun.QueryGen(), nil)
	if err != nil {
		return err
	}
	rows, err := conn.Conn.QueryContext(ctx, string(query), pgx.QueryExecModeCacheStatement)
	if err != nil {
		return err
	}
	return t.db.Bun.ScanRows(ctx, rows, slice)
}

// columnsAs is the select list of model's columns read from alias, each
// named prefix+column, for a struct that embeds model with that prefix.
func (t *tenant) columnsAs(model any, alias, prefix string) string {
	table := t.db.Bun.Table(reflect.TypeOf(model))
	cols := make([]string, len(table.Fields))
	for i, f := range table.Fields {
		cols[i] = fmt.Sprintf("%s.%s AS %s%s", alias, f.Name, prefix, f.Name)
	}
	return strings.Join(cols, ", ")
}
