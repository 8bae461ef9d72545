package fiberhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// DecodeJSON reads a JSON body into v strictly: the content type must be
// JSON, unknown fields and trailing data are refused, and every error names
// the field it is about.
func DecodeJSON(c *fiber.Ctx, v any) error {
	if ct := c.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return apperr.New(apperr.Invalid, "the body must be JSON, sent with Content-Type: application/json (got %q)", ct)
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.New(apperr.Invalid, "the body must hold a single JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "the body is empty; send a JSON object")
	case errors.As(err, &syntax):
		return apperr.New(apperr.Invalid, "the body is not valid JSON: %v (at byte %d)", syntax, syntax.Offset)
	case errors.As(err, &typ):
		path := typ.Field
		if path == "" {
			return apperr.New(apperr.Invalid, "the body must be a JSON object, not a %s", typ.Value)
		}
		return apperr.InvalidFields("the body has a field of the wrong type",
			apperr.FieldError{Path: path, Message: fmt.Sprintf("must be a %s, not a %s", jsonType(typ.Type.Kind().String()), typ.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.InvalidFields("the body has a field this endpoint does not know",
			apperr.FieldError{Path: field, Message: "is not a known field"})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "the body is truncated JSON")
	}
	return apperr.Wrap(err, apperr.Invalid, "the body could not be read as JSON")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	}
	return "number"
}
