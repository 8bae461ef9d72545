package account_test

// These tests sign in, switch language and sign out in a real headless
// Chromium, as a person would, against the platform served on a loopback
// port with the demo tenants. They run when PLATEAU_TEST_CHROMIUM names the
// Chromium binary (see pkg/testenv). Screenshots go to t.ArtifactDir(): run
// with `-artifacts -outputdir DIR` to keep them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/apps/agent"
	"github.com/plateau-bpo/plateau/pkg/demo"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

const (
	owner = "sophie.martin@maison-lumiere.test"
	// browserTimeout bounds a hung browser so the test fails instead of
	// stalling; it is never a measure of speed.
	browserTimeout = 2 * time.Minute
)

// Viewports as a person has them.
var (
	laptop = viewport{"laptop", 1366, 768, false}
	phone  = viewport{"phone", 390, 844, true}
)

func TestBrowserOwnerSignsInSwitchesToEnglishAndSignsOut(t *testing.T) {
	b := newBrowser(t)
	b.signIn(owner, demo.Password)
	b.wantPath("/portal")
	// The browser asks for English; the org is French, and that wins.
	b.wantLang("fr")
	b.wantText(testID("who-name"), "Sophie Martin")
	b.wantText(testID("who-org"), "Maison Lumière")
	b.wantText(testID("who-role"), "Responsable")
	b.wantText(testID("who-email"), owner)

	b.click(`.who button[name="locale"][value="en"]`)
	b.wantPath("/portal")
	b.wantLang("en")
	b.wantText("h1", "Client portal")
	b.wantText(testID("who-role"), "Owner")

	b.click(testID("logout"))
	b.wantPath("/login")
	b.open("/portal")
	b.wantPath("/login")
}

func TestBrowserWrongPasswordShowsTheErrorAndStaysOnLogin(t *testing.T) {
	b := newBrowser(t)
	if resp := b.signIn(owner, "not the password"); resp.Status != 401 {
		t.Errorf("wrong password answered %d, want 401", resp.Status)
	}
	b.wantPath("/login")
	b.wantText(testID("login-error"), "Wrong email or password.")
	// The email is kept for the next try; the password is not sent back.
	b.wantValue(`input[name="email"]`, owner)
	b.wantValue(`input[name="password"]`, "")
}

func TestBrowserCenterPeopleLandOnTheirFrontDoor(t *testing.T) {
	b := newBrowser(t)
	for _, tc := range []struct{ email, path, role string }{
		{"karim.idrissi@atlas-contact.test", "/agent", "Téléconseiller"},
		{"youssef.alami@atlas-contact.test", "/center", "Responsable"},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			p := b.incognito(t)
			p.signIn(tc.email, demo.Password)
			p.wantPath(tc.path)
			p.wantText(testID("who-org"), "Atlas Contact")
			p.wantText(testID("who-role"), tc.role)
		})
	}
}

func TestBrowserPagesFitAPhoneScreen(t *testing.T) {
	b := newBrowser(t)
	b.resize(phone)
	b.open("/login")
	b.wantStyled()
	b.wantNoHorizontalOverflow()
	b.signIn(owner, demo.Password)
	b.wantPath("/portal")
	b.wantStyled()
	b.wantNoHorizontalOverflow()

	// The measure sees overflow when there is some.
	evaluate[chromedp.Void](b, `const wide = document.createElement('div');
		wide.style.width = '1000px';
		wide.style.height = '1px';
		document.body.append(wide)`)
	if m := b.measureWidth(); m.ScrollWidth <= m.Width {
		t.Fatalf("a 1000px block on a %dpx screen went unnoticed: %+v", phone.width, m)
	}
}

func TestBrowserPagesLoadUnderTheCSPWithoutConsoleErrors(t *testing.T) {
	b := newBrowser(t)
	console := chromedp.Console(b.ctx) // subscribed now, read at the end
	wantCSP(t, b.open("/login"))
	wantCSP(t, b.signIn(owner, demo.Password))
	wantCSP(t, b.click(`.who button[name="locale"][value="en"]`))

	// The policy is in force, not only sent: an inline script is refused,
	// and the refusal reaches the console, where the loop below must see it.
	mark := func(s string) { evaluate[chromedp.Void](b, fmt.Sprintf("console.info(%q)", s)) }
	mark("plateau-test: inline script next")
	ran := evaluate[bool](b, `(() => {
		const s = document.createElement('script');
		s.textContent = 'window.inlineRan = true';
		document.body.append(s);
		return window.inlineRan === true;
	})()`)
	if ran {
		t.Errorf("an inline script ran: the Content-Security-Policy is not enforced")
	}
	mark("plateau-test: end")

	injected, refused := false, false
	for m, err := range console {
		if err != nil {
			t.Fatalf("reading the console: %v", err)
		}
		switch {
		case m.Text == "plateau-test: end":
			if !refused {
				t.Errorf("the refused inline script left no CSP violation in the console")
			}
			return
		case m.Text == "plateau-test: inline script next":
			injected = true
		case injected && isCSPViolation(m):
			refused = true
		case m.Type == chromedp.ConsoleError || m.IsException() || isCSPViolation(m):
			t.Errorf("console %s at %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text)
		default:
			t.Logf("console %s: %s", m.Type, m.Text)
		}
	}
}

func TestBrowserScreenshotsOfThePortal(t *testing.T) {
	b := newBrowser(t)
	b.signIn(owner, demo.Password)
	for _, v := range []viewport{laptop, phone} {
		b.resize(v)
		b.open("/portal")
		b.screenshot("portal-" + v.name)
	}
}

// browser is one Chromium tab on a platform served for the test.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string // http://localhost:<port>
}

