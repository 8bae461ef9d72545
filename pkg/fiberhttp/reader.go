package fiberhttp

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// What a page says for its reader beyond its catalog's words: the problems
// of a refused form, and times in the reader's zone.

// Problems are the problems of a refused form as its page shows them: in
// the reader's language, each beside the input it is about, and the ones
// about no input of the form above it. No field path is shown; a page
// keeps the input's name in a data-field attribute.
type Problems struct {
	At     map[string]string // by input name; two problems of one input are joined
	Others []string          // about the form as a whole, or about no input it has
	N      int               // how many problems in all
}

// Problems says err's problems in the reader's language (Localize), each
// at the input of inputs its path names: "languages[1]" is at
// "languages", "rate_card.per_minute" at "rate_card.per_minute" or, if
// the form has no such input, at "rate_card". An err without fields is
// one problem of the form as a whole.
func (s *Server) Problems(c *fiber.Ctx, err error, inputs ...string) Problems {
	p := Problems{At: map[string]string{}}
	if err == nil {
		return p
	}
	e := s.Localize(c, err)
	sep := "; "
	if LocaleOf(c) == "fr" {
		sep = "\u00a0; "
	}
	if len(e.Fields) == 0 {
		p.Others, p.N = []string{e.Message}, 1
		return p
	}
	for _, f := range e.Fields {
		p.N++
		input := InputOf(f.Path, inputs)
		switch {
		case input == "":
			p.Others = append(p.Others, f.Message)
		case p.At[input] != "":
			p.At[input] += sep + f.Message
		default:
			p.At[input] = f.Message
		}
	}
	return p
}

// InputOf is the input of inputs a field path is about: the longest one
// the path is, or starts with followed by "[" or "."; "" for none.
func InputOf(path string, inputs []string) string {
	best := ""
	for _, in := range inputs {
		if (path == in || strings.HasPrefix(path, in+"[") || strings.HasPrefix(path, in+".")) && len(in) > len(best) {
			best = in
		}
	}
	return best
}

// Say is problems found at fields in the reader's language.
func (s *Server) Say(c *fiber.Ctx, fields []apperr.FieldError) []apperr.FieldError {
	if len(fields) == 0 {
		return nil
	}
	return s.Localize(c, &apperr.Error{Kind: apperr.Invalid, Fields: fields}).Fields
}

// ZoneOf is the zone a page shows its times in: its viewer's org's, UTC
// for a visitor or an org without a known zone.
func ZoneOf(c *fiber.Ctx) *time.Location {
	if v := ViewerOf(c); v != nil && v.Membership.Org.Timezone != "" {
		if loc, err := time.LoadLocation(v.Membership.Org.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// When writes a time as a page shows it: in loc, to the minute, with the
// zone's abbreviation ("2026-06-02 14:30 CEST"); "" for no time.
func When(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
