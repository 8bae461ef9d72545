package fiberhttp

import (
	"fmt"
	"maps"
	"mime"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Text is what people and systems type: valid UTF-8 without control
// characters, but for the tabs and line breaks of a text of several lines.
// PostgreSQL refuses a NUL (a 500 once it reached the database) and no
// field means any other control character, so they are refused where input
// enters, at the name of the field: in JSON bodies by JSONBody, in query
// parameters and form values by checkInput.

// textProblem says what keeps s from being text, or "" when it is. A
// name, or a value of one line, takes no tab and no line break either.
func textProblem(s string, lines bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text"
	}
	for _, r := range s {
		if !unicode.IsControl(r) || lines && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if lines {
			return fmt.Sprintf("holds the control character %U; text may hold tabs and line breaks, and no other control character", r)
		}
		return fmt.Sprintf("holds the control character %U; it takes none", r)
	}
	return ""
}

// visible writes a name's control characters and invalid bytes as escapes
// (\u0000, \xff), so that a path shows the name it is about.
func visible(name string) string {
	if textProblem(name, false) == "" {
		return name
	}
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(name[i:], string(utf8.RuneError)):
			fmt.Fprintf(&b, "\\x%02x", name[i])
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkInput refuses query parameters and form values that are not text,
// 422 naming each, before a handler reads them. A form's values may hold
// line breaks (a textarea's); parameters and names may not. A form is read
// on pages only: the API's bodies are JSON, and an API upload's body is its
// handler's to stream.
func (s *Server) checkInput(c *fiber.Ctx) error {
	var f apperr.Fields
	check := func(name, value string, lines bool) {
		if problem := textProblem(name, false); problem != "" {
			f.Add(visible(name), "is a name that %s", problem)
		} else if problem := textProblem(value, lines); problem != "" {
			f.Add(name, "%s", problem)
		}
	}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) { check(string(k), string(v), false) })
	if err := f.Err("the query parameters are not valid"); err != nil {
		return err
	}
	if IsAPI(c) {
		return c.Next()
	}
	switch media, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); media {
	case fiber.MIMEApplicationForm:
		c.Request().PostArgs().VisitAll(func(k, v []byte) { check(string(k), string(v), true) })
	case fiber.MIMEMultipartForm:
		form, err := c.MultipartForm()
		if err != nil {
			break // the handler says what is wrong with the form
		}
		for _, name := range slices.Sorted(maps.Keys(form.Value)) {
			for _, v := range form.Value[name] {
				check(name, v, true)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(form.File)) {
			for _, fh := range form.File[name] {
				if problem := textProblem(fh.Filename, false); problem != "" {
					f.Add(name, "is a file whose name %s", problem)
				}
			}
		}
	}
	if err := f.Err("the form is not valid"); err != nil {
		return err
	}
	return c.Next()
}
