package center_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestBrowserTheOwnerKeepsTheCentersTrunks: in Chromium, Atlas's owner
// opens the SIP trunks from the navigation and adds one through the form
// (a pace that is no number first: refused beside its input, what was
// typed kept but the password), finds it listed with its password only
// said to be there, and removes it once the removal is confirmed. Each
// page loads under the Content-Security-Policy without console errors
// and fits a phone. It runs when PLATEAU_TEST_CHROMIUM names the Chromium
// binary.
func TestBrowserTheOwnerKeepsTheCentersTrunks(t *testing.T) {
	root, base := platformtest.BrowseDemo(t)
	ctx, console := signIn(t, root, base, "youssef.alami@atlas-contact.test", "/center")
	click(t, ctx, `nav a[href="/center/trunks"]`)
	if loc := get(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/center/trunks") {
		t.Fatalf("the navigation led to %s", loc)
	}
	do(t, ctx, "no trunk yet", chromedp.WaitVisible(chromedp.CSS(`[data-testid="no-trunks"]`)))
	shoot(t, ctx, "center-trunks-empty")

	const password = "s3cret-du-trunk"
	do(t, ctx, "fill the form, the pace in words",
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Maroc Telecom"),
		chromedp.SendKeys(chromedp.CSS(`input[name="host"]`), "sip.maroc-telecom.ma"),
		chromedp.SetValue(chromedp.CSS(`select[name="transport"]`), "tls"),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "atlas-tanger"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="caller_ids"]`), "+212539000001\n+212539000002"),
		chromedp.SendKeys(chromedp.CSS(`input[name="max_concurrent"]`), "30"),
		chromedp.SendKeys(chromedp.CSS(`input[name="calls_per_second"]`), "deux"))
	// The refused form answers 422, which the console reports: that one
	// page is watched apart.
	noProblems(t, console)
	click(t, ctx, `[data-testid="add-trunk"]`)
	console = platformtest.WatchConsole(ctx)
	if e := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="error-calls_per_second"]`))); !strings.HasPrefix(e, "doit être un nombre, par exemple 2,5") {
		t.Errorf("beside the pace: %q", e)
	}
	for input, want := range map[string]string{`input[name="host"]`: "sip.maroc-telecom.ma", `select[name="transport"]`: "tls",
		`textarea[name="caller_ids"]`: "+212539000001\n+212539000002", `input[name="password"]`: ""} {
		if v := get(t, ctx, chromedp.Value(chromedp.CSS(input))); v != want {
			t.Errorf("the refused form's %s: %q, want %q", input, v, want)
		}
	}
	shoot(t, ctx, "center-trunks-refused")

	do(t, ctx, "correct the pace, type the password again",
		chromedp.SetValue(chromedp.CSS(`input[name="calls_per_second"]`), "2,5"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password))
	click(t, ctx, `[data-testid="add-trunk"]`)
	if loc := get(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/center/trunks") {
		t.Fatalf("after adding the trunk: %s", loc)
	}
	listed := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="trunk"]`)))
	for _, want := range []string{"Maroc Telecom", "sip.maroc-telecom.ma", "5061", "TLS", "atlas-tanger",
		"+212539000001, +212539000002", "30 appels", "2,5 par seconde", "Mot de passe enregistré"} {
		if !strings.Contains(listed, want) {
			t.Errorf("the listed trunk lacks %q:\n%s", want, listed)
		}
	}
	if page := get(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`))); strings.Contains(page, password) {
		t.Error("the page shows the trunk's password")
	}
	shoot(t, ctx, "center-trunks")

	click(t, ctx, `[data-testid="remove-trunk"]`)
	if h := get(t, ctx, chromedp.Text(chromedp.CSS(`h1`))); h != "Retirer la ligne « Maroc Telecom » ?" {
		t.Errorf("the removal asks %q", h)
	}
	shoot(t, ctx, "center-trunk-remove")
	click(t, ctx, `[data-testid="confirm-remove"]`)
	do(t, ctx, "the trunk is gone", chromedp.WaitVisible(chromedp.CSS(`[data-testid="no-trunks"]`)))
	noProblems(t, console)
}
