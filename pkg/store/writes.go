package store

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// writes are statements a use case sends at once, in order, as one string:
// one round trip on PostgreSQL, whose simple protocol runs them one after
// the other in the transaction and stops at the first that fails, and one
// call on SQLite. bun writes each statement's arguments into its text, so
// the statements are complete when they are added. A use case's last
// writes go in tenant.final, which sends them with the COMMIT.
type writes struct {
	stmts []schema.QueryAppender
}

// add appends a statement built with the transaction's query builders.
func (w *writes) add(q schema.QueryAppender) { w.stmts = append(w.stmts, q) }

// exec sends the statements; nothing when there are none.
func (w *writes) exec(ctx context.Context, tx bun.IDB) error {
	if len(w.stmts) == 0 {
		return nil
	}
	query, err := w.then(tx.Dialect())
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, query)
	return err
}

// then is the statements' text, followed by more statements (a COMMIT).
func (w *writes) then(dialect schema.Dialect, more ...string) (string, error) {
	gen := schema.NewQueryGen(dialect)
	var b []byte
	for _, q := range w.stmts {
		var err error
		if b, err = q.AppendQuery(gen, b); err != nil {
			return "", err
		}
		b = append(b, ";\n"...)
	}
	for _, m := range more {
		b = append(b, m...)
		b = append(b, ";\n"...)
	}
	return string(b), nil
}