// newBrowser serves the platform with the demo tenants on a loopback port
// and opens a tab of a fresh Chromium (laptop-sized, asking for English).
func newBrowser(t *testing.T) *browser {
	t.Helper()
	bin := testenv.Need(t, testenv.Chromium)
	base := serve(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // containers give Chromium no user namespaces
		chromedp.DisableGPU,
		// With no network, anything Chromium fetches for itself stalls it.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("accept-lang", "en-US"), // whatever the machine's locale
		chromedp.WindowSize(int(laptop.width), int(laptop.height)),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc) // waits for Chromium to exit
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	// Start the browser on a context with no deadline: the first run binds the
	// browser's life to its context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	ctx, cancel := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancel)
	return &browser{t: t, ctx: ctx, base: base}
}

// serve starts the platform on a real listener and returns its address,
// on localhost: a secure context for Chromium, so it keeps the Secure
// session cookie over plain HTTP.
func serve(t *testing.T) string {
	t.Helper()
	e := platformtest.New(t, func(p *platform.Platform) {
		mount(t)(p)
		agent.Mount(p)
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

// incognito opens a tab with a cookie jar of its own, for another person.
func (b *browser) incognito(t *testing.T) *browser {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return &browser{t: t, ctx: ctx, base: b.base}
}

func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open goes to a path of the site and waits for the page to load.
func (b *browser) open(path string) *network.Response {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp
}

// click clicks the element and waits for the page it leads to.
func (b *browser) click(selector string) *network.Response {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(selector)))
	if err != nil {
		b.t.Fatalf("click %s: %v", selector, err)
	}
	return resp
}

// signIn fills in and submits the login form.
func (b *browser) signIn(email, password string) *network.Response {
	b.t.Helper()
	b.open("/login")
	b.do("fill in the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
	)
	return b.click(`form[action="/login"] button[type="submit"]`)
}

func (b *browser) wantPath(want string) {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	if u, err := url.Parse(loc); err != nil || u.Path != want {
		b.t.Fatalf("the browser is at %s, want %s", loc, want)
	}
}

func (b *browser) wantLang(want string) {
	b.t.Helper()
	if got := evaluate[string](b, "document.documentElement.lang"); got != want {
		b.t.Errorf("page language %q, want %q", got, want)
	}
}

func (b *browser) wantText(selector, want string) {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", selector, err)
	}
	if strings.TrimSpace(got) != want {
		b.t.Errorf("%s shows %q, want %q", selector, got, want)
	}
}

func (b *browser) wantValue(selector, want string) {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(selector)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", selector, err)
	}
	if got != want {
		b.t.Errorf("%s holds %q, want %q", selector, got, want)
	}
}

type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

func (b *browser) resize(v viewport) {
	b.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if v.mobile {
		opts = append(opts, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	b.do("resize to "+v.name, chromedp.EmulateViewport(v.width, v.height, opts...))
}

type widths struct {
	ScrollWidth int      `json:"scrollWidth"` // of the document
	Width       int      `json:"width"`       // of the screen, as the page lays out
	TooWide     []string `json:"tooWide"`     // the outermost elements past the right edge
}

// measureWidth takes the screen's width from the root's clientWidth: on a
// phone, Chrome widens window.innerWidth to fit content that overflows.
func (b *browser) measureWidth() widths {
	return evaluate[widths](b, `(() => {
		const vw = document.documentElement.clientWidth, right = el => el.getBoundingClientRect().right;
		const tooWide = [...document.querySelectorAll('body *')]
			.filter(el => right(el) > vw + 0.5 && !(el.parentElement && right(el.parentElement) > vw + 0.5))
			.map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' to ' + Math.round(right(el)) + 'px');
		return {scrollWidth: document.documentElement.scrollWidth, width: vw, tooWide};
	})()`)
}

// wantStyled checks that the style sheet applied: on a bare page the layout
// checks would pass for nothing.
func (b *browser) wantStyled() {
	b.t.Helper()
	styled := evaluate[bool](b, `[...document.styleSheets].some(s => {
		try { return new URL(s.href).pathname === '/static/app.css' && s.cssRules.length > 0 } catch { return false }
	})`)
	if !styled {
		b.t.Errorf("the page is not styled: /static/app.css did not apply")
	}
}

// wantNoHorizontalOverflow fails when the page scrolls sideways.
func (b *browser) wantNoHorizontalOverflow() {
	b.t.Helper()
	if m := b.measureWidth(); m.ScrollWidth > m.Width {
		b.t.Errorf("the page is %dpx wide on a %dpx screen; too wide: %s", m.ScrollWidth, m.Width, strings.Join(m.TooWide, ", "))
	}
}

// screenshot saves a full-page PNG to the test's artifact directory.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(shot)); err != nil {
		b.t.Fatalf("screenshot %s is not a PNG: %v", name, err)
	}
	path := filepath.Join(b.t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}

func evaluate[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil && !errors.Is(err, chromedp.ErrJSUndefined) {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func testID(id string) string { return `[data-testid="` + id + `"]` }

func isCSPViolation(m chromedp.ConsoleMessage) bool {
	return m.Source == "security" || strings.Contains(m.Text, "Content Security Policy")
}

// wantCSP checks that a page came with the platform's Content-Security-Policy.
func wantCSP(t *testing.T, resp *network.Response) {
	t.Helper()
	for name, v := range resp.Headers {
		if strings.EqualFold(name, "Content-Security-Policy") && strings.Contains(fmt.Sprint(v), "script-src 'self'") {
			return
		}
	}
	t.Errorf("%s came without the Content-Security-Policy: %v", resp.URL, resp.Headers)
}
