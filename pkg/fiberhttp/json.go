package fiberhttp

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// DecodeJSON reads a JSON body into v strictly: the content type must be
// JSON; member names match exactly (case included); unknown members,
// duplicate names, invalid UTF-8 and trailing data are refused; and every
// error names the field it is about, as a path such as items[2].phone.
func DecodeJSON(c *fiber.Ctx, v any) error {
	if ct := c.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return apperr.New(apperr.Invalid, "the body must be JSON, sent with Content-Type: application/json (got %q)", ct)
	}
	if len(strings.TrimSpace(string(c.Body()))) == 0 {
		return apperr.New(apperr.Invalid, "the body is empty; send a JSON object")
	}
	if err := json.Unmarshal(c.Body(), v, json.RejectUnknownMembers(true)); err != nil {
		return jsonError(err)
	}
	return nil
}

func jsonError(err error) error {
	var (
		syntax   *jsontext.SyntacticError
		semantic *json.SemanticError
	)
	switch {
	case errors.As(err, &syntax):
		if errors.Is(syntax.Err, io.ErrUnexpectedEOF) {
			return apperr.New(apperr.Invalid, "the body is truncated JSON")
		}
		if strings.Contains(syntax.Error(), "duplicate object member name") {
			return apperr.InvalidFields("the body names a field twice",
				apperr.FieldError{Path: fieldPath(syntax.JSONPointer), Message: "appears more than once"})
		}
		if strings.Contains(syntax.Error(), "after top-level value") {
			return apperr.New(apperr.Invalid, "the body must hold a single JSON object")
		}
		return apperr.New(apperr.Invalid, "the body is not valid JSON: %s (at byte %d)", syntaxReason(syntax), syntax.ByteOffset)
	case errors.As(err, &semantic):
		path := fieldPath(semantic.JSONPointer)
		switch {
		case errors.Is(semantic.Err, json.ErrUnknownName):
			return apperr.InvalidFields("the body has a field this endpoint does not know",
				apperr.FieldError{Path: path, Message: "is not a known field"})
		case path == "":
			return apperr.New(apperr.Invalid, "the body must be a JSON object, not %s", kindName(semantic.JSONKind))
		case semantic.GoType != nil:
			return apperr.InvalidFields("the body has a field of the wrong type",
				apperr.FieldError{Path: path, Message: fmt.Sprintf("must be %s, not %s", goKindName(semantic.GoType), kindName(semantic.JSONKind))})
		}
		return apperr.InvalidFields("the body has a field that cannot be read", apperr.FieldError{Path: path, Message: semanticReason(semantic)})
	}
	return apperr.Wrap(err, apperr.Invalid, "the body could not be read as JSON")
}

// fieldPath turns a JSON pointer (/items/2/phone) into the platform's
// field path (items[2].phone).
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for token := range p.Tokens() {
		if _, err := strconv.Atoi(token); err == nil && b.Len() > 0 {
			b.WriteString("[" + token + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(token)
	}
	return b.String()
}

func syntaxReason(e *jsontext.SyntacticError) string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return strings.TrimPrefix(e.Error(), "jsontext: ")
}

func semanticReason(e *json.SemanticError) string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return "has a value that does not fit"
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '[':
		return "an array"
	case '{':
		return "an object"
	}
	return "this value"
}

func goKindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		if t.String() == "time.Time" {
			return "an RFC 3339 time"
		}
		return "an object"
	}
	return "a number"
}
