package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestFormsAndQueriesTakeOnlyText: a NUL (a 500 once it reached the
// database), another control character or invalid UTF-8 in a form value or
// a query parameter answers a 422 page naming the field, and adds nothing;
// a textarea's line breaks stay text.
func TestFormsAndQueriesTakeOnlyText(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		b := signIn(e, ml.Owner.Email, ml.Password)
		named := func(what string, resp *http.Response, page, field string) {
			t.Helper()
			wantStatus(t, what, resp, page, http.StatusUnprocessableEntity)
			if !strings.Contains(page, `data-field="`+field+`"`) {
				t.Errorf("%s: the page does not name %s\n%s", what, field, page)
			}
		}
		for name, bad := range map[string]string{"NUL": "\x00", "escape": "\x1b", "invalid UTF-8": "\xff"} {
			form := wizard()
			form.Set("name", "Relance"+bad)
			resp, page := post(t, b, "/portal/campaigns/new", "/portal/campaigns", form)
			named(name+" in a campaign's name", resp, page, "name")

			resp, page = post(t, b, "/portal/consents", "/portal/consents", url.Values{"phone": {"06 12 34 56 78"},
				"source": {"formulaire" + bad + " web"}, "kinds": {"prospecting"}})
			named(name+" in a consent's source", resp, page, "source")

			resp, page = b.PostFile("/portal/suppressions/upload", url.Values{"note": {"liste" + bad}}, "file", "stop.txt", []byte("06 11 22 33 44\n"))
			named(name+" in a multipart form", resp, page, "note")

			resp, page = b.Get("/portal/campaigns?q=Relance" + url.QueryEscape(bad))
			named(name+" in ?q=", resp, page, "q")
		}
		if _, page := b.Get("/portal/campaigns"); strings.Contains(page, "Relance") {
			t.Errorf("a refused form made a campaign\n%s", page)
		}
		if _, page := b.Get("/portal/consents"); strings.Contains(page, "+33612345678") {
			t.Errorf("a refused form recorded a consent")
		}
		if _, page := b.Get("/portal/suppressions"); !strings.Contains(page, `data-testid="no-suppressions"`) {
			t.Errorf("a refused upload added numbers")
		}
		form := wizard()
		form.Set("name", "Relance\tpaniers")
		resp, page := post(t, b, "/portal/campaigns/new", "/portal/campaigns", form)
		if resp.StatusCode == http.StatusUnprocessableEntity && strings.Contains(page, "control character") {
			t.Errorf("a tab was refused as a control character\n%s", page)
		}
	})
}
