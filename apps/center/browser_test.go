package center_test

// The center's marketplace pages in a real headless Chromium, on the demo
// platform served on a loopback port: Teranga's owner answers the demo's
// open request through the offer form (a negative price first), and
// Atlas's owner reads the brief of its contracted campaign. Each page
// must load under the Content-Security-Policy without console errors and
// fit a phone screen; screenshots go to t.ArtifactDir() (run with
// `-artifacts -outputdir DIR` to keep them). They run when
// PLATEAU_TEST_CHROMIUM names the Chromium binary.

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

func TestBrowserCenterSendsAnOfferAndReadsABrief(t *testing.T) {
	root, base := platformtest.BrowseDemo(t)
	t.Run("offer", func(t *testing.T) {
		ctx, console := signIn(t, root, base, "aminata.diop@teranga-rc.test", "/center/requests")
		shoot(t, ctx, "center-requests")
		// The demo's B2B request is open; the abandoned carts went to Atlas.
		if names := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="request"] h2`))); !strings.Contains(names, "Rendez-vous architectes et décorateurs") {
			t.Fatalf("the open request is %q", names)
		}
		click(t, ctx, `[data-testid="request"] h2 a`)
		perMinute := `input[name="rate_card.per_minute"]`
		do(t, ctx, "price the minute below zero",
			chromedp.SendKeys(chromedp.CSS(perMinute), "-0,45"),
			chromedp.SendKeys(chromedp.CSS(`input[name="rate_card.per_outcome.appointment"]`), "35"),
			chromedp.SendKeys(chromedp.CSS(`input[name="seats"]`), "6"),
			chromedp.SendKeys(chromedp.CSS(`input[name="hours"]`), "lun–ven 9h–18h"))
		// The refused form answers 422, which the console reports: that one
		// page is watched apart.
		noProblems(t, console)
		click(t, ctx, `[data-testid="send-offer"]`)
		console = platformtest.WatchConsole(ctx)
		if e := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="error-rate_card.per_minute"]`))); !strings.Contains(e, "ne peut pas être négatif") {
			t.Errorf("beside the negative price: %q", e)
		}
		if v := get(t, ctx, chromedp.Value(chromedp.CSS(`input[name="hours"]`))); v != "lun–ven 9h–18h" {
			t.Errorf("the refused form lost the hours: %q", v)
		}
		shoot(t, ctx, "center-offer-refused")

		do(t, ctx, "correct the price", chromedp.SetValue(chromedp.CSS(perMinute), "0,45"))
		click(t, ctx, `[data-testid="send-offer"]`)
		if loc := get(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/center/offers") {
			t.Fatalf("after sending the offer: %s", loc)
		}
		offers := get(t, ctx, chromedp.Text(chromedp.CSS(`main`)))
		for _, want := range []string{"Rendez-vous architectes et décorateurs", "0,45", "35,00", "lun–ven 9h–18h"} {
			if !strings.Contains(offers, want) {
				t.Errorf("our offers lack %q:\n%s", want, offers)
			}
		}
		shoot(t, ctx, "center-offers")
		noProblems(t, console)
	})

	t.Run("brief", func(t *testing.T) {
		ctx, console := signIn(t, root, base, "youssef.alami@atlas-contact.test", "/center/contracts")
		shoot(t, ctx, "center-contracts")
		click(t, ctx, `[data-testid="contract"] h2 a`)
		if name := get(t, ctx, chromedp.Text(chromedp.CSS(`h1`))); name != "Relance paniers abandonnés" {
			t.Errorf("the brief is of %q", name)
		}
		do(t, ctx, "the script", chromedp.WaitVisible(chromedp.CSS(`[data-testid="script"]`)))
		shoot(t, ctx, "center-brief")
		noProblems(t, console)
	})
}

// signIn signs the demo's email in, in a tab of its own, at path, and
// watches the tab's console.
func signIn(t *testing.T, root context.Context, base, email, path string) (context.Context, *platformtest.ConsoleWatch) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, platformtest.BrowserTimeout)
	t.Cleanup(cancelTimeout)
	do(t, ctx, "open the login page", chromedp.Navigate(base+"/login?next="+path))
	console := platformtest.WatchConsole(ctx)
	do(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password))
	click(t, ctx, `form[action="/login"] button[type="submit"]`)
	if loc := get(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, path) {
		t.Fatalf("signed in at %s, want %s", loc, path)
	}
	return ctx, console
}

// shoot saves the page as a laptop and a phone show it, and checks it
// fits the phone; it leaves the tab laptop-sized.
func shoot(t *testing.T, ctx context.Context, name string) {
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

// noProblems fails the test for each problem the console reported.
func noProblems(t *testing.T, console *platformtest.ConsoleWatch) {
	t.Helper()
	for _, msg := range console.Read(t) {
		if platformtest.IsConsoleProblem(msg) {
			t.Errorf("console %s: %s", msg.Type, msg.Text)
		}
	}
}

func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// click clicks and waits for the page the click leads to.
func click(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		t.Fatalf("click %s: %v", selector, err)
	}
}
