package portal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// In Chromium, a manager adds a node to the demo script, links an answer
// to it and it to the sale, saves, and walks the preview to that outcome:
// all in plain forms and links, under the Content-Security-Policy, on a
// laptop and a phone screen.
func TestBrowserScriptEditorAndPreview(t *testing.T) {
	e, root, base := platformtest.BrowseDemoEnv(t)
	carts := clientCampaigns(t, e)["Relance paniers abandonnés"]
	editor := "/portal/campaigns/" + carts.String() + "/script"

	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, platformtest.BrowserTimeout)
	defer cancelTimeout()
	do(t, ctx, "open the login page", chromedp.Navigate(base+"/login?next="+editor))
	console := platformtest.WatchConsole(ctx)
	do(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "julien.bernard@maison-lumiere.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
	)
	click(t, ctx, `form[action="/login"] button[type="submit"]`)
	if loc := get(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, editor) {
		t.Fatalf("signed in at %s, want %s", loc, editor)
	}
	fitsAPhone(t, ctx, "script-editor")

	// Add a say node: it comes into view, named after its kind.
	do(t, ctx, "choose a say node", chromedp.SetValue(chromedp.CSS(`select[name="new_kind"]`), "say"))
	click(t, ctx, `[data-testid="add-node"]`)
	added := key(t, ctx, "say_20")
	if focused := get(t, ctx, chromedp.Evaluate[string](`document.activeElement.name`)); focused != added+".id" {
		t.Errorf("after adding a node the focus is on %q", focused)
	}
	do(t, ctx, "write and link the new node",
		chromedp.SendKeys(chromedp.CSS(`textarea[name="`+added+`.text"]`), "Merci {{lead.first_name}}, je vous confirme la livraison offerte."),
		chromedp.SetValue(chromedp.CSS(`select[name="`+added+`.next"]`), strings.TrimPrefix(key(t, ctx, "fin_vente"), "n")),
		// "Oui, je commande" now leads to the new node.
		chromedp.SetValue(chromedp.CSS(`select[name="`+key(t, ctx, "interet")+`.answers[0].next"]`), strings.TrimPrefix(added, "n")),
	)
	click(t, ctx, `[data-testid="save"]`)
	if flash := get(t, ctx, chromedp.Text(chromedp.CSS(`.flash`))); !strings.Contains(flash, "Version 1 de l'argumentaire mise à jour") {
		t.Fatalf("after saving: %q", flash)
	}

	// Walk the preview to the sale through the new node.
	clickLink(t, ctx, "Aperçu")
	for _, label := range []string{"Oui, c'est moi", "Continuer", "J'hésitais encore", "Oui, je commande"} {
		clickLink(t, ctx, label)
	}
	if text := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="preview-text"]`))); text != "Merci Camille, je vous confirme la livraison offerte." {
		t.Errorf("the new node reads %q", text)
	}
	fitsAPhone(t, ctx, "script-preview")
	clickLink(t, ctx, "Continuer")
	if outcome := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="preview-outcome"]`))); outcome != "Fin de l'appel : Vente" {
		t.Errorf("the walk ends with %q", outcome)
	}
	platformtest.Screenshot(t, ctx, "script-preview-outcome")

	for _, msg := range console.Read(t) {
		if platformtest.IsConsoleProblem(msg) {
			t.Errorf("console %s: %s", msg.Type, msg.Text)
		}
	}
}

// key is the form prefix of a node of the editor ("n5").
func key(t *testing.T, ctx context.Context, node string) string {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-node="`+node+`"]').id`))
}

// clickLink follows the link whose text is label and waits for its page.
func clickLink(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.Search(`//a[normalize-space()="`+label+`"]`))); err != nil {
		t.Fatalf("click %q: %v", label, err)
	}
}

// fitsAPhone checks that the page has no horizontal overflow on a phone
// screen, with screenshots on a laptop and a phone, and goes back to the
// laptop's size.
func fitsAPhone(t *testing.T, ctx context.Context, name string) {
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
