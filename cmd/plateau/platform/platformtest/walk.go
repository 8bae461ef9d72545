package platformtest

// A walk over a front door in a real browser, as a French reader reads it:
// every page reached from a start by the links it shows, each page's text
// checked for English sentences and technical identifiers.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/web"
)

// SignIn opens a tab of its own (its own cookies) in the browser of root,
// signs email in with the demo password and returns the tab, bounded by
// BrowserTimeout.
func SignIn(t *testing.T, root context.Context, base, email string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, BrowserTimeout)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password)); err != nil {
		t.Fatalf("sign %s in: %v", email, err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`))); err != nil {
		t.Fatalf("sign %s in: %v", email, err)
	}
	return ctx
}

// Walk visits pages in a signed-in tab and checks that each reads French.
type Walk struct {
	T      *testing.T
	Ctx    context.Context
	Base   string
	Within string // links are followed under this path ("/portal")
	// PerShape is how many pages of one shape — a path whose ids are
	// alike, the same query keys — a walk visits: 2 when zero.
	PerShape int
	Visited  []string // the paths visited, in order

	seen   map[string]bool
	shapes map[string]int
	french *FrenchReader
}

// NewWalk is a walk in the tab ctx over the pages under within.
func NewWalk(t *testing.T, ctx context.Context, base, within string) *Walk {
	return &Walk{T: t, Ctx: ctx, Base: base, Within: within, seen: map[string]bool{}, shapes: map[string]int{},
		french: NewFrenchReader(t)}
}

// Follow visits the start pages and, breadth first, every page their links
// lead to under Within, but for downloads, event streams and pages of a
// shape visited PerShape times already.
func (w *Walk) Follow(start ...string) {
	w.T.Helper()
	queue := slices.Clone(start)
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if w.seen[path] {
			continue
		}
		limit := w.PerShape
		if limit == 0 {
			limit = 2
		}
		if shape := shapeOf(path); w.shapes[shape] >= limit {
			continue
		} else {
			w.shapes[shape]++
		}
		queue = append(queue, w.Visit(path)...)
	}
}

// Visit opens one page, which must answer 200, checks its text, and
// returns the links it shows that a walk follows.
func (w *Walk) Visit(path string) []string {
	w.T.Helper()
	w.seen[path] = true
	w.Expect(path, 200)
	hrefs, err := chromedp.Run(w.Ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('a[href]')).filter(a => !a.hasAttribute('download')).map(a => a.href)`))
	if err != nil {
		w.T.Fatalf("read the links of %s: %v", path, err)
	}
	var out []string
	for _, h := range hrefs {
		u, err := url.Parse(h)
		if err != nil || w.Base != u.Scheme+"://"+u.Host || !strings.HasPrefix(u.Path, w.Within) {
			continue
		}
		if strings.HasSuffix(u.Path, "/events") || strings.HasSuffix(u.Path, "/report") || strings.HasSuffix(u.Path, "/export") {
			continue
		}
		p := u.Path
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		if !w.seen[p] {
			out = append(out, p)
		}
	}
	return out
}

// Expect opens a page, which must answer status, and checks its text.
func (w *Walk) Expect(path string, status int64) {
	w.T.Helper()
	w.Visited = append(w.Visited, path)
	resp, err := chromedp.Run(w.Ctx, chromedp.NavigateResponse(w.Base+path))
	if err != nil {
		w.T.Fatalf("open %s: %v", path, err)
	}
	if resp.Status != status {
		w.T.Errorf("%s answers %d, want %d", path, resp.Status, status)
	}
	w.signedIn(path)
	w.Check(path)
}

// signedIn fails the walk when the tab was sent to sign in: its session
// is gone, and what follows would read the sign-in page.
func (w *Walk) signedIn(what string) {
	w.T.Helper()
	if loc, err := chromedp.Run(w.Ctx, chromedp.Location()); err == nil && strings.Contains(loc, "/login") {
		w.T.Fatalf("%s: the session is gone, the tab is at %s", what, loc)
	}
}

