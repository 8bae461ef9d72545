package portal_test

// These tests use the compliance pages in a real headless Chromium, on the
// platform served on a loopback port with the demo tenants: they check that
// the pages load under the Content-Security-Policy without console errors,
// fit a phone screen, and they save screenshots to t.ArtifactDir() (run
// with `-artifacts -outputdir DIR` to keep them). They run when
// PLATEAU_TEST_CHROMIUM names the Chromium binary.

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

func TestBrowserComplianceAndDataProtectionPages(t *testing.T) {
	root, base := platformtest.BrowseDemo(t)

	for _, tc := range []struct {
		name, email, path string
		act               func(t *testing.T, ctx context.Context)
	}{
		{"portal-compliance", "sophie.martin@maison-lumiere.test", "/portal/compliance", func(t *testing.T, ctx context.Context) {
			// Ask about the demo's opt-out: the answer shows the rule.
			do(t, ctx, "type the number", chromedp.SendKeys(chromedp.CSS(`input[name="number"]`), "06 11 22 33 44"))
			click(t, ctx, `form[action="/portal/compliance"] button[type="submit"]`)
			if reason := get(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="decision-reason"]').dataset.reason`)); reason != "suppressed_client" {
				t.Errorf("the demo opt-out is decided %q", reason)
			}
		}},
		{"portal-consents", "sophie.martin@maison-lumiere.test", "/portal/consents", nil},
		{"center-data-protection", "youssef.alami@atlas-contact.test", "/center/data-protection", func(t *testing.T, ctx context.Context) {
			// The demo's platform verified Atlas's profile (its contract is active).
			if headline := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="dp-headline"]`))); !strings.Contains(headline, "Peut recevoir des données personnelles de l'UE") {
				t.Errorf("Atlas, verified, is shown %q", headline)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
			defer cancel()
			ctx, cancelTimeout := context.WithTimeout(ctx, platformtest.BrowserTimeout)
			defer cancelTimeout()
			do(t, ctx, "open the login page", chromedp.Navigate(base+"/login?next="+tc.path))
			console := platformtest.WatchConsole(ctx)
			do(t, ctx, "sign in",
				chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), tc.email),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
			)
			click(t, ctx, `form[action="/login"] button[type="submit"]`)
			if loc := get(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, tc.path) {
				t.Fatalf("signed in at %s, want %s", loc, tc.path)
			}
			if tc.act != nil {
				tc.act(t, ctx)
			}
			platformtest.Screenshot(t, ctx, tc.name+"-laptop")
			do(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
			type widths struct{ ScrollWidth, Width int }
			m := get(t, ctx, chromedp.Evaluate[widths](`({ScrollWidth: document.documentElement.scrollWidth, Width: document.documentElement.clientWidth})`))
			if m.ScrollWidth > m.Width {
				t.Errorf("on a phone the page is %dpx wide on a %dpx screen", m.ScrollWidth, m.Width)
			}
			platformtest.Screenshot(t, ctx, tc.name+"-phone")

			for _, msg := range console.Read(t) {
				if platformtest.IsConsoleProblem(msg) {
					t.Errorf("console %s: %s", msg.Type, msg.Text)
				}
			}
		})
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
