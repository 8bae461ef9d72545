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
// the statements are complete when they are added.
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
	gen := schema.NewQueryGen(tx.Dialect())
	var b []byte
	for i, q := range w.stmts {
		if i > 0 {
			b = append(b, ";\n"...)
		}
		var err error
		if b, err = q.AppendQuery(gen, b); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, string(b))
	return err
}
