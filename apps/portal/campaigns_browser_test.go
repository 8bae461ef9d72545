package portal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestBrowserCampaignWizardToPublishedRequest walks, in Chromium, what a
// client owner does: open the campaigns, fill the wizard (once with a
// mistake the page names), create the draft, publish it; then compare the
// demo campaign's offers and read the contracts. Every page loads under
// the Content-Security-Policy without console errors and fits a phone.
func TestBrowserCampaignWizardToPublishedRequest(t *testing.T) {
	root, base := platformtest.BrowseDemo(t)
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, platformtest.BrowserTimeout)
	defer cancelTimeout()
	do(t, ctx, "open the login page", chromedp.Navigate(base+"/login?next=/portal/campaigns"))
	console := platformtest.WatchConsole(ctx)
	do(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "sophie.martin@maison-lumiere.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
	)
	click(t, ctx, `form[action="/login"] button[type="submit"]`)
	if rows := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="campaign-row"]').length`)); rows != 2 {
		t.Errorf("the demo client lists %d campaigns, want 2", rows)
	}

	click(t, ctx, `[data-testid="new-campaign"]`)
	do(t, ctx, "fill the wizard",
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Relance clients professionnels"),
		chromedp.SetValue(chromedp.CSS(`select[name="kind"]`), "appointment_setting"),
		chromedp.SetValue(chromedp.CSS(`select[name="audience"]`), "b2b"),
		chromedp.SetValue(chromedp.CSS(`select[name="target_outcome"]`), "appointment"),
		chromedp.Click(chromedp.CSS(`input[name="languages"][value="en"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="starts_on"]`), "2026-12-01"),
		chromedp.SetValue(chromedp.CSS(`input[name="ends_on"]`), "2026-11-01"), // before the start: refused
		chromedp.SendKeys(chromedp.CSS(`input[name="volume"]`), "1200"),
		chromedp.SendKeys(chromedp.CSS(`input[name="budget_cap"]`), "2 500.50"),
		chromedp.SetValue(chromedp.CSS(`select[name="dialing_mode"]`), "progressive"),
	)
	// The refused form answers 422, which the console reports: that one
	// page is watched apart.
	noConsoleProblems(t, console)
	click(t, ctx, `[data-testid="save-campaign"]`)
	console = platformtest.WatchConsole(ctx)
	if msg := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="error-ends_on"]`))); !strings.Contains(msg, "antérieure à la date de début") {
		t.Fatalf("the wizard names the end date's problem %q", msg)
	}
	if v := get(t, ctx, chromedp.Value(chromedp.CSS(`input[name="budget_cap"]`))); v != "2 500.50" {
		t.Errorf("the refused form kept the budget %q", v)
	}
	fitsPhone(t, ctx, "campaign-wizard-refused")
	do(t, ctx, "correct the end date", chromedp.SetValue(chromedp.CSS(`input[name="ends_on"]`), "2027-02-26"))
	click(t, ctx, `[data-testid="save-campaign"]`)
	if status := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="campaign-status"]`))); status != "Brouillon" {
		t.Fatalf("the new campaign is %q", status)
	}
	if budget := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="budget-cap"]`))); budget != "2\u202f500,50\u00a0€" {
		t.Errorf("the budget cap is shown %q", budget)
	}
	platformtest.Screenshot(t, ctx, "campaign-draft")

	click(t, ctx, `[data-testid="move-publish"]`)
	if status := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="campaign-status"]`))); status != "Publiée" {
		t.Fatalf("after publishing, the campaign is %q", status)
	}
	fitsPhone(t, ctx, "campaign-published")

	// The demo's carts campaign: Atlas (accepted) is the cheaper estimate.
	do(t, ctx, "open the campaigns", chromedp.Navigate(base+"/portal/campaigns"))
	carts := get(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid="campaign-row"] a')]`+
		`.find(a => a.textContent === 'Relance paniers abandonnés').getAttribute('href')`))
	do(t, ctx, "open the carts campaign", chromedp.Navigate(base+carts))
	click(t, ctx, `[data-testid="offers-link"]`)
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="offer"]').length`)); n != 2 {
		t.Errorf("%d offers on the demo campaign, want 2", n)
	}
	if cheapest := get(t, ctx, chromedp.Text(chromedp.CSS(`.is-cheapest [data-testid="offer-center"]`))); cheapest != "Atlas Contact" {
		t.Errorf("the cheapest offer is %q's", cheapest)
	}
	fitsPhone(t, ctx, "campaign-offers")
	do(t, ctx, "open the contracts", chromedp.Navigate(base+"/portal/contracts"))
	if status := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="contract-status"]`))); status != "Actif" {
		t.Errorf("the demo contract is %q", status)
	}
	fitsPhone(t, ctx, "contracts")

	noConsoleProblems(t, console)
}

func noConsoleProblems(t *testing.T, console *platformtest.ConsoleWatch) {
	t.Helper()
	for _, msg := range console.Read(t) {
		if platformtest.IsConsoleProblem(msg) {
			t.Errorf("console %s: %s", msg.Type, msg.Text)
		}
	}
}

// fitsPhone checks the page on a 390 px wide phone, saving a screenshot of
// each size, and goes back to the laptop's.
func fitsPhone(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	platformtest.Screenshot(t, ctx, name+"-laptop")
	do(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	type widths struct{ ScrollWidth, Width int }
	m := get(t, ctx, chromedp.Evaluate[widths](`({ScrollWidth: document.documentElement.scrollWidth, Width: document.documentElement.clientWidth})`))
	if m.ScrollWidth > m.Width {
		t.Errorf("%s: on a phone the page is %dpx wide on a %dpx screen", name, m.ScrollWidth, m.Width)
	}
	platformtest.Screenshot(t, ctx, name+"-phone")
	do(t, ctx, "laptop", chromedp.EmulateViewport(platformtest.LaptopWidth, platformtest.LaptopHeight))
}
