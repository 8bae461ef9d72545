package fiberhttp_test

import (
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestErrorPagesAreInTheReadersLanguage: the page of a refusal the HTTP
// layer makes itself (403 for a form without its token, 404, 405, 413,
// 431) says its title and its message in the reader's language; it said
// its message in English to everyone.
func TestErrorPagesAreInTheReadersLanguage(t *testing.T) {
	e := platformtest.New(t)
	form := url.Values{"email": {"lea@ml.test"}, "password": {"x"}}.Encode()
	cases := []struct {
		name, method, path, body string
		header                   [2]string
		status                   int
		fr, en                   []string
	}{
		{"a form without its token", "POST", "/login", form, [2]string{"Content-Type", "application/x-www-form-urlencoded"},
			403, []string{"Non autorisé", "ce formulaire a expiré ou ne vient pas de Plateau"},
			[]string{"Not allowed", "this form has expired or did not come from Plateau"}},
		{"an address that is none", "GET", "/nowhere", "", [2]string{},
			404, []string{"Introuvable", "il n&#39;y a rien à cette adresse"}, []string{"Not found", "there is nothing at this address"}},
		{"a method the address does not take", "GET", "/logout", "", [2]string{},
			405, []string{"Méthode non acceptée", "cette adresse n&#39;accepte pas GET"},
			[]string{"Method not allowed", "this address does not take GET"}},
		{"a body over the limit", "POST", "/login", strings.Repeat("x", 5<<20), [2]string{"Content-Type", "application/x-www-form-urlencoded"},
			413, []string{"Trop volumineux", "le corps de la requête fait 5 MiB, au-delà de la limite de 4 MiB"},
			[]string{"Too large", "the request body is 5 MiB, over the limit of 4 MiB"}},
		{"headers over the limit", "GET", "/login", "", [2]string{"Cookie", "plateau_prefs=" + strings.Repeat("x", 10<<10)},
			431, []string{"En-têtes de la requête trop volumineux", "les en-têtes de la requête dépassent ce que le serveur accepte"},
			[]string{"Request headers too large", "the request headers are larger than the server accepts"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for language, want := range map[string][]string{"fr-FR,fr;q=0.9,en;q=0.5": c.fr, "en-GB,en;q=0.9": c.en} {
				req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
				req.Header.Set("Accept", "text/html")
				req.Header.Set("Accept-Language", language)
				if c.header[0] != "" {
					req.Header.Set(c.header[0], c.header[1])
				}
				resp := e.Do(req)
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				page := string(raw)
				if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("%s: %d %s, want a %d page", language, resp.StatusCode, resp.Header.Get("Content-Type"), c.status)
				}
				for _, w := range want {
					if !strings.Contains(page, w) {
						t.Errorf("%s: the page lacks %q\n%s", language, w, page)
					}
				}
			}
		})
	}
}
