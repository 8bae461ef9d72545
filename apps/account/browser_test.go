package account_test

// These tests sign in, switch language and sign out in a real headless
// Chromium, as a person would, against the platform served on a loopback
// port with the demo tenants. They run when PLATEAU_TEST_CHROMIUM names the
// Chromium binary (see pkg/testenv). Screenshots go to t.ArtifactDir(): run
// with `-artifacts -outputdir DIR` to keep them.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

const owner = "sophie.martin@maison-lumiere.test"

// Viewports as a person has them.
var (
	laptop = viewport{"laptop", platformtest.LaptopWidth, platformtest.LaptopHeight, false}
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
	console := platformtest.WatchConsole(b.ctx) // subscribed now, read at the end
	wantCSP(t, b.open("/login"))
	wantCSP(t, b.signIn(owner, demo.Password))
	wantCSP(t, b.click(`.who button[name="locale"][value="en"]`))

	// The policy is in force, not only sent: an inline script is refused,
	// and the refusal reaches the console, where the loop below must see it.
	console.Mark(t, "plateau-test: inline script next")
	ran := evaluate[bool](b, `(() => {
		const s = document.createElement('script');
		s.textContent = 'window.inlineRan = true';
		document.body.append(s);
		return window.inlineRan === true;
	})()`)
	if ran {
		t.Errorf("an inline script ran: the Content-Security-Policy is not enforced")
	}

	injected, refused := false, false
	for _, m := range console.Read(t) {
		switch {
		case m.Text == "plateau-test: inline script next":
			injected = true
		case injected && platformtest.IsCSPViolation(m):
			refused = true
		case platformtest.IsConsoleProblem(m):
			t.Errorf("console %s at %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text)
		default:
			t.Logf("console %s: %s", m.Type, m.Text)
		}
	}
	if !refused {
		t.Errorf("the refused inline script left no CSP violation in the console")
	}
}

func TestBrowserScreenshotsOfThePortal(t *testing.T) {
	b := newBrowser(t)
	b.signIn(owner, demo.Password)
	for _, v := range []viewport{laptop, phone} {
		b.resize(v)
		b.open("/portal")
		platformtest.Screenshot(t, b.ctx, "portal-"+v.name)
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
	ctx, base := platformtest.BrowseDemo(t)
	ctx, cancel := context.WithTimeout(ctx, platformtest.BrowserTimeout)
	t.Cleanup(cancel)
	return &browser{t: t, ctx: ctx, base: base}
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

func evaluate[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil && !errors.Is(err, chromedp.ErrJSUndefined) {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func testID(id string) string { return `[data-testid="` + id + `"]` }

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
