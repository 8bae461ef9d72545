package portal_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// TestBrowserThePortalReadsFrench walks, in Chromium, every page of the
// portal the demo's client owner reaches from its landing page by the
// navigation and the links of its lists (a campaign, its offers, its
// leads, a lead, its imports, an import, the script's editor, preview and
// versions, the contracts, the consents, the opt-outs, compliance), then
// a blocked lead, refused forms (the campaign wizard, the script editor,
// the compliance question, a consent, an opt-out), a compliance decision,
// and the 404 and 403 pages: none may show a sentence of the English
// catalogs, English words or a technical identifier.
func TestBrowserThePortalReadsFrench(t *testing.T) {
	e, root, base := platformtest.BrowseDemoEnv(t)
	// A lead file with the demo's opt-out: its lead is blocked, with the
	// rule and its legal source.
	carts := clientCampaigns(t, e)["Relance paniers abandonnés"]
	client := platformtest.As(orgNamed(t, e, "Maison Lumière"))
	im := platformtest.Must(e.P.Services.Leads.Upload(client, carts, "oppositions.csv",
		strings.NewReader("Nom;Prénom;Téléphone\nPetit;Jeanne;06 11 22 33 44\n")))(t)
	platformtest.Must(e.P.Services.Leads.Start(client, im.ID, leadfile.Mapping{}))(t)
	if err := e.P.Services.Leads.RunImport(client, uuid.Nil, im.ID); err != nil {
		t.Fatal(err)
	}
	ctx := platformtest.SignIn(t, root, base, "sophie.martin@maison-lumiere.test")
	w := platformtest.NewWalk(t, ctx, base, "/portal")
	w.Follow("/portal")
	w.Covers("/portal", "/portal/campaigns", "/portal/campaigns/:id", "/portal/campaigns/:id/offers",
		"/portal/campaigns/:id/leads", "/portal/campaigns/:id/leads/:id", "/portal/campaigns/:id/imports",
		"/portal/campaigns/:id/imports/:id", "/portal/campaigns/:id/script", "/portal/campaigns/:id/script/preview",
		"/portal/campaigns/:id/script/versions", "/portal/contracts", "/portal/leads", "/portal/consents",
		"/portal/suppressions", "/portal/compliance", "/portal/campaigns/new")

	first := func(selector string) string {
		t.Helper()
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+selector+`').getAttribute('href')`))
		if err != nil {
			t.Fatalf("no %s: %v", selector, err)
		}
		return href
	}

	// A blocked lead shows the rule that blocked it.
	w.Expect("/portal/leads", 200)
	campaigns, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('[data-testid="lead-campaign"] a')).map(a => a.getAttribute('href'))`))
	if err != nil {
		t.Fatal(err)
	}
	leads := ""
	for _, l := range campaigns {
		w.Expect(l+"?status=blocked", 200)
		if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="lead-row"] a').length`)); err == nil && n > 0 {
			leads = l
			w.Expect(first(`[data-testid="lead-row"] a`), 200)
			break
		}
	}
	if leads == "" {
		t.Fatalf("no campaign of the demo has a blocked lead")
	}

	// The wizard, refused: every problem beside its field.
	w.Expect("/portal/campaigns/new", 200)
	w.Fill(map[string]string{"name": "", "starts_on": "2026-12-01", "ends_on": "2026-11-01", "volume": "-3",
		"budget_cap": "deux mille", "retention_days": "5", "country": "ZZ"})
	w.Submit("the refused wizard", `[data-testid="save-campaign"]`, 422)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.field-error').length`)); err != nil || n < 5 {
		t.Errorf("the refused wizard shows %d problems beside their fields (%v)", n, err)
	}

	// The script editor, refused: a step without its text.
	campaign := strings.TrimSuffix(leads, "/leads")
	w.Expect(campaign+"/script", 200)
	w.Fill(map[string]string{"n0.text": ""})
	w.Submit("the refused script", `button[name="op"][value="save"]`, 422)

	// Compliance: a decision, then a question refused.
	w.Expect("/portal/compliance", 200)
	w.Fill(map[string]string{"number": "06 11 22 33 44"})
	w.Submit("a compliance decision", `form[action="/portal/compliance"] button[type="submit"]`, 200)
	w.Fill(map[string]string{"number": "12", "country": "ZZ", "at": "demain"})
	w.Submit("a refused compliance question", `form[action="/portal/compliance"] button[type="submit"]`, 422)

	// A consent and an opt-out, refused.
	w.Expect("/portal/consents", 200)
	w.Fill(map[string]string{"phone": "06 12", "source": "salon", "captured_at": "2026-06-02T14:30"})
	w.Submit("a refused consent", `form[action="/portal/consents"] button[type="submit"]`, 422)
	w.Expect("/portal/suppressions", 200)
	w.Fill(map[string]string{"phone": "0612"})
	w.Submit("a refused opt-out", `form[action="/portal/suppressions"] button[type="submit"]`, 422)

	// The pages of refusals.
	w.Expect("/portal/campaigns/"+uuid.NewString(), 404)
	w.Expect("/portal/no-such-page", 404)
	analyst := platformtest.NewWalk(t, platformtest.SignIn(t, root, base, "claire.dubois@maison-lumiere.test"), base, "/portal")
	analyst.Expect("/portal/campaigns/new", 403)
	analyst.Follow("/portal")
	t.Logf("walked %d pages as the owner, %d as the analyst: %v", len(w.Visited), len(analyst.Visited), w.Visited)
}
