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

// textFault says what keeps s from being text: valid is false when it is
// not valid UTF-8; control is the first control character it may not hold,
// or -1. A name, or a value of one line, takes no tab and no line break
// either.
func textFault(s string, lines bool) (valid bool, control rune) {
	if !utf8.ValidString(s) {
		return false, -1
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(lines && (r == '\t' || r == '\n' || r == '\r')) {
			return true, r
		}
	}
	return true, -1
}

func isText(s string, lines bool) bool {
	valid, control := textFault(s, lines)
	return valid && control < 0
}

// valueProblem is what keeps the value at path from being text, or nil.
func valueProblem(path, s string, lines bool) *apperr.FieldError {
	var f apperr.Fields
	switch valid, r := textFault(s, lines); {
	case !valid:
		f.Add(path, "http.text.not_utf8", "is not valid UTF-8 text")
	case r >= 0 && lines:
		f.Add(path, "http.text.control", "holds the control character %U; text may hold tabs and line breaks, and no other control character", r)
	case r >= 0:
		f.Add(path, "http.text.control_one_line", "holds the control character %U; it takes none", r)
	default:
		return nil
	}
	return &f[0]
}

// nameProblem is what keeps a name from being text, or nil: a field's
// name, or the name of a file uploaded in the field (ofFile).
func nameProblem(path, name string, ofFile bool) *apperr.FieldError {
	var f apperr.Fields
	switch valid, r := textFault(name, false); {
	case valid && r < 0:
		return nil
	case !valid && ofFile:
		f.Add(path, "http.file_name.not_utf8", "is a file whose name is not valid UTF-8 text")
	case !valid:
		f.Add(path, "http.name.not_utf8", "is a name that is not valid UTF-8 text")
	case ofFile:
		f.Add(path, "http.file_name.control", "is a file whose name holds the control character %U; it takes none", r)
	default:
		f.Add(path, "http.name.control", "is a name that holds the control character %U; it takes none", r)
	}
	return &f[0]
}

// visible writes a name's control characters and invalid bytes as escapes
// (\u0000, \xff), so that a path shows the name it is about.
func visible(name string) string {
	if isText(name, false) {
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
		if problem := nameProblem(visible(name), name, false); problem != nil {
			f = append(f, *problem)
		} else if problem := valueProblem(name, value, lines); problem != nil {
			f = append(f, *problem)
		}
	}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) { check(string(k), string(v), false) })
	if err := f.Err("http.query.invalid", "the query parameters are not valid"); err != nil {
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
				if problem := nameProblem(name, fh.Filename, true); problem != nil {
					f = append(f, *problem)
				}
			}
		}
	}
	if err := f.Err("http.form.invalid", "the form is not valid"); err != nil {
		return err
	}
	return c.Next()
}
