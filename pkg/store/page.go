package store

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Page asks for one page of a list ordered newest first. Ids are UUIDv7, so
// their order is their creation order and the last id seen is the cursor.
type Page struct {
	Limit int       // 1..MaxLimit; 0 means DefaultLimit
	After uuid.UUID // the last id of the previous page, or uuid.Nil
}

const (
	DefaultLimit = 50
	MaxLimit     = 200
)

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// apply orders by the id column of the query's table and fetches one row
// more than asked, to know whether there is a next page.
func (p Page) apply(q *bun.SelectQuery) *bun.SelectQuery {
	return p.applyOn(q, "?TableAlias.id")
}

func (p Page) applyOn(q *bun.SelectQuery, idColumn string) *bun.SelectQuery {
	if p.After != uuid.Nil {
		q = q.Where(idColumn+" < ?", p.After)
	}
	return q.OrderExpr(idColumn + " DESC").Limit(int64(p.limit() + 1))
}

// pageRows makes the slice a page's rows are scanned into, with room for all
// of them: bun appends into the room there is rather than growing the slice
// row after row.
func pageRows[T any](p Page) []T { return make([]T, 0, p.limit()+1) }

// cut drops the extra row and returns the next cursor when there was one.
func cut[T any](rows []T, p Page, id func(T) uuid.UUID) ([]T, *uuid.UUID) {
	if len(rows) <= p.limit() {
		return rows, nil
	}
	rows = rows[:p.limit()]
	next := id(rows[len(rows)-1])
	return rows, &next
}
