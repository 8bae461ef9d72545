package console_test

// The console's campaigns and contracts in a real headless Chromium, on the
// demo platform: the pages load under the Content-Security-Policy without
// console errors and fit a phone. Screenshots go to t.ArtifactDir() (run
// with `-artifacts -outputdir DIR` to keep them). It runs when
// PLATEAU_TEST_CHROMIUM names the Chromium binary.

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

func TestBrowserConsoleFollowsACampaignToItsContract(t *testing.T) {
	root, base := platformtest.BrowseDemo(t)
	ctx, cancel := context.WithTimeout(root, platformtest.BrowserTimeout)
	defer cancel()
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	textOf := func(selector string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
		if err != nil {
			t.Fatalf("read %s: %v", selector, err)
		}
		return s
	}
	click := func(selector string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
			t.Fatalf("click %s: %v", selector, err)
		}
	}
	fitsAPhone := func(name string) {
		t.Helper()
		run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
		type widths struct{ ScrollWidth, Width int }
		m, err := chromedp.Run(ctx, chromedp.Evaluate[widths](`({ScrollWidth: document.documentElement.scrollWidth, Width: document.documentElement.clientWidth})`))
		if err != nil {
			t.Fatal(err)
		}
		if m.ScrollWidth > m.Width {
			t.Errorf("on a phone %s is %dpx wide on a %dpx screen", name, m.ScrollWidth, m.Width)
		}
		platformtest.Screenshot(t, ctx, name+"-phone")
		run("laptop", chromedp.EmulateViewport(platformtest.LaptopWidth, platformtest.LaptopHeight))
	}

	run("open the login page", chromedp.Navigate(base+"/login?next=/console/campaigns"))
	console := platformtest.WatchConsole(ctx)
	run("sign in", chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "admin@plateau.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password))
	click(`form[action="/login"] button[type="submit"]`)
	if list := textOf(`[data-testid="campaigns"]`); !strings.Contains(list, "Maison Lumière") || !strings.Contains(list, "Rendez-vous architectes et décorateurs") {
		t.Fatalf("the demo's campaigns are not listed:\n%s", list)
	}
	platformtest.Screenshot(t, ctx, "console-campaigns-laptop")
	fitsAPhone("console-campaigns")

	// Only the running campaign (the demo starts its contracted one), then its page.
	run("filter", chromedp.SetValue(chromedp.CSS(`select[name="status"]`), "running"))
	click(`form.filter button[type="submit"]`)
	if list := textOf(`[data-testid="campaigns"]`); strings.Contains(list, "Rendez-vous") || !strings.Contains(list, "Relance paniers abandonnés") {
		t.Fatalf("filtered on running campaigns:\n%s", list)
	}
	click(`[data-testid="campaigns"] a`)
	if offers := textOf(`[data-testid="offers"]`); !strings.Contains(offers, "Atlas Contact") || !strings.Contains(offers, "Teranga Relation Client") {
		t.Errorf("the campaign's offers:\n%s", offers)
	}
	if contracts := textOf(`[data-testid="contracts"]`); !strings.Contains(contracts, "Atlas Contact") || !strings.Contains(contracts, "Actif") {
		t.Errorf("the campaign's contract:\n%s", contracts)
	}
	fitsAPhone("console-campaign")

	click(`nav a[href="/console/contracts"]`)
	if contracts := textOf(`[data-testid="contracts"]`); !strings.Contains(contracts, "Maison Lumière") || !strings.Contains(contracts, "Relance paniers abandonnés") {
		t.Errorf("the contracts page:\n%s", contracts)
	}
	platformtest.Screenshot(t, ctx, "console-contracts-laptop")
	fitsAPhone("console-contracts")

	for _, msg := range console.Read(t) {
		if platformtest.IsConsoleProblem(msg) {
			t.Errorf("console %s: %s", msg.Type, msg.Text)
		}
	}
}
