package portal_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// frenchLeads is a lead file as French Excel writes it, into a B2C
// prospecting campaign in France, where calling takes prior consent. Line
// 2's number has consent in the registry (ready), line 3's is on the
// client's opt-out list (blocked), line 4's has no consent (blocked), line
// 5's brings its consent (ready); line 6 repeats line 2's number, line 7's
// number is too short, line 8's consent date cannot be read.
const frenchLeads = "Nom;Prénom;Téléphone;Société;Date consentement;Source consentement;Ville;Panier\r\n" +
	"Lefèvre;Hélène;06 12 34 56 01;;;;Besançon;129 €\r\n" +
	"Dupré;Noël;06 12 34 56 02;;01/09/2026;site;Nîmes;\r\n" +
	"Côté;Zoé;06 12 34 56 03;;;;;\r\n" +
	"Ménard;Loïc;+33 6 12 34 56 04;Lumens SARL;2026-09-02;salon;;\r\n" +
	"Pérez;Anaïs;0612345601;;;;;\r\n" +
	"Garçon;Jérôme;06 12 34;;;;;\r\n" +
	"Müller;Chloé;06 12 34 56 05;;demain;site;;\r\n"

// prospecting makes a client working in Paris time with a B2C prospecting
// campaign in France, a consent for 06 12 34 56 01 and 06 12 34 56 02 on
// its opt-out list.
func prospecting(t *testing.T, e *platformtest.Env, name string) (tenancy.Org, string, campaign.Campaign) {
	t.Helper()
	org, owner := parisClient(t, e, name)
	svc, ctx := e.P.Services, platformtest.As(org)
	k := platformtest.Must(svc.Campaigns.Create(ctx, campaign.Input{Name: "Prospection automne", Kind: "prospecting", Audience: "b2c",
		Country: "FR", Languages: []string{"fr"}}))(t)
	at := time.Now().AddDate(0, -1, 0)
	platformtest.Must(svc.Compliance.RecordConsents(ctx, "FR", []compliance.NewConsent{{Phone: "06 12 34 56 01", Source: "site web", CapturedAt: &at}}))(t)
	platformtest.Must(svc.Compliance.AddSuppressions(ctx, "FR", []compliance.NewSuppression{{Phone: "06 12 34 56 02", Reason: "stop"}}))(t)
	return org, owner, k
}

// runImport runs the lead:import job of an import at once, as the worker
// would, in org's scope.
func runImport(t *testing.T, e *platformtest.Env, org tenancy.Org, id uuid.UUID) {
	t.Helper()
	ctx := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(org, "worker"))
	if err := e.P.Services.Leads.RunImport(ctx, uuid.Nil, id); err != nil {
		t.Fatal(err)
	}
}

// readImport reads an import of a campaign as its org.
func readImport(t *testing.T, e *platformtest.Env, org tenancy.Org, campaignID, id uuid.UUID) lead.Import {
	t.Helper()
	return platformtest.Must(e.P.Services.Leads.Import(platformtest.As(org), campaignID, id))(t).Import
}

var importPath = regexp.MustCompile(`^/portal/campaigns/[0-9a-f-]{36}/imports/([0-9a-f-]{36})$`)

// uploadLeads uploads a lead file with the form of the campaign's imports
// page and returns the import's page.
func uploadLeads(t *testing.T, b *platformtest.Browser, campaignID uuid.UUID, name, file string) (string, uuid.UUID) {
	t.Helper()
	imports := "/portal/campaigns/" + campaignID.String() + "/imports"
	resp, page := upload(t, b, imports, imports, name, file)
	wantStatus(t, "upload "+name, resp, page, http.StatusSeeOther)
	m := importPath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("the upload leads to %q", resp.Header.Get("Location"))
	}
	return m[0], uuid.MustParse(m[1])
}

