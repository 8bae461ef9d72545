package fiberhttp_test

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
)

type body struct {
	Email  string `json:"email"`
	Limit  int    `json:"limit"`
	Tags   []string
	Custom map[string]string `json:"custom"`
	Items  []struct {
		Note string `json:"note"`
	} `json:"items"`
}

func decode(t *testing.T, contentType, payload string) *apperr.Error {
	t.Helper()
	err := decodeErr(t, contentType, payload)
	if err != nil && apperr.As(err) == nil {
		t.Fatalf("%q: %v is not an apperr", payload, err)
	}
	return apperr.As(err)
}

func decodeErr(t *testing.T, contentType, payload string) error {
	t.Helper()
	var got error
	app := fiber.New()
	app.Post("/", func(c *fiber.Ctx) error {
		var b body
		got = fiberhttp.DecodeJSON(c, &b)
		return nil
	})
	req := httptest.NewRequest("POST", "/", strings.NewReader(payload))
	req.Header.Set("Content-Type", contentType)
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return got
}

func TestDecodeJSONSaysWhatIsWrong(t *testing.T) {
	cases := []struct {
		name, contentType, payload, field, message string
	}{
		{"empty", "application/json", ``, "", "empty"},
		{"syntax", "application/json", `{"email": }`, "", "not valid JSON"},
		{"truncated", "application/json", `{"email": "a`, "", "truncated"},
		{"unknown field", "application/json", `{"emial": "a@b.c"}`, "emial", "not a known field"},
		{"wrong type", "application/json", `{"limit": "ten"}`, "limit", "must be a number, not a string"},
		{"array not object", "application/json", `[1]`, "", "must be a JSON object"},
		{"two objects", "application/json", `{} {}`, "", "single JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := decode(t, c.contentType, c.payload)
			if e == nil || e.Kind != apperr.Invalid {
				t.Fatalf("got %v, want an invalid-input error", e)
			}
			text := e.Message
			for _, f := range e.Fields {
				text += " " + f.Message
			}
			if !strings.Contains(text, c.message) {
				t.Errorf("message %q lacks %q", text, c.message)
			}
			if c.field != "" && (len(e.Fields) != 1 || e.Fields[0].Path != c.field) {
				t.Errorf("fields %+v, want one at %q", e.Fields, c.field)
			}
		})
	}
	if e := decode(t, "application/json; charset=utf-8", `{"email":"a@b.c","limit":3}`); e != nil {
		t.Fatalf("a good body was refused: %v", e)
	}
}

func TestDecodeJSONIsExact(t *testing.T) {
	for name, c := range map[string]struct{ payload, field, message string }{
		"names match case":   {`{"EMAIL": "a@b.c"}`, "EMAIL", "not a known field"},
		"no duplicate names": {`{"email": "a@b.c", "email": "x@y.z"}`, "email", "more than once"},
		"nested paths":       {`{"Tags": ["a", 3]}`, "Tags[1]", "must be a string, not a number"},
	} {
		t.Run(name, func(t *testing.T) {
			e := decode(t, "application/json", c.payload)
			if e == nil || len(e.Fields) != 1 || e.Fields[0].Path != c.field || !strings.Contains(e.Fields[0].Message, c.message) {
				t.Fatalf("got %+v, want %s: %s", e, c.field, c.message)
			}
		})
	}
}

// TestDecodeJSONTakesApplicationJSONOnly: the media type is parsed, not
// matched as a prefix (application/jsonx passed), and anything else is
// 415 saying what to send.
func TestDecodeJSONTakesApplicationJSONOnly(t *testing.T) {
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"} {
		if err := decodeErr(t, ct, `{"email":"a@b.c"}`); err != nil {
			t.Errorf("Content-Type %q refused: %v", ct, err)
		}
	}
	for _, ct := range []string{"application/jsonx", "application/json-seq", "application/problem+json", "text/json",
		"text/plain", "", "application/json; charset=iso-8859-1", "application/json;;"} {
		err := decodeErr(t, ct, `{"email":"a@b.c"}`)
		var fe *fiber.Error // the status; the message is the apperr's
		if !errors.As(err, &fe) || fe.Code != fiber.StatusUnsupportedMediaType || apperr.As(err) == nil ||
			!strings.Contains(apperr.As(err).Message, "Content-Type: application/json") {
			t.Errorf("Content-Type %q: got %v, want 415 saying to send application/json", ct, err)
		}
	}
}

// TestDecodeJSONWantsAnObject: null would decode into nothing and let a
// PATCH change nothing yet count as a change.
func TestDecodeJSONWantsAnObject(t *testing.T) {
	for payload, want := range map[string]string{"null": "not null", " null ": "not null", `"x"`: "not a string", "3": "not a number", "[]": "not an array"} {
		e := decode(t, "application/json", payload)
		if e == nil || e.Kind != apperr.Invalid || !strings.Contains(e.Message, "the body must be a JSON object, "+want) {
			t.Errorf("%s: got %v, want the body named as %s", payload, e, want)
		}
	}
}

// TestDecodeJSONTakesTextOnly: a NUL, any control character but tabs and
// line breaks, or invalid UTF-8, in a value or a name at any depth, is
// refused at its path.
func TestDecodeJSONTakesTextOnly(t *testing.T) {
	for name, c := range map[string]struct{ payload, field string }{
		"escaped NUL":              {`{"email":"a\u0000b@c.d"}`, "email"},
		"escaped control":          {`{"email":"a\u001bb"}`, "email"},
		"DEL":                      {`{"email":"a\u007fb"}`, "email"},
		"C1 control":               {`{"email":"a\u0085b"}`, "email"},
		"raw control":              {"{\"email\":\"a\x01b\"}", "email"},
		"invalid UTF-8":            {"{\"email\":\"a\xffb\"}", "email"},
		"lone surrogate":           {`{"email":"\ud800"}`, "email"},
		"in an array":              {`{"Tags":["ok","a\u0000"]}`, "Tags[1]"},
		"deep":                     {`{"items":[{"note":"ok"},{"note":"x\u0000"}]}`, "items[1].note"},
		"in a map's value":         {`{"custom":{"k":"v\u0000"}}`, "custom.k"},
		"in a name":                {`{"custom":{"ke\u0000y":"v"}}`, `custom.ke\u0000y`},
		"a line break in a name":   {`{"custom":{"ke\ny":"v"}}`, `custom.ke\u000Ay`},
		"invalid UTF-8 in a name":  {"{\"custom\":{\"k\xff\":\"v\"}}", "custom"},
		"in an unknown field too":  {`{"nickname":"a\u0000"}`, "nickname"},
		"in a value of wrong type": {`{"limit":"a\u0000"}`, "limit"},
	} {
		t.Run(name, func(t *testing.T) {
			e := decode(t, "application/json", c.payload)
			if e == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Path != c.field {
				t.Fatalf("got %+v, want 422 at %q", e, c.field)
			}
		})
	}
	if e := decode(t, "application/json", `{"email":"a@b.c","Tags":["line 1\nline 2\r\n\tindented"],"custom":{"clé":"été"}}`); e != nil {
		t.Errorf("text with tabs, line breaks and accents was refused: %v", e)
	}
}
