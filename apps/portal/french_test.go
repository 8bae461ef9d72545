package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestOneFrenchWordPerStatusInEveryFrontDoor: the demo's open request
// reads "Publiée", dialed "Aperçu" or not, in the client's portal, the
// center's requests and the console alike; a contract awaiting its
// center reads the same to both; the leads are "Contacts" in the
// navigation.
func TestOneFrenchWordPerStatusInEveryFrontDoor(t *testing.T) {
	e := platformtest.New(t)
	meetings := demoCampaigns(t, e)["Rendez-vous architectes et décorateurs"].String()
	for _, c := range []struct{ email, path string }{
		{"sophie.martin@maison-lumiere.test", "/portal/campaigns/" + meetings},
		{"youssef.alami@atlas-contact.test", "/center/requests/" + meetings},
		{"admin@plateau.test", "/console/campaigns/" + meetings},
	} {
		resp, page := signIn(e, c.email, demo.Password).Get(c.path)
		wantStatus(t, c.path, resp, page, http.StatusOK)
		if words := visibleText(page); !strings.Contains(words, "Publiée") || strings.Contains(words, "Ouverte aux offres") ||
			strings.Contains(words, "Demande publiée") {
			t.Errorf("%s does not say the request is «Publiée»:\n%s", c.path, words)
		}
	}
	resp, page := signIn(e, "sophie.martin@maison-lumiere.test", demo.Password).Get("/portal/campaigns/new")
	wantStatus(t, "the wizard", resp, page, http.StatusOK)
	if !strings.Contains(page, `<option value="preview" selected>Aperçu</option>`) || strings.Contains(visibleText(page), "Preview") {
		t.Errorf("the wizard does not call the preview mode «Aperçu»")
	}
	if !strings.Contains(page, `href="/portal/leads" >Contacts</a>`) {
		t.Errorf("the navigation does not call the leads «Contacts»")
	}
}

// TestPortalPagesShowNoTechnicalIdentifiers: a decision names its reason,
// rule and legal source in French, without the reason's code; the script
// editor names its steps by their titles, not their ids; the versions
// show no hash; the consent upload names its columns in French.
func TestPortalPagesShowNoTechnicalIdentifiers(t *testing.T) {
	e := platformtest.New(t)
	carts := demoCampaigns(t, e)["Relance paniers abandonnés"].String()
	b := signIn(e, "sophie.martin@maison-lumiere.test", demo.Password)

	_, page := post(t, b, "/portal/compliance", "/portal/compliance", url.Values{"number": {"06 11 22 33 44"}, "country": {"FR"},
		"audience": {"b2c"}, "kind": {"prospecting"}})
	words := visibleText(page)
	for _, want := range []string{"Sur votre liste d'opposition", "RGPD", "06 11 22 33 44"} {
		if !strings.Contains(words, want) {
			t.Errorf("the decision lacks %q:\n%s", want, words)
		}
	}
	for _, code := range []string{"suppressed_client", "GDPR", "opt-out list", "+33611223344"} {
		if strings.Contains(words, code) {
			t.Errorf("the decision shows %q:\n%s", code, words)
		}
	}

	_, page = b.Get("/portal/campaigns/" + carts + "/script")
	words = visibleText(page)
	if !strings.Contains(words, "Issue : Vente") && !strings.Contains(words, "Issue\u00a0: Vente") {
		t.Errorf("the editor does not name an outcome by what it records:\n%s", words)
	}
	for _, id := range []string{"identite", "fin_vente", "obj_trop_cher", "aide_paiement"} {
		if strings.Contains(words, id) {
			t.Errorf("the editor shows the step id %q", id)
		}
	}
	if _, page = b.Get("/portal/campaigns/" + carts + "/script/versions"); strings.Contains(visibleText(page), "Empreinte") {
		t.Errorf("the versions show their hash")
	}
	_, page = b.Get("/portal/consents")
	if words = visibleText(page); strings.Contains(words, "captured_at") || !strings.Contains(words, "Téléphone;Source;Recueilli le") {
		t.Errorf("the consent upload does not name its columns in French:\n%s", words)
	}
}
