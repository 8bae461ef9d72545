package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// saidProblem is a problem as this test reads it: with its codes.
type saidProblem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Errors []struct {
		Path    string `json:"path"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// TestProblemsAreSaidInTheRequestsLanguage: a client asking for French
// (Accept-Language) reads a problem's title, detail and every field's
// message in French, and one asking for English, or naming no language,
// in English; the codes are the same whatever the language, and every
// problem and every field at fault has one.
func TestProblemsAreSaidInTheRequestsLanguage(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	ask := func(language, method, path string, body any, headers ...string) (int, saidProblem, http.Header) {
		t.Helper()
		if language != "" {
			headers = append(headers, "Accept-Language", language)
		}
		resp := e.API(method, path, ml.Key, body, headers...)
		raw := platformtest.ReadJSON(t, resp, nil)
		var p saidProblem
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("%s %s: not a problem: %s", method, path, raw)
		}
		if p.Code == "" {
			t.Errorf("%s %s (%s): the problem has no code\n%s", method, path, language, raw)
		}
		for _, f := range p.Errors {
			if f.Code == "" {
				t.Errorf("%s %s (%s): the problem at %s has no code\n%s", method, path, language, f.Path, raw)
			}
		}
		return resp.StatusCode, p, resp.Header
	}
	cases := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		code               string
		fr, en             []string // what the title and detail say
	}{
		{"a user that is not valid", "POST", "/api/v1/users", map[string]string{"email": "lea@ml.test", "role": "manager", "locale": "de"}, nil,
			422, "store.user.invalid", []string{"Saisie invalide", "l'utilisateur n'est pas valide"}, []string{"Invalid input", "the user is not valid"}},
		{"an id that is none", "GET", "/api/v1/users/not-an-id", nil, nil,
			404, "http.path.not_an_id", []string{"Introuvable", "élément introuvable"}, []string{"Not found", "there is no such item"}},
		{"an address that is none", "GET", "/api/v1/nowhere", nil, nil,
			404, "http.not_found", []string{"Introuvable", "il n'y a rien à cette adresse"}, []string{"Not found", "there is nothing at this address"}},
		{"a method the address does not take", "DELETE", "/api/v1/me", nil, nil,
			405, "http.method_not_allowed", []string{"Méthode non acceptée", "cette adresse n'accepte pas DELETE"},
			[]string{"Method not allowed", "this address does not take DELETE"}},
		{"a body that is not JSON", "POST", "/api/v1/users", `email=x`, []string{"Content-Type", "text/plain"},
			415, "http.body.not_json", []string{"Type de contenu non pris en charge", "doit être du JSON"},
			[]string{"Unsupported media type", "must be JSON"}},
		{"a field the endpoint does not know", "POST", "/api/v1/users", `{"email": "x@ml.test", "nickname": "x"}`, nil,
			422, "http.body.unknown_field", []string{"Saisie invalide", "contient un champ inconnu"}, []string{"Invalid input", "a field this endpoint does not know"}},
		{"a field of the wrong type", "POST", "/api/v1/users", `{"email": 3}`, nil,
			422, "http.body.wrong_type", []string{"doit être une chaîne, pas un nombre"}, []string{"must be a string, not a number"}},
		{"a page size out of bounds", "GET", "/api/v1/users?limit=0", nil, nil,
			422, "http.query.invalid", []string{"les paramètres de la requête ne sont pas valides", "doit être un nombre entier"},
			[]string{"the query parameters are not valid", "must be a whole number"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, fr, h := ask("fr-FR,fr;q=0.9", c.method, c.path, c.body, c.headers...)
			_, en, _ := ask("en", c.method, c.path, c.body, c.headers...)
			_, none, _ := ask("", c.method, c.path, c.body, c.headers...)
			if status != c.status || fr.Code != c.code || en.Code != c.code || none.Code != c.code {
				t.Errorf("%d %s (fr), %s (en), %s (no language); want %d %s", status, fr.Code, en.Code, none.Code, c.status, c.code)
			}
			if h.Get("Content-Language") != "fr" {
				t.Errorf("Content-Language %q, want fr", h.Get("Content-Language"))
			}
			said := func(p saidProblem) string {
				s := p.Title + " | " + p.Detail
				for _, f := range p.Errors {
					s += " | " + f.Path + ": " + f.Message
				}
				return s
			}
			for _, want := range c.fr {
				if !strings.Contains(said(fr), want) {
					t.Errorf("in French: %q lacks %q", said(fr), want)
				}
			}
			for _, want := range c.en {
				if !strings.Contains(said(en), want) || !strings.Contains(said(none), want) {
					t.Errorf("in English: %q (asked) and %q (no language) should say %q", said(en), said(none), want)
				}
			}
			// Each field is said in both languages, under one code.
			if len(fr.Errors) != len(en.Errors) {
				t.Fatalf("%d fields in French, %d in English", len(fr.Errors), len(en.Errors))
			}
			for i := range fr.Errors {
				f, g := fr.Errors[i], en.Errors[i]
				if f.Code != g.Code || f.Path != g.Path || f.Message == g.Message {
					t.Errorf("field %s: %s %q in French, %s %q in English", f.Path, f.Code, f.Message, g.Code, g.Message)
				}
			}
		})
	}
}

// TestBatchProblemsAreSaidInTheRequestsLanguage: why an item of a batch of
// leads was kept out is said in the language the client asked for.
func TestBatchProblemsAreSaidInTheRequestsLanguage(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	items := map[string]any{"items": []map[string]string{{"phone": "06 12 34 56 01"}, {"phone": "+33612345601"}, {"phone": "12"}}}
	said := map[string]batchBody{}
	for _, language := range []string{"fr", "en"} {
		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, prospecting("Prospection "+language, "FR"), http.StatusCreated)
		said[language] = must[batchBody](t, e, http.MethodPost, "/api/v1/campaigns/"+x.ID+"/leads", ml.Key, items, http.StatusOK,
			"Accept-Language", language)
	}
	fr, en := said["fr"], said["en"]
	if len(fr.Results) != 3 || len(en.Results) != 3 || fr.Results[1].Problem == nil || fr.Results[2].Problem == nil ||
		en.Results[1].Problem == nil || en.Results[2].Problem == nil {
		t.Fatalf("French %+v\nEnglish %+v", fr, en)
	}
	if got := fr.Results[1].Problem.Message; got != "même numéro que l'élément 0 du lot (+33612345601)" {
		t.Errorf("a duplicate, in French: %q", got)
	}
	if got := en.Results[1].Problem.Message; got != "same number as items[0] (+33612345601)" {
		t.Errorf("a duplicate, in English: %q", got)
	}
	if f, g := fr.Results[2].Problem, en.Results[2].Problem; f.Code != g.Code || f.Message == g.Message {
		t.Errorf("a number that is none: %+v in French, %+v in English", f, g)
	}
}
