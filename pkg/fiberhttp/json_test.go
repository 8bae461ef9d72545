package fiberhttp_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
)

type body struct {
	Email string `json:"email"`
	Limit int    `json:"limit"`
	Tags  []string
}

func decode(t *testing.T, contentType, payload string) *apperr.Error {
	t.Helper()
	var got *apperr.Error
	app := fiber.New()
	app.Post("/", func(c *fiber.Ctx) error {
		var b body
		got = apperr.As(fiberhttp.DecodeJSON(c, &b))
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
		{"not JSON content type", "text/plain", `{}`, "", "Content-Type: application/json"},
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
