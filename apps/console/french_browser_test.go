package console_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestBrowserTheConsoleReadsFrench walks, in Chromium, every page of the
// console the demo's platform admin reaches from its landing page by the
// navigation and the links of its lists (the queues, every campaign, a
// campaign with its offers and contracts, every contract, the centers'
// data protection, the national lists), then the national list form
// refused and the 404 page: none may show a sentence of the English
// catalogs, English words or a technical identifier.
func TestBrowserTheConsoleReadsFrench(t *testing.T) {
	root, base := platformtest.BrowseDemo(t)
	ctx := platformtest.SignIn(t, root, base, "admin@plateau.test")
	w := platformtest.NewWalk(t, ctx, base, "/console")
	w.Follow("/console")
	w.Covers("/console", "/console/queues", "/console/campaigns", "/console/campaigns/:id", "/console/contracts",
		"/console/data-protection", "/console/national-lists")

	w.Expect("/console/national-lists", 200)
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`input[name="fresh_at"]`), "2999-01-01")); err != nil {
		t.Fatal(err)
	}
	w.Submit("the refused national list", `form[action="/console/national-lists"] button[type="submit"]`, 422)
	w.Expect("/console/campaigns/not-a-campaign", 404)
	w.Expect("/console/campaigns?status=nonsense", 422)
	t.Logf("walked %d pages: %v", len(w.Visited), w.Visited)
}