// Submit clicks a form's button, which must lead to a page answering
// status, and checks that page's text. The form's own checks are off
// first (novalidate), as a request sent by hand would have them.
func (w *Walk) Submit(what, button string, status int64) {
	w.T.Helper()
	if err := chromedp.Do(w.Ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('form').forEach(f => f.noValidate = true)`)); err != nil {
		w.T.Fatalf("%s: %v", what, err)
	}
	resp, err := chromedp.RunResponse(w.Ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		w.T.Fatalf("%s: %v", what, err)
	}
	if resp.Status != status {
		w.T.Errorf("%s answers %d, want %d", what, resp.Status, status)
	}
	w.Visited = append(w.Visited, what)
	w.signedIn(what)
	w.Check(what)
}

// Fill types values into the inputs of the page named so (the first of
// each name), as a request sent by hand could hold them: each input is
// made a text input first, so that a date or a number input takes what
// no browser would let a person type.
func (w *Walk) Fill(values map[string]string) {
	w.T.Helper()
	for name, v := range values {
		js := fmt.Sprintf(`(() => { const e = document.querySelector('[name=%q]'); if (!e) return false;
			if (e.tagName === 'INPUT') e.type = 'text'; e.value = %q; return true })()`, name, v)
		ok, err := chromedp.Run(w.Ctx, chromedp.Evaluate[bool](js))
		if err != nil || !ok {
			w.T.Fatalf("fill %s: no such input (%v)", name, err)
		}
	}
}

// Covers fails the test for each path shape ("/portal/campaigns/:id")
// no page of the walk had.
func (w *Walk) Covers(shapes ...string) {
	w.T.Helper()
	had := map[string]bool{}
	for _, p := range w.Visited {
		s, _, _ := strings.Cut(shapeOf(p), "?")
		had[s] = true
	}
	for _, s := range shapes {
		if !had[s] {
			w.T.Errorf("the walk visited no page %s; it visited %v", s, w.Visited)
		}
	}
}

// Check checks the text of the page the tab shows now (what brought it
// there names it in failures): what the body reads, and the placeholders,
// titles and labels of its elements.
func (w *Walk) Check(what string) {
	w.T.Helper()
	// What a click on a summary shows is read too.
	text, err := chromedp.Run(w.Ctx, chromedp.Evaluate[string](`document.querySelectorAll('details').forEach(d => d.open = true),
		document.body.innerText + "\n" +
		Array.from(document.querySelectorAll('[placeholder],[title],[aria-label]'))
			.map(e => [e.getAttribute('placeholder'), e.getAttribute('title'), e.getAttribute('aria-label')].filter(Boolean).join("\n"))
			.join("\n")`))
	if err != nil {
		w.T.Fatalf("read the text of %s: %v", what, err)
	}
	if os.Getenv("PLATEAU_TEST_WALK_LOG") != "" {
		w.T.Logf("=== %s\n%s", what, text)
	}
	for _, p := range w.french.Problems(text) {
		w.T.Errorf("%s: %s", what, p)
	}
}

var (
	uuidPattern    = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	snakePattern   = regexp.MustCompile(`\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b`)
	permPattern    = regexp.MustCompile(`\b[a-z_]+:[a-z_]+\b`)
	dottedPattern  = regexp.MustCompile(`\b[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+(\[\d+\])?\b`)
	shapeID        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	sentenceBreak  = regexp.MustCompile(`[.:;!?]\s+|\n`)
	verbPattern    = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	variableSyntax = regexp.MustCompile(`\{\{[^{}]*\}\}`)
	emailOrFile    = regexp.MustCompile(`\S+@\S+|\S+\.(csv|txt|json|pdf)\b|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(fr|com|net|org|test|eu|ma|sn)\b`)
	// englishWords are words of English sentences no French sentence holds,
	// for the English that is in no catalog (a message a page passed on).
	englishWords = regexp.MustCompile(`\b(the|The|of|and|is|are|was|be|has|have|by|every|with|without|must|cannot|should|which|` +
		`this|This|that|there|your|you|for|from|to|any|when|here)\b`)
)

// shapeOf is a path with its ids alike and its query reduced to its keys.
func shapeOf(path string) string {
	p, query, _ := strings.Cut(path, "?")
	segments := strings.Split(p, "/")
	for i, s := range segments {
		if shapeID.MatchString(s) {
			segments[i] = ":id"
		}
	}
	keys := []string{}
	if q, err := url.ParseQuery(query); err == nil {
		for k := range q {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return strings.Join(segments, "/") + "?" + strings.Join(keys, "&")
}

// FrenchReader tells what a French reader should not find on a page: a
// sentence of the English catalogs (a value of three words or more that
// the French catalogs say otherwise), English words, or a technical
// identifier (snake_case, a dotted path, a permission, a UUID).
type FrenchReader struct {
	sentences []string
}

// NewFrenchReader reads the platform's catalogs.
func NewFrenchReader(t testing.TB) *FrenchReader {
	t.Helper()
	c, err := i18n.Load(web.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	r := &FrenchReader{}
	for _, key := range c.Keys("en") {
		en, _ := c.Lookup("en", key)
		if fr, ok := c.Lookup("fr", key); ok && fr == en {
			continue
		}
		// A value with parameters is checked by its literal parts, a value
		// of several sentences by each.
		for _, part := range sentenceBreak.Split(verbPattern.ReplaceAllString(en, "\n"), -1) {
			if part = strings.TrimSpace(part); len(strings.Fields(part)) >= 3 {
				r.sentences = append(r.sentences, part)
			}
		}
	}
	return r
}

// Problems lists what text shows a French reader that it should not.
func (r *FrenchReader) Problems(text string) []string {
	var out []string
	for _, s := range r.sentences {
		if strings.Contains(text, s) {
			out = append(out, "English sentence "+quote(s))
		}
	}
	// The variables a script writes between double braces are the syntax
	// its author types; e-mail addresses, file and host names are data.
	text = variableSyntax.ReplaceAllString(text, " ")
	text = emailOrFile.ReplaceAllString(text, " ")
	for _, line := range strings.Split(text, "\n") {
		for _, p := range []struct {
			what string
			re   *regexp.Regexp
		}{{"English words", englishWords}, {"identifier", snakePattern}, {"field path", dottedPattern}, {"permission", permPattern}, {"UUID", uuidPattern}} {
			if m := p.re.FindString(line); m != "" {
				out = append(out, p.what+" "+quote(m)+" in "+quote(strings.TrimSpace(line)))
			}
		}
	}
	return out
}

func quote(s string) string { return "«" + s + "»" }