// mappingChoices reads the mapping form of an import's page: the field
// chosen for each column, as the form would send it.
func mappingChoices(t *testing.T, page string) url.Values {
	t.Helper()
	form := url.Values{}
	for _, s := range selectTag.FindAllStringSubmatch(page, -1) {
		name := attrs(s[1])["name"]
		if !strings.HasPrefix(name, "field.") {
			continue
		}
		for _, o := range optionTag.FindAllStringSubmatch(s[2], -1) {
			if a := attrs(o[1]); strings.Contains(o[1], " selected") {
				form.Set(name, a["value"])
			}
		}
	}
	if len(form) == 0 {
		t.Fatalf("no mapping form on the page:\n%s", page)
	}
	return form
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// visibleText is the text of a page as read, tags and repeated spaces
// left out.
func visibleText(page string) string {
	return strings.Join(strings.Fields(text(tagRe.ReplaceAllString(page, " "))), " ")
}

// testid reads the text of the element marked data-testid=id.
func testid(page, id string) string {
	m := regexp.MustCompile(`data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(text(m[1]))
}

// TestImportFromUploadToReport walks an import through its pages: the
// upload, the mapping detected from the headers with the first rows, the
// start, the progress while queued, the summary once the job ran, the
// progress stream of the ended import and the error report; then a second
// file finds the client's mapping saved and its numbers in the campaign.
func TestImportFromUploadToReport(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner, k := prospecting(t, e, "Maison Lumiere")
		b := signIn(e, owner, "paris password")

		path, id := uploadLeads(t, b, k.ID, "leads.csv", frenchLeads)
		resp, page := b.Get(path)
		wantStatus(t, "the mapping step", resp, page, http.StatusOK)
		choices := mappingChoices(t, page)
		for field, want := range map[string]string{"field.0": "last_name", "field.1": "first_name", "field.2": "phone", "field.3": "company",
			"field.4": "consent_captured_at", "field.5": "consent_source", "field.6": "city", "field.7": "custom"} {
			if got := choices.Get(field); got != want {
				t.Errorf("%s is detected %q, want %q", field, got, want)
			}
		}
		if n := strings.Count(page, `data-testid="preview-row"`); n != 5 {
			t.Errorf("%d rows previewed, want 5", n)
		}
		if !strings.Contains(text(page), "Côté") || strings.Contains(text(page), "Garçon") {
			t.Errorf("the preview is not the first five rows")
		}
		if strings.Contains(page, `data-testid="mapping-error"`) {
			t.Errorf("a file with a phone column is shown a mapping error")
		}

		// The client chooses to leave the basket out; the import is queued.
		choices.Set("field.7", "ignore")
		resp, page = post(t, b, path, path+"/start", choices)
		wantStatus(t, "start the import", resp, page, http.StatusSeeOther)
		if im := readImport(t, e, org, k.ID, id); im.Status != lead.Queued {
			t.Fatalf("the started import is %s", im.Status)
		}
		_, page = b.Get(path)
		for _, want := range []string{`data-import-events="` + path + `/events"`, `<progress max="100" value="0"`,
			`<script src="/static/import-progress.js" defer></script>`, `<noscript><meta http-equiv="refresh" content="2"></noscript>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the queued import's page lacks %s", want)
			}
		}
		if got := testid(page, "import-status"); got != "En file d'attente" {
			t.Errorf("the queued import is shown %q", got)
		}

		runImport(t, e, org, id)
		resp, page = b.Get(path)
		wantStatus(t, "the finished import", resp, page, http.StatusOK)
		if strings.Contains(page, "<progress") || strings.Contains(page, "http-equiv") {
			t.Errorf("the finished import still shows its progress")
		}
		for tid, want := range map[string]string{"summary-rows": "7", "summary-duplicates": "1", "summary-in-campaign": "0",
			"summary-invalid": "2", "summary-reason-no_consent": "1", "summary-reason-suppressed_client": "1",
			"summary-problem-invalid_phone": "1", "summary-problem-consent_date": "1"} {
			if got := testid(page, tid); got != want {
				t.Errorf("%s: %q, want %q", tid, got, want)
			}
		}
		for _, want := range []string{"4 (prêts : 2, bloqués : 2)", "Pas de consentement préalable", "Sur votre liste d'opposition", "Date de consentement illisible"} {
			if !strings.Contains(visibleText(page), want) {
				t.Errorf("the summary lacks %q", want)
			}
		}
		if strings.Contains(page, `summary-problem-duplicate`) || strings.Contains(page, `summary-problem-in_campaign`) {
			t.Errorf("duplicates are counted among the invalid rows")
		}

		// The progress stream of an ended import sends its end and closes.
		resp, body := b.Get(path + "/events")
		wantStatus(t, "the progress stream", resp, body, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Errorf("the progress stream is %q", ct)
		}
		want := `data: {"status":"finished","percent":100,"rows":7,"imported":4,"duplicates":1,"invalid":2,"blocked":2}` + "\n\n"
		if !strings.HasPrefix(body, "retry: ") || strings.Count(body, "data: ") != 1 || !strings.HasSuffix(body, want) {
			t.Errorf("the progress stream of a finished import:\n%s", body)
		}

		resp, body = b.Get(path + "/report")
		wantStatus(t, "the error report", resp, body, http.StatusOK)
		if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); !strings.HasPrefix(ct, "text/csv") ||
			cd != `attachment; filename="leads-errors.csv"` {
			t.Errorf("the report is %q, %q", ct, cd)
		}
		for _, want := range []string{"\ufeffline;column;value;error\r\n", "6;Téléphone;0612345601;same number as line 2", "7;Téléphone;06 12 34;",
			"8;consent_captured_at;demain;"} {
			if !strings.Contains(body, want) {
				t.Errorf("the report lacks %q:\n%s", want, body)
			}
		}

		// The next file: the client's choice is kept, and a number already
		// in the campaign is counted as such.
		path, id = uploadLeads(t, b, k.ID, "suite.csv", "Téléphone;Nom;Panier\n06 12 34 56 04;Ménard;80 €\n06 12 34 56 06;Neuf;\n")
		_, page = b.Get(path)
		if got := mappingChoices(t, page); got.Get("field.0") != "phone" || got.Get("field.2") != "ignore" {
			t.Errorf("the second file's mapping does not keep the client's choice: %v", got)
		}
		resp, page = post(t, b, path, path+"/start", mappingChoices(t, page))
		wantStatus(t, "start the second import", resp, page, http.StatusSeeOther)
		runImport(t, e, org, id)
		_, page = b.Get(path)
		if testid(page, "summary-in-campaign") != "1" || !strings.Contains(visibleText(page), "1 (prêts : 0, bloqués : 1)") {
			t.Errorf("the second import's summary:\n%s", page)
		}
		_, page = b.Get("/portal/campaigns/" + k.ID.String() + "/imports")
		if n := strings.Count(page, `data-testid="import-row"`); n != 2 || !strings.Contains(page, "suite.csv") {
			t.Errorf("%d imports listed, want 2", n)
		}
	})
}

