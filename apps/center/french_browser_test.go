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
// protection, the SIP trunks), then the offer form refused, the trunk
// form refused, a trunk added and its removal asked, and the 404 and 403
// pages:
// none may show a sentence of the English catalogs, English words or a
// technical identifier.
func TestBrowserTheCenterReadsFrench(t *testing.T) {
	root, base := platformtest.BrowseDemo(t)
	owner := platformtest.SignIn(t, root, base, "youssef.alami@atlas-contact.test")
	w := platformtest.NewWalk(t, owner, base, "/center")
	w.Follow("/center")
	w.Covers("/center", "/center/requests", "/center/requests/:id", "/center/offers", "/center/contracts",
		"/center/campaigns/:id", "/center/campaigns/:id/leads", "/center/data-protection", "/center/trunks")

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

	// The trunk form refused, each problem beside its input; then a
	// trunk added, and its removal asked.
	w.Expect("/center/trunks", 200)
	w.Fill(map[string]string{"name": "", "host": "", "port": "cinq", "password": "secret", "max_concurrent": "0",
		"calls_per_second": "vite"})
	w.Submit("the refused trunk", `[data-testid="add-trunk"]`, 422)
	w.Fill(map[string]string{"name": "Maroc Telecom", "host": "sip.maroc-telecom.ma", "port": "", "username": "atlas",
		"password": "secret", "caller_ids": "+212539000001", "max_concurrent": "4", "calls_per_second": "1,5"})
	w.Submit("the added trunk", `[data-testid="add-trunk"]`, 200)
	w.Submit("the removal asked", `[data-testid="remove-trunk"]`, 200)
	w.Expect("/center/trunks/"+uuid.NewString()+"/remove", 405)

	for _, email := range []string{"salma.benali@atlas-contact.test", "leila.fassi@atlas-contact.test"} {
		other := platformtest.NewWalk(t, platformtest.SignIn(t, root, base, email), base, "/center")
		other.Follow("/center")
		w.Visited = append(w.Visited, other.Visited...)
	}
	qa := platformtest.NewWalk(t, platformtest.SignIn(t, root, base, "leila.fassi@atlas-contact.test"), base, "/center")
	qa.Expect("/center/offers", 403)
	qa.Expect("/center/trunks", 403)
	t.Logf("walked %d pages: %v", len(w.Visited), w.Visited)
}
