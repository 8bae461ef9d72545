package fiberhttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// DecodeJSON reads a JSON body into v strictly: the body is what JSONBody
// accepts; member names match exactly (case included); unknown members,
// duplicate names and trailing data are refused; and every error names the
// field it is about, as a path such as items[2].phone.
func DecodeJSON(c *fiber.Ctx, v any) error {
	body, err := JSONBody(c)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v, json.RejectUnknownMembers(true)); err != nil {
		return jsonError(err)
	}
	return nil
}

// JSONBody returns the body of a request that sends one JSON object, for
// DecodeJSON and for the readers that decode it their own way: its media
// type must be application/json (415 otherwise, saying what to send), it
// must be an object (not null, which would change nothing and still count
// as a change), and every string and member name in it, at any depth, must
// be text: valid UTF-8 without control characters, but for the tabs and line
// breaks of a text of several lines. The database refuses a NUL, and no
// field means one: each is answered 422 at its path.
func JSONBody(c *fiber.Ctx) ([]byte, error) {
	if err := checkJSONType(c.Get(fiber.HeaderContentType)); err != nil {
		return nil, err
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, apperr.New(apperr.Invalid, "the body is empty; send a JSON object")
	}
	if err := checkText(body); err != nil {
		return nil, err
	}
	return body, nil
}

// checkJSONType accepts application/json, with at most a charset of utf-8;
// application/problem+json and the like are answers, not requests.
func checkJSONType(contentType string) error {
	media, params, err := mime.ParseMediaType(contentType)
	if err == nil && media == fiber.MIMEApplicationJSON {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	return fiber.NewError(fiber.StatusUnsupportedMediaType,
		fmt.Sprintf("the body must be JSON, sent with Content-Type: application/json (got %q)", contentType))
}

// checkText walks the tokens of a JSON body for the strings and names that
// are not text, and refuses a top-level value other than an object. Other
// syntax errors are left to the decoder that follows, which words them.
func checkText(body []byte) error {
	d := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowDuplicateNames(true))
	for first := true; ; first = false {
		tok, err := d.ReadToken()
		if err != nil {
			var syntax *jsontext.SyntacticError
			if errors.As(err, &syntax) && inString(syntax) {
				return textError(syntax.JSONPointer, "is not valid text: "+syntaxReason(syntax))
			}
			return nil
		}
		kind := tok.Kind()
		if first && kind != '{' {
			return apperr.New(apperr.Invalid, "the body must be a JSON object, not %s", kindName(kind))
		}
		if kind != '"' {
			continue
		}
		in, n := d.StackIndex(d.StackDepth())
		name := in == '{' && n%2 == 1 // an object's names and values alternate
		if problem := textProblem(tok.String(), !name); problem != "" {
			if name {
				problem = "is a name that " + problem
			}
			return textError(d.StackPointer(), problem)
		}
	}
}

// inString reports a syntax error inside a string: invalid UTF-8, a raw
// control character, a lone surrogate or a bad escape.
func inString(e *jsontext.SyntacticError) bool {
	reason := syntaxReason(e)
	return strings.Contains(reason, "UTF-8") || strings.Contains(reason, "in string")
}

func textError(p jsontext.Pointer, message string) error {
	return apperr.InvalidFields("the body holds a field that is not text", apperr.FieldError{Path: fieldPath(p), Message: message})
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
		token = visible(token)
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
