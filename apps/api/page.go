package api

import (
	"context"
	"encoding/base64"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// listView is every list's body: one page of items, newest first, and the
// cursor of the next page (null on the last one).
type listView[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// fetchPage is a use case answering one page of a list, such as
// (*store.Tenancy).Members.
type fetchPage[S any] func(ctx context.Context, page store.Page) ([]S, *uuid.UUID, error)

// list answers one page of a use case's list, each item shown through view.
func list[S, T any](fetch fetchPage[S], view func(S) T) fiber.Handler {
	return func(c *fiber.Ctx) error {
		page, err := pageOf(c)
		if err != nil {
			return err
		}
		return answer(c, fiber.StatusOK, func(ctx context.Context) (listView[T], error) {
			items, next, err := fetch(ctx, page)
			return pageView(items, next, view), err
		})
	}
}

// pageView is one page of a list shown through view.
func pageView[S, T any](items []S, next *uuid.UUID, view func(S) T) listView[T] {
	out := listView[T]{Data: make([]T, 0, len(items))}
	for _, it := range items {
		out.Data = append(out.Data, view(it))
	}
	if next != nil {
		cursor := encodeCursor(*next)
		out.NextCursor = &cursor
	}
	return out
}

// pageOf reads ?limit= and ?cursor=; an empty value means the default.
func pageOf(c *fiber.Ctx) (store.Page, error) {
	var (
		page store.Page
		f    apperr.Fields
	)
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > store.MaxLimit {
			f.Add("limit", "api.query.limit.invalid", "must be a whole number from 1 to %d (got %q); without it a page holds %d items",
				store.MaxLimit, raw, store.DefaultLimit)
		}
		page.Limit = n
	}
	if raw := c.Query("cursor"); raw != "" {
		id, ok := decodeCursor(raw)
		if !ok {
			f.Add("cursor", "api.query.cursor.invalid", "is not a cursor this API gave; pass the next_cursor of the previous page as it is, or leave it out for the first page")
		}
		page.After = id
	}
	return page, f.Err("http.query.invalid", "the query parameters are not valid")
}

// A cursor is the last id of a page, base64url-encoded: opaque to clients,
// so its form may change without breaking them.
func encodeCursor(id uuid.UUID) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

func decodeCursor(s string) (uuid.UUID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return uuid.Nil, false
	}
	id, err := uuid.FromBytes(b)
	return id, err == nil && id != uuid.Nil
}