// TestAFileWithoutPhoneColumnIsMappedByHand: the mapping step says no
// column holds the phone number and shows the columns; starting it so, or
// with a field given twice, is refused at its column with the choices
// kept and nothing started; choosing the phone column starts it.
func TestAFileWithoutPhoneColumnIsMappedByHand(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner, k := prospecting(t, e, "Maison Lumiere")
		b := signIn(e, owner, "paris password")
		path, id := uploadLeads(t, b, k.ID, "contacts.csv", "Nom;Ville;Joignable au\r\nDupré;Nîmes;06 12 34 56 78\r\n")

		resp, page := b.Get(path)
		wantStatus(t, "the mapping step", resp, page, http.StatusOK)
		if !strings.Contains(page, `data-testid="mapping-error"`) ||
			!strings.Contains(text(page), "Aucune colonne ne contient le numéro de téléphone : choisissez « Téléphone » pour la colonne qui le contient.") {
			t.Errorf("the mapping step does not say the phone column is missing:\n%s", page)
		}
		choices := mappingChoices(t, page)
		if choices.Get("field.0") != "last_name" || choices.Get("field.1") != "city" || choices.Get("field.2") != "custom" {
			t.Errorf("the detected mapping: %v", choices)
		}

		resp, page = post(t, b, path, path+"/start", choices)
		wantStatus(t, "start without a phone column", resp, page, http.StatusUnprocessableEntity)
		if !strings.Contains(text(page), "Aucune colonne ne contient le numéro de téléphone") {
			t.Errorf("starting without a phone column does not say why:\n%s", page)
		}

		choices = url.Values{"field.0": {"last_name"}, "field.1": {"last_name"}, "field.2": {"phone"}}
		resp, page = post(t, b, path, path+"/start", choices)
		wantStatus(t, "a field given twice", resp, page, http.StatusUnprocessableEntity)
		if got := testid(page, "column-error"); got != "Nom est déjà la colonne « Nom » : choisissez-le pour une seule colonne." {
			t.Errorf("the column error is %q", got)
		}
		choices.Del("_csrf")
		if got := mappingChoices(t, page); got.Encode() != choices.Encode() {
			t.Errorf("the choices are not kept: %v", got)
		}
		resp, page = post(t, b, path, path+"/start", url.Values{"field.0": {"last_name"}, "field.1": {"no such field"}, "field.2": {"phone"}})
		wantStatus(t, "an unknown field", resp, page, http.StatusUnprocessableEntity)
		if got := testid(page, "column-error"); got != "Choisissez ce que contient cette colonne." {
			t.Errorf("the unknown field's error is %q", got)
		}
		if im := readImport(t, e, org, k.ID, id); im.Status != lead.Uploaded {
			t.Fatalf("a refused mapping left the import %s", im.Status)
		}

		choices.Set("field.1", "city")
		resp, page = post(t, b, path, path+"/start", choices)
		wantStatus(t, "start with the phone column chosen", resp, page, http.StatusSeeOther)
		runImport(t, e, org, id)
		if im := readImport(t, e, org, k.ID, id); im.Status != lead.Finished || im.Summary.Imported != 1 {
			t.Errorf("the import: %s, %+v", im.Status, im.Summary)
		}
	})
}

