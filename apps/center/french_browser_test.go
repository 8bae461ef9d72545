package center_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestBrowserTheCenterReadsFrench walks, in Chromium, every page of the
// center admin the demo's Atlas owner, supervisor and quality staff reach
// from their landing page by the navigation and the links of its lists
// (the open requests, a request with its offer form, the offers, the
// contracts, a brief with its script, a campaign's leads, data
// protection), then the offer form refused and the 404 and 403 pages:
// none may show a sentence of the English catalogs, English words or a
// technical identifier.
func TestBrowserTheCenterReadsFrench(t *testing.T) {
	root, base := platformtest.BrowseDemo(t)
	owner := platformtest.SignIn(t, root, base, "youssef.alami@atlas-contact.test")
	w := platformtest.NewWalk(t, owner, base, "/center")
	w.Follow("/center")
	w.Covers("/center", "/center/requests", "/center/requests/:id", "/center/offers", "/center/contracts",
		"/center/campaigns/:id", "/center/campaigns/:id/leads", "/center/data-protection")

	// The offer form on the open request, refused: each problem beside
	// its input, in French.
	w.Expect("/center/requests", 200)
	request, err := chromedp.Run(owner, chromedp.Evaluate[string](`document.querySelector('[data-testid="request"] h2 a').getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	w.Expect(request, 200)
	if err := chromedp.Do(owner,
		chromedp.SendKeys(chromedp.CSS(`input[name="rate_card.per_minute"]`), "-0,45"),
		chromedp.SendKeys(chromedp.CSS(`input[name="rate_card.per_attempt"]`), "deux"),
		chromedp.SendKeys(chromedp.CSS(`input[name="seats"]`), "beaucoup"),
		chromedp.SetValue(chromedp.CSS(`input[name="starts_on"]`), "2020-01-01")); err != nil {
		t.Fatal(err)
	}
	w.Submit("the refused offer", `[data-testid="send-offer"]`, 422)
	w.Expect("/center/campaigns/"+uuid.NewString(), 404)

	for _, email := range []string{"salma.benali@atlas-contact.test", "leila.fassi@atlas-contact.test"} {
		other := platformtest.NewWalk(t, platformtest.SignIn(t, root, base, email), base, "/center")
		other.Follow("/center")
		w.Visited = append(w.Visited, other.Visited...)
	}
	qa := platformtest.NewWalk(t, platformtest.SignIn(t, root, base, "leila.fassi@atlas-contact.test"), base, "/center")
	qa.Expect("/center/offers", 403)
	t.Logf("walked %d pages: %v", len(w.Visited), w.Visited)
}
