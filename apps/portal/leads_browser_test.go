package portal_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// TestBrowserImportWithLiveProgress walks, in Chromium, a client importing
// leads: from the navigation to the campaign's leads and its imports; a
// file over the limit refused before it is sent; a CSV uploaded, its
// mapping confirmed; the progress page following the import job live
// (Server-Sent Events) until it shows the summary; then the leads. Every
// page loads under the Content-Security-Policy without console errors and
// fits a phone.
func TestBrowserImportWithLiveProgress(t *testing.T) {
	e, root, base := platformtest.BrowseDemoEnv(t)
	org := orgNamed(t, e, "Maison Lumière")
	sys := platformtest.As(org)
	k := platformtest.Must(e.P.Services.Campaigns.Create(sys, campaign.Input{Name: "Prospection navigateur", Kind: "prospecting", Audience: "b2c",
		Country: "FR", Languages: []string{"fr"}}))(t)
	dir := t.TempDir()
	small, big := filepath.Join(dir, "prospects.csv"), filepath.Join(dir, "enorme.csv")
	if err := os.WriteFile(small, []byte(frenchLeads), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(big)
	if err == nil {
		err = f.Truncate(store.MaxFileSize + 1) // sparse: costs no disk
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, platformtest.BrowserTimeout)
	defer cancelTimeout()
	do(t, ctx, "open the login page", chromedp.Navigate(base+"/login?next=/portal/leads"))
	console := platformtest.WatchConsole(ctx)
	do(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "sophie.martin@maison-lumiere.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
	)
	click(t, ctx, `form[action="/login"] button[type="submit"]`)
	fitsPhone(t, ctx, "leads-overview")
	clickLink(t, ctx, "Prospection navigateur")
	click(t, ctx, `[data-testid="import-leads"]`)
	imports := "/portal/campaigns/" + k.ID.String() + "/imports"
	if loc := get(t, ctx, chromedp.Location()); loc != base+imports {
		t.Fatalf("the import link leads to %s", loc)
	}
	fitsPhone(t, ctx, "leads-imports")

	// A file over the limit is refused on the page, before it is sent.
	do(t, ctx, "choose a file over the limit", chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{big}))
	do(t, ctx, "send it", chromedp.Click(chromedp.CSS(`[data-testid="upload-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="upload-too-large"]`)))
	if msg := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="upload-too-large"]`))); !strings.Contains(msg, "dépasse la limite de 200 Mo") {
		t.Errorf("a file over the limit is refused with %q", msg)
	}
	if loc := get(t, ctx, chromedp.Location()); loc != base+imports {
		t.Errorf("a file over the limit was sent: the page is %s", loc)
	}

	do(t, ctx, "choose the lead file", chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{small}))
	click(t, ctx, `[data-testid="upload-submit"]`)
	m := importPath.FindStringSubmatch(strings.TrimPrefix(get(t, ctx, chromedp.Location()), base))
	if m == nil {
		t.Fatalf("the upload leads to %s", get(t, ctx, chromedp.Location()))
	}
	id := uuid.MustParse(m[1])
	if field := get(t, ctx, chromedp.Value(chromedp.CSS(`select[name="field.2"]`))); field != "phone" {
		t.Errorf("the phone column is detected as %q", field)
	}
	fitsPhone(t, ctx, "leads-mapping")

	click(t, ctx, `[data-testid="start-import"]`)
	do(t, ctx, "follow the progress", chromedp.WaitVisible(chromedp.CSS(`[data-testid="import-progress"][data-live]`)))
	if status := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="import-status"]`))); status != "En file d'attente" {
		t.Errorf("the started import is %q", status)
	}
	fitsPhone(t, ctx, "leads-progress")
	if err := e.P.Services.Leads.RunImport(sys, uuid.Nil, id); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "see the summary", chromedp.WaitVisible(chromedp.CSS(`[data-testid="import-summary"]`)))
	if rows := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="summary-rows"]`))); rows != "7" {
		t.Errorf("the summary counts %s rows, want 7", rows)
	}
	if status := get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="import-status"]`))); status != "Terminé" {
		t.Errorf("the finished import is %q", status)
	}
	fitsPhone(t, ctx, "leads-summary")

	click(t, ctx, `[data-testid="see-leads"]`)
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="lead-row"]').length`)); n != 4 {
		t.Errorf("%d leads listed after the import, want 4", n)
	}
	fitsPhone(t, ctx, "leads-list")
	do(t, ctx, "open a blocked lead", chromedp.Navigate(base+"/portal/campaigns/"+k.ID.String()+"/leads?status=blocked"))
	click(t, ctx, `[data-testid="lead-row"] a`)
	if get(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="block-explanation"]`))) == "" {
		t.Errorf("the blocked lead does not say why")
	}
	fitsPhone(t, ctx, "lead-detail")
	noConsoleProblems(t, console)
}
