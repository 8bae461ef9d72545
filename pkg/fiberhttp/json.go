package fiberhttp

import (
	"bytes"
	"errors"
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
		return nil, apperr.New(apperr.Invalid, "http.body.empty", "the body is empty; send a JSON object")
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
	// The fiber error makes it a 415.
	return apperr.Wrap(fiber.ErrUnsupportedMediaType, apperr.Invalid, "http.body.not_json",
		"the body must be JSON, sent with Content-Type: application/json (got %q)", contentType)
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
				return apperr.InvalidFields("http.body.not_text", "the body holds a field that is not text",
					apperr.Field(fieldPath(syntax.JSONPointer), "http.text.invalid", "is not valid text: %s", syntaxReason(syntax)))
			}
			return nil
		}
		kind := tok.Kind()
		if first && kind != '{' {
			return apperr.New(apperr.Invalid, "http.body.not_object", "the body must be a JSON object, not %s", kindName(kind))
		}
		if kind != '"' {
			continue
		}
		in, n := d.StackIndex(d.StackDepth())
		path := fieldPath(d.StackPointer())
		problem := valueProblem(path, tok.String(), true)
		if in == '{' && n%2 == 1 { // an object's names and values alternate
			problem = nameProblem(path, tok.String(), false)
		}
		if problem != nil {
			return textError(*problem)
		}
	}
}

// inString reports a syntax error inside a string: invalid UTF-8, a raw
// control character, a lone surrogate or a bad escape.
func inString(e *jsontext.SyntacticError) bool {
	reason := syntaxReason(e)
	return strings.Contains(reason, "UTF-8") || strings.Contains(reason, "in string")
}

func textError(problem apperr.FieldError) error {
	return apperr.InvalidFields("http.body.not_text", "the body holds a field that is not text", problem)
}

func jsonError(err error) error {
	var (
		syntax   *jsontext.SyntacticError
		semantic *json.SemanticError
	)
	switch {
	case errors.As(err, &syntax):
		if errors.Is(syntax.Err, io.ErrUnexpectedEOF) {
			return apperr.New(apperr.Invalid, "http.body.truncated", "the body is truncated JSON")
		}
		if strings.Contains(syntax.Error(), "duplicate object member name") {
			return apperr.InvalidFields("http.body.duplicate_field", "the body names a field twice",
				apperr.Field(fieldPath(syntax.JSONPointer), "http.field.duplicate", "appears more than once"))
		}
		if strings.Contains(syntax.Error(), "after top-level value") {
			return apperr.New(apperr.Invalid, "http.body.not_single", "the body must hold a single JSON object")
		}
		return apperr.New(apperr.Invalid, "http.body.not_json_syntax", "the body is not valid JSON: %s (at byte %d)", syntaxReason(syntax), syntax.ByteOffset)
	case errors.As(err, &semantic):
		path := fieldPath(semantic.JSONPointer)
		switch {
		case errors.Is(semantic.Err, json.ErrUnknownName):
			return apperr.InvalidFields("http.body.unknown_field", "the body has a field this endpoint does not know",
				apperr.Field(path, "http.field.unknown", "is not a known field"))
		case path == "":
			return apperr.New(apperr.Invalid, "http.body.not_object", "the body must be a JSON object, not %s", kindName(semantic.JSONKind))
		case semantic.GoType != nil:
			return apperr.InvalidFields("http.body.wrong_type", "the body has a field of the wrong type",
				apperr.Field(path, "http.field.wrong_type", "must be %s, not %s", goKindName(semantic.GoType), kindName(semantic.JSONKind)))
		}
		return apperr.InvalidFields("http.body.unreadable_field", "the body has a field that cannot be read", semanticProblem(path, semantic))
	}
	return apperr.Wrap(err, apperr.Invalid, "http.body.not_json_read", "the body could not be read as JSON")
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

// semanticProblem is what a value that does not fit its field says: the
// coded error of a type that reads itself, or the decoder's reason.
func semanticProblem(path string, e *json.SemanticError) apperr.FieldError {
	var f apperr.Fields
	switch {
	case e.Err == nil:
		f.Add(path, "http.field.does_not_fit", "has a value that does not fit")
	case apperr.As(e.Err) != nil:
		f.AddError(path, e.Err)
	default:
		f.Add(path, "http.field.unreadable", "cannot be read: %s", e.Err.Error())
	}
	return f[0]
}

// jsonWord is a kind of JSON value as a message names it: English, and a
// word the catalogs translate.
type jsonWord string

const (
	jsonString  jsonWord = "a string"
	jsonNumber  jsonWord = "a number"
	jsonBoolean jsonWord = "a boolean"
	jsonNull    jsonWord = "null"
	jsonArray   jsonWord = "an array"
	jsonObject  jsonWord = "an object"
	jsonTime    jsonWord = "an RFC 3339 time"
	jsonValue   jsonWord = "this value"
)

var jsonWordKeys = map[jsonWord]string{jsonString: "string", jsonNumber: "number", jsonBoolean: "boolean", jsonNull: "null",
	jsonArray: "array", jsonObject: "object", jsonTime: "time", jsonValue: "value"}

// TermKey names the word in the catalogs (json.kind.string…).
func (w jsonWord) TermKey() string { return "json.kind." + jsonWordKeys[w] }

func kindName(k jsontext.Kind) jsonWord {
	switch k {
	case '"':
		return jsonString
	case '0':
		return jsonNumber
	case 't', 'f':
		return jsonBoolean
	case 'n':
		return jsonNull
	case '[':
		return jsonArray
	case '{':
		return jsonObject
	}
	return jsonValue
}

func goKindName(t reflect.Type) jsonWord {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return jsonString
	case reflect.Bool:
		return jsonBoolean
	case reflect.Slice, reflect.Array:
		return jsonArray
	case reflect.Map, reflect.Struct:
		if t.String() == "time.Time" {
			return jsonTime
		}
		return jsonObject
	}
	return jsonNumber
}
