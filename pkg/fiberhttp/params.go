package fiberhttp

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Noun is what a path names ("campaign", "entry on your list"), as a
// message says it: English, and a word the catalogs translate
// (noun.entry_on_your_list).
type Noun string

// TermKey names the noun in the catalogs.
func (n Noun) TermKey() string { return "noun." + strings.ReplaceAll(string(n), " ", "_") }

// PathID reads the id in the path parameter param. An id that is not a
// UUID names no row: it is not found ("there is no such lead"), never
// invalid, like a row of another org.
func PathID(c *fiber.Ctx, param string, what Noun) (uuid.UUID, error) {
	raw := c.Params(param)
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, apperr.New(apperr.NotFound, "http.path.not_an_id", "there is no such %s (%q is not an id)", what, raw)
	}
	return id, nil
}

// After is the cursor of a list page's address (?after=<id>): the last id
// of the page before, or uuid.Nil for the first page (and for a cursor
// that is not an id, which shows the first page rather than an error).
func After(c *fiber.Ctx) uuid.UUID {
	id, _ := uuid.Parse(c.Query("after"))
	return id
}