// TestUploadsThatCannotBeLeadFilesAreRefused: no file, an empty file, a
// PDF, a single column: each refused with why, nothing kept. A cancelled
// campaign takes no file; an analyst uploads nothing.
func TestUploadsThatCannotBeLeadFilesAreRefused(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner, k := prospecting(t, e, "Maison Lumiere")
		b := signIn(e, owner, "paris password")
		imports := "/portal/campaigns/" + k.ID.String() + "/imports"

		_, page := b.Get(imports)
		if !strings.Contains(page, `accept=".csv,.txt"`) || !strings.Contains(page, `enctype="multipart/form-data"`) ||
			!strings.Contains(page, `data-max-bytes="209715200"`) || !strings.Contains(text(page), "jusqu'à 200 Mo") ||
			!strings.Contains(text(page), "Ce fichier dépasse la limite de 200 Mo") {
			t.Errorf("the upload form does not say its limit:\n%s", page)
		}
		for _, tc := range []struct{ name, file, want, detail string }{
			{"", "", "Choisissez un fichier CSV à déposer.", ""},
			{"vide.csv", "", "Le fichier vide.csv est vide.", ""},
			{"blanc.csv", "\r\n \r\n", "Le fichier blanc.csv est vide.", "le fichier est vide"},
			{"devis.pdf", "%PDF-1.7\n%âãÏÓ\n1 0 obj", "Le fichier devis.pdf ne peut pas être lu comme un fichier CSV de contacts.", "un document PDF"},
			{"noms.csv", "Nom\nLefèvre\nDupré\n", "Le fichier noms.csv ne peut pas être lu comme un fichier CSV de contacts.", "n'a qu'une colonne"},
		} {
			resp, page := b.PostFile(imports, nil, "file", tc.name, []byte(tc.file))
			wantStatus(t, "upload "+tc.name, resp, page, http.StatusUnprocessableEntity)
			if got := text(page); !strings.Contains(got, tc.want) || !strings.Contains(got, tc.detail) {
				t.Errorf("upload %q: the page does not say %q (%q)", tc.name, tc.want, tc.detail)
			}
		}
		_, page = b.Get(imports)
		if !strings.Contains(page, `data-testid="no-imports"`) {
			t.Errorf("a refused upload was kept")
		}

		e.Member(org, "analyst@ml.test", string(tenancy.RoleAnalyst), "analyst password")
		analyst := signIn(e, "analyst@ml.test", "analyst password")
		resp, page := analyst.Get(imports)
		wantStatus(t, "the analyst's imports", resp, page, http.StatusOK)
		if strings.Contains(page, `data-testid="upload-form"`) {
			t.Errorf("the analyst is offered to upload")
		}
		resp, page = analyst.PostFile(imports, nil, "file", "leads.csv", []byte(frenchLeads))
		wantStatus(t, "the analyst uploads", resp, page, http.StatusForbidden)

		platformtest.Must(e.P.Services.Campaigns.Move(platformtest.As(org), k.ID, campaign.Cancel))(t)
		_, page = b.Get(imports)
		if !strings.Contains(page, `data-testid="imports-closed"`) || strings.Contains(page, `data-testid="upload-form"`) {
			t.Errorf("a cancelled campaign is offered a file")
		}
		resp, page = b.PostFile(imports, nil, "file", "leads.csv", []byte(frenchLeads))
		wantStatus(t, "upload into a cancelled campaign", resp, page, http.StatusConflict)
		if !strings.Contains(text(page), "Cette campagne ne prend plus de contacts.") {
			t.Errorf("the refusal does not say why")
		}
		_, page = b.Get(imports)
		if !strings.Contains(page, `data-testid="no-imports"`) {
			t.Errorf("an upload into a cancelled campaign was kept")
		}
	})
}

// TestALeadFileOverTheLimitIsRefusedBeforeItIsRead: the upload route takes
// a lead file of up to store.MaxFileSize; the server refuses a larger
// body from its headers, before the handler, with a page saying the limit.
func TestALeadFileOverTheLimitIsRefusedBeforeItIsRead(t *testing.T) {
	e := platformtest.New(t)
	if perm, ok := e.P.Server.Permission(http.MethodPost, "/portal/campaigns/:id/imports"); !ok || perm != tenancy.PermLeadsWrite {
		t.Fatalf("the upload route declares %q", perm)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.P.Server.Serve(ctx, ln) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	tooLarge(t, "http://"+ln.Addr().String(), "/portal/campaigns/"+uuid.NewString()+"/imports")
}

// tooLarge announces a lead file of more than the limit to the upload
// route and sends only the little of it the HTTP server reads ahead before
// any handler runs (8 KiB and a byte): the server must answer from the
// headers.
func tooLarge(t *testing.T, base, path string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nAccept: text/html\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n",
		path, u.Host, store.MaxFileSize+1)
	if _, err := conn.Write(bytes.Repeat([]byte("x"), 8<<10+1)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "au-delà de la limite de 200 MiB") ||
		!strings.Contains(string(body), "Trop volumineux") {
		t.Errorf("a body over the limit: %d\n%s", resp.StatusCode, body)
	}
}
