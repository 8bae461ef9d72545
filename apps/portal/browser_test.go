package portal_test

// These tests use the compliance pages in a real headless Chromium, on the
// platform served on a loopback port with the demo tenants: they check that
// the pages load under the Content-Security-Policy without console errors,
// fit a phone screen, and they save screenshots to t.ArtifactDir() (run
// with `-artifacts -outputdir DIR` to keep them). They run when
// PLATEAU_TEST_CHROMIUM names the Chromium binary.

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/apps/center"
	"github.com/plateau-bpo/plateau/pkg/demo"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

func TestBrowserComplianceAndDataProtectionPages(t *testing.T) {
	bin := testenv.Need(t, testenv.Chromium)
	base := serve(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("accept-lang", "en-US"),
		chromedp.WindowSize(1366, 768),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}

	for _, tc := range []struct {
		name, email, path string
		act               func(t *testing.T, ctx context.Context)
	}{
		{"portal-compliance", "sophie.martin@maison-lumiere.test", "/portal/compliance", func(t *testing.T, ctx context.Context) {
			// Ask about the demo's opt-out: the answer shows the rule.
			do(t, ctx, "type the number", chromedp.SendKeys(chromedp.CSS(`input[name="number"]`), "06 11 22 33 44"))
			click(t, ctx, `form[action="/portal/compliance"] button[type="submit"]`)
			if reason := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="decision-reason"]`))); reason != "suppressed_client" {
				t.Errorf("the demo opt-out is decided %q", reason)
			}
		}},
		{"portal-consents", "sophie.martin@maison-lumiere.test", "/portal/consents", nil},
		{"center-data-protection", "youssef.alami@atlas-contact.test", "/center/data-protection", func(t *testing.T, ctx context.Context) {
			if headline := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="dp-headline"]`))); !strings.Contains(headline, "Ne peut pas encore") {
				t.Errorf("Atlas, not verified yet, is shown %q", headline)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
			defer cancel()
			ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
			defer cancelTimeout()
			do(t, ctx, "open the login page", chromedp.Navigate(base+"/login?next="+tc.path))
			console := chromedp.Console(ctx)
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
			shot(t, ctx, tc.name+"-laptop")
			do(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
			type widths struct{ ScrollWidth, Width int }
			m := get(t, ctx, chromedp.Evaluate[widths](`({ScrollWidth: document.documentElement.scrollWidth, Width: document.documentElement.clientWidth})`))
			if m.ScrollWidth > m.Width {
				t.Errorf("on a phone the page is %dpx wide on a %dpx screen", m.ScrollWidth, m.Width)
			}
			shot(t, ctx, tc.name+"-phone")

			_, _ = chromedp.Run(ctx, chromedp.Evaluate[any](`console.info("plateau-test: end")`))
			for msg, err := range console {
				if err != nil {
					t.Fatalf("reading the console: %v", err)
				}
				if msg.Text == "plateau-test: end" {
					break
				}
				if msg.Type == chromedp.ConsoleError || msg.IsException() || msg.Source == "security" {
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

func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := get(t, ctx, chromedp.FullScreenshot(100))
	path := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// serve starts the platform with the demo tenants on a loopback port.
func serve(t *testing.T) string {
	t.Helper()
	e := platformtest.New(t, func(p *platform.Platform) {
		mount(t)(p)
		center.Mount(p)
	})
	if _, err := demo.Seed(context.Background(), e.P.DB); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.P.Server.Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
}
