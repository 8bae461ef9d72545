package portal_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// text undoes the HTML escaping of a page ("+" is written &#43;).
func text(page string) string { return html.UnescapeString(page) }

// parisClient creates a client org working in Paris time, with an owner.
func parisClient(t *testing.T, e *platformtest.Env, name string) (tenancy.Org, string) {
	t.Helper()
	org, err := e.P.DB.CreateOrg(context.Background(), tenancy.NewOrgInput{Kind: tenancy.KindClient, Name: name, Country: "FR",
		Timezone: "Europe/Paris"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	email := "owner@" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".test"
	e.Member(org, email, "owner", "paris password")
	return org, email
}

// signIn returns a browser signed in as email.
func signIn(e *platformtest.Env, email, password string) *platformtest.Browser {
	b := e.Browser()
	b.Login(email, password)
	return b
}

// post submits a form of the page at path, with its CSRF token.
func post(t *testing.T, b *platformtest.Browser, path, action string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, page := b.Get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, page)
	}
	form.Set("_csrf", platformtest.CSRF(t, page))
	return b.Post(action, form)
}

// upload sends a file with the upload form of the page at path.
func upload(t *testing.T, b *platformtest.Browser, path, action, fileName, content string) (*http.Response, string) {
	t.Helper()
	if resp, page := b.Get(path); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, page)
	}
	return b.PostFile(action, nil, "file", fileName, []byte(content))
}

func wantStatus(t *testing.T, what string, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: %d, want %d\n%s", what, resp.StatusCode, want, body)
	}
}

var reasonOf = regexp.MustCompile(`data-testid="decision-reason" data-reason="([a-z_]+)"`)

// decide asks the compliance page about a number and returns the reason
// code it shows.
func decide(t *testing.T, b *platformtest.Browser, number, country, audience, kind string) (string, string) {
	t.Helper()
	resp, page := post(t, b, "/portal/compliance", "/portal/compliance", url.Values{"number": {number}, "country": {country},
		"audience": {audience}, "kind": {kind}})
	wantStatus(t, "ask about "+number, resp, page, http.StatusOK)
	m := reasonOf.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no decision on the page:\n%s", page)
	}
	return m[1], page
}

// TestOutOfHoursConsentThroughTheForm: the consent form records the
// decree's out-of-hours consent as a kind of its own, with its proof.
func TestOutOfHoursConsentThroughTheForm(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		_, owner := parisClient(t, e, "Maison Lumiere")
		b := signIn(e, owner, "paris password")
		if _, page := b.Get("/portal/consents"); !strings.Contains(page, `value="out_of_hours"`) {
			t.Fatalf("the consent form offers no out-of-hours consent")
		}
		resp, page := post(t, b, "/portal/consents", "/portal/consents", url.Values{"phone": {"06 12 34 56 78"}, "source": {"formulaire web"},
			"captured_at": {"2026-06-02T14:30"}, "proof_ref": {"form-7731"}, "kinds": {"prospecting", "out_of_hours"}})
		wantStatus(t, "record an out-of-hours consent", resp, page, http.StatusSeeOther)
		if _, page = b.Get("/portal/consents"); !strings.Contains(text(page), "Prospection, Hors des jours et horaires légaux") {
			t.Errorf("the consents page does not show the out-of-hours consent\n%s", text(page))
		}
	})
}

func TestConsentRecordedThroughTheFormIsListedAndCanBeWithdrawn(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		_, owner := parisClient(t, e, "Maison Lumiere")
		b := signIn(e, owner, "paris password")

		resp, page := post(t, b, "/portal/consents", "/portal/consents", url.Values{"phone": {"06 12 34 56 78"}, "source": {"formulaire web"},
			"captured_at": {"2026-06-02T14:30"}, "proof_ref": {"form-7731"}, "kinds": {"prospecting", "survey"}})
		wantStatus(t, "record a consent", resp, page, http.StatusSeeOther)
		_, page = b.Get("/portal/consents")
		for _, want := range []string{"06 12 34 56 78", "formulaire web", "form-7731", "Prospection, Enquête",
			"2026-06-02 14:30 CEST", "1 consentement(s) enregistré(s)."} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the consents page lacks %q", want)
			}
		}
		// The filter takes the number as people write it.
		if _, page := b.Get("/portal/consents?phone=0612345678"); !strings.Contains(text(page), "06 12 34 56 78") {
			t.Errorf("filtering by 0612345678 does not show the consent")
		}
		if _, page := b.Get("/portal/consents?phone=0698765432"); !strings.Contains(page, `data-testid="no-consents"`) {
			t.Errorf("filtering by another number shows consents")
		}

		// A bad form is refused with its fields named and the values kept.
		resp, page = post(t, b, "/portal/consents", "/portal/consents", url.Values{"phone": {"06 12"}, "source": {""},
			"captured_at": {"2026-06-02T14:30"}})
		wantStatus(t, "a bad consent", resp, page, http.StatusUnprocessableEntity)
		for _, want := range []string{`data-field="phone"`, `data-field="source"`, `value="06 12"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused form lacks %q\n%s", want, page)
			}
		}

		resp, page = post(t, b, "/portal/consents", "/portal/consents/withdraw", url.Values{"phone": {"+33 6 12 34 56 78"}})
		wantStatus(t, "withdraw", resp, page, http.StatusSeeOther)
		if _, page := b.Get("/portal/consents"); !strings.Contains(page, "Retiré le") {
			t.Errorf("the withdrawn consent is not shown as withdrawn")
		}
		resp, page = post(t, b, "/portal/consents", "/portal/consents/withdraw", url.Values{"phone": {"06 98 76 54 32"}})
		wantStatus(t, "withdraw a number without consent", resp, page, http.StatusNotFound)
		if !strings.Contains(page, `data-testid="withdraw-error"`) {
			t.Errorf("withdrawing an unknown consent does not say so")
		}
	})
}

func TestBulkConsentsAreAllOrNothingWithEveryBadLineShown(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		u := signIn(e, ml.Owner.Email, ml.Password)

		bad := "\ufeffphone;source;captured_at;proof_ref;kinds\r\n" +
			"06 12 34 56 78;checkout;2026-06-02T14:30:00+02:00;order-1;prospecting,survey\r\n" +
			"06 98 76 54 32;checkout;2026-06-02 14:30;order-2;\r\n" +
			"06 11 22 33 44;checkout;2026-06-02T14:30:00Z;order-3;telemarketing\r\n"
		resp, page := upload(t, u, "/portal/consents", "/portal/consents/upload", "consents.csv", bad)
		wantStatus(t, "upload a file with bad lines", resp, page, http.StatusUnprocessableEntity)
		rows := regexp.MustCompile(`<tr data-testid="bad-line" data-line="(\d+)" data-field="([a-z_\[\]0-9]*)">`).FindAllStringSubmatch(page, -1)
		got := []string{}
		for _, r := range rows {
			got = append(got, r[1]+":"+r[2])
		}
		if strings.Join(got, " ") != "3:captured_at 4:kinds[0]" {
			t.Errorf("bad lines shown: %v, want line 3 captured_at and line 4 kinds[0]\n%s", got, page)
		}
		if !strings.Contains(text(page), "consents.csv") || !strings.Contains(text(page), "2026-06-02 14:30") {
			t.Errorf("the report does not name the file or quote the bad value")
		}
		if _, page := u.Get("/portal/consents"); !strings.Contains(page, `data-testid="no-consents"`) {
			t.Errorf("a refused file recorded consents")
		}

		// Commas, no BOM, no header, a kinds cell quoted: all recorded.
		good := "06 12 34 56 78,checkout,2026-06-02T14:30:00+02:00,order-1,\"prospecting,survey\"\n" +
			"+33698765432,newsletter,2026-06-03T09:00:00Z,,\n"
		resp, page = upload(t, u, "/portal/consents", "/portal/consents/upload", "consents.csv", good)
		wantStatus(t, "upload a good file", resp, page, http.StatusSeeOther)
		_, page = u.Get("/portal/consents")
		for _, want := range []string{"06 12 34 56 78", "06 98 76 54 32", "Prospection, Enquête", "Tous les types", "2 consentement(s) enregistré(s)."} {
			if !strings.Contains(text(page), want) {
				t.Errorf("after the upload the list lacks %q", want)
			}
		}
	})
}

func TestSuppressedNumberIsDecidedSuppressedWithEvidenceAndCounts(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		b := signIn(e, ml.Owner.Email, ml.Password)

		resp, page := post(t, b, "/portal/suppressions", "/portal/suppressions", url.Values{"phone": {"06 11 22 33 44"},
			"reason": {"ne plus appeler"}, "source": {"appel du 10 juin"}})
		wantStatus(t, "add a number to the list", resp, page, http.StatusSeeOther)
		if _, page := b.Get("/portal/suppressions"); !strings.Contains(text(page), "06 11 22 33 44") || !strings.Contains(text(page), "ne plus appeler") {
			t.Errorf("the list does not show the number added")
		}

		reason, page := decide(t, b, "06 11 22 33 44", "FR", "b2c", "prospecting")
		if reason != "suppressed_client" {
			t.Fatalf("decision for a number on the client's list: %s", reason)
		}
		for _, want := range []string{"liste d'opposition du client", "RGPD, art. 21", "FR-B2C"} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the decision lacks %q", want)
			}
		}

		// A dial refused for the number is evidence: the page lists it for the
		// number and counts it per campaign and rule.
		ctx := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(ml.Org, "dialer"))
		if _, err := e.P.Services.Compliance.Decide(ctx, compliance.Question{Number: "+33611223344", Country: "FR", Audience: "b2c",
			Kind: "prospecting", Purpose: compliance.PurposeDial}); err != nil {
			t.Fatal(err)
		}
		_, page = decide(t, b, "0611223344", "FR", "b2c", "prospecting")
		if !strings.Contains(page, `data-testid="evidence"`) || !strings.Contains(page, "Appel") {
			t.Errorf("the evidence of the refused dial is not shown")
		}
		counts := regexp.MustCompile(`(?s)data-testid="blocks".*?<tr data-testid="block" data-reason="suppressed_client"><td>—</td>.*?<td class="num">1</td>`)
		if !counts.MatchString(page) {
			t.Errorf("the block counts do not show one suppressed_client block without campaign\n%s", page)
		}

		// Removing the number lifts the block.
		_, list := b.Get("/portal/suppressions")
		id := regexp.MustCompile(`/portal/suppressions/([0-9a-f-]{36})/remove`).FindStringSubmatch(list)
		if id == nil {
			t.Fatalf("no remove button on the list\n%s", list)
		}
		resp, page = b.Post("/portal/suppressions/"+id[1]+"/remove", url.Values{"_csrf": {platformtest.CSRF(t, list)}})
		wantStatus(t, "remove", resp, page, http.StatusSeeOther)
		if reason, _ := decide(t, b, "06 11 22 33 44", "FR", "b2c", "prospecting"); reason == "suppressed_client" {
			t.Errorf("the number is still suppressed after its removal")
		}

		// A question that is not valid names its fields.
		resp, page = post(t, b, "/portal/compliance", "/portal/compliance", url.Values{"number": {"12"}, "country": {"XX"},
			"audience": {"b2c"}, "kind": {"prospecting"}})
		wantStatus(t, "a bad question", resp, page, http.StatusUnprocessableEntity)
		if !strings.Contains(page, `data-field="country"`) || !strings.Contains(page, `data-field="number"`) {
			t.Errorf("the refused question does not name its fields\n%s", page)
		}
	})
}

func TestExportsAreCSVFilesThatUploadBack(t *testing.T) {
	e := platformtest.New(t)
	_, owner := parisClient(t, e, "Maison Lumiere")
	b := signIn(e, owner, "paris password")
	for _, form := range []url.Values{
		{"phone": {"06 12 34 56 78"}, "source": {"=HYPERLINK(\"x\")"}, "captured_at": {"2026-06-02T14:30"}, "proof_ref": {"order-10482"}, "kinds": {"prospecting"}},
		{"phone": {"06 98 76 54 32"}, "source": {"newsletter"}, "captured_at": {"2026-06-03T09:00"}},
	} {
		if resp, page := post(t, b, "/portal/consents", "/portal/consents", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record: %d\n%s", resp.StatusCode, page)
		}
	}
	resp, body := b.Get("/portal/consents/export")
	wantStatus(t, "export consents", resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="consents-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	want := []string{
		"\ufeffTéléphone;Source;Recueilli le;Référence de preuve;Types d'appels;Retiré le;Enregistré le",
		"+33698765432;newsletter;2026-06-03T07:00:00Z;;;;",
		`+33612345678;"'=HYPERLINK(""x"")";2026-06-02T12:30:00Z;order-10482;Prospection;;`,
	}
	if len(lines) != len(want) {
		t.Fatalf("export:\n%s", body)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("export line %d: %q, want it to start with %q", i+1, lines[i], w)
		}
	}
	if _, page := b.Get("/portal/consents/export?phone=0698765432"); strings.Contains(page, "+33612345678") {
		t.Errorf("the filtered export holds another number")
	}

	// The export uploads back as it is (into another client's registry).
	other := e.Org(tenancy.KindClient, "Atelier Nord", "FR")
	u := signIn(e, other.Owner.Email, other.Password)
	if resp, page := upload(t, u, "/portal/consents", "/portal/consents/upload", "export.csv", body); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload the export: %d\n%s", resp.StatusCode, page)
	}
	if _, page := u.Get("/portal/consents"); !strings.Contains(text(page), `=HYPERLINK("x")`) {
		t.Errorf("the protected source did not come back as it was\n%s", page)
	}

	if resp, page := post(t, b, "/portal/suppressions", "/portal/suppressions", url.Values{"phone": {"06 11 22 33 44"}, "reason": {"stop"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", resp.StatusCode, page)
	}
	resp, body = b.Get("/portal/suppressions/export")
	wantStatus(t, "export the list", resp, body, http.StatusOK)
	if !strings.HasPrefix(body, "\ufeffTéléphone;Motif;Source;Ajouté le\r\n+33611223344;stop;;") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("suppression export:\n%s", body)
	}
}

func TestBulkSuppressionsAreAllOrNothing(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	u := signIn(e, ml.Owner.Email, ml.Password)
	resp, page := upload(t, u, "/portal/suppressions", "/portal/suppressions/upload", "stop.txt", "06 11 22 33 44\n0612\n+33 6 98 76 54 32\n")
	wantStatus(t, "a list with a bad line", resp, page, http.StatusUnprocessableEntity)
	if !strings.Contains(page, `<tr data-testid="bad-line" data-line="2" data-field="phone">`) {
		t.Errorf("line 2 is not reported\n%s", page)
	}
	if _, page := u.Get("/portal/suppressions"); !strings.Contains(page, `data-testid="no-suppressions"`) {
		t.Errorf("a refused file added numbers")
	}
	resp, page = upload(t, u, "/portal/suppressions", "/portal/suppressions/upload", "stop.csv",
		"Téléphone;reason;crm_id\n06 11 22 33 44;stop;881\n+33 6 98 76 54 32;;882\n")
	wantStatus(t, "a CSV file with a phone column", resp, page, http.StatusSeeOther)
	_, page = u.Get("/portal/suppressions")
	for _, want := range []string{"06 11 22 33 44", "06 98 76 54 32", "stop.csv", "2 numéros dans le fichier, 2 nouveaux sur la liste."} {
		if !strings.Contains(text(page), want) {
			t.Errorf("the list lacks %q", want)
		}
	}
}

// TestBulkUploadsReadWhatLeadFilesRead: the consent and opt-out uploads
// read files as lead files are read (pkg/leadfile): a Windows-1252 export
// from Excel for Mac (lone CR line ends) whose phone column is "Tél." is
// taken; a NUL or another control character in a cell refuses the file,
// naming the line and the column, instead of reaching the database.
func TestBulkUploadsReadWhatLeadFilesRead(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		u := signIn(e, ml.Owner.Email, ml.Password)
		resp, page := upload(t, u, "/portal/suppressions", "/portal/suppressions/upload", "stop.csv",
			"T\xe9l.;reason\r06 11 22 33 44;appel re\xe7u\r+33 6 98 76 54 32;\r")
		wantStatus(t, "a Windows-1252 file with lone CR line ends", resp, page, http.StatusSeeOther)
		_, page = u.Get("/portal/suppressions")
		for _, want := range []string{"06 11 22 33 44", "appel reçu", "06 98 76 54 32"} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the list lacks %q", want)
			}
		}

		resp, page = upload(t, u, "/portal/consents", "/portal/consents/upload", "consents.csv",
			"phone;source;captured_at\n06 12 34 56 78;site;2026-06-02T14:30:00Z\n06 98 76 54 31;sa\x00lon;2026-06-02T14:30:00Z\n")
		wantStatus(t, "a NUL in a cell", resp, page, http.StatusUnprocessableEntity)
		if !regexp.MustCompile(`<tr data-testid="bad-line" data-line="3" data-field="source"><td>3</td><td>Source</td><td>[^<]*caractère de contrôle U(\+|&#43;)0000 \(NUL\)`).MatchString(page) {
			t.Errorf("line 3 is not reported\n%s", page)
		}
		if _, page := u.Get("/portal/consents"); !strings.Contains(page, `data-testid="no-consents"`) {
			t.Errorf("a refused file recorded consents")
		}
	})
}

func TestAnalystReadsButCannotChange(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	e.Member(ml.Org, "analyst@ml.test", "analyst", "analyst password")
	b := signIn(e, "analyst@ml.test", "analyst password")
	for _, path := range []string{"/portal/compliance", "/portal/consents", "/portal/suppressions", "/portal/consents/export", "/portal/suppressions/export"} {
		resp, page := b.Get(path)
		wantStatus(t, "analyst on "+path, resp, page, http.StatusOK)
		if strings.Contains(page, `method="post" action="/portal/consents"`) || strings.Contains(page, `action="/portal/suppressions/upload"`) {
			t.Errorf("%s offers the analyst a form they may not send", path)
		}
	}
	// Asking is reading.
	if reason, _ := decide(t, b, "06 12 34 56 78", "FR", "b2c", "prospecting"); reason == "" {
		t.Errorf("the analyst got no answer")
	}
	_, page := b.Get("/portal/consents")
	csrf := platformtest.CSRF(t, page)
	for _, action := range []string{"/portal/consents", "/portal/consents/withdraw", "/portal/suppressions",
		"/portal/suppressions/01900000-0000-7000-8000-000000000000/remove"} {
		resp, body := b.Post(action, url.Values{"_csrf": {csrf}, "phone": {"06 12 34 56 78"}, "source": {"x"}, "captured_at": {"2026-06-02T14:30"}})
		wantStatus(t, "analyst posting to "+action, resp, body, http.StatusForbidden)
	}
	u := signIn(e, "analyst@ml.test", "analyst password")
	if resp, body := upload(t, u, "/portal/consents", "/portal/consents/upload", "c.csv", "06 12 34 56 78;x;2026-06-02T14:30:00Z;;\n"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst uploading consents: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := b.Get("/portal/consents/export"); resp.StatusCode != http.StatusOK {
		t.Errorf("analyst export: %d", resp.StatusCode)
	}

	// Billing staff do not see compliance at all.
	e.Member(ml.Org, "billing@ml.test", "billing", "billing password")
	billing := signIn(e, "billing@ml.test", "billing password")
	if resp, _ := billing.Get("/portal/consents"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("billing on /portal/consents: %d, want 403", resp.StatusCode)
	}
}

func TestAClientSeesNoneOfAnotherClientsRecords(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		a := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		bOrg := e.Org(tenancy.KindClient, "Atelier Nord", "FR")
		ba := signIn(e, a.Owner.Email, a.Password)
		if resp, page := post(t, ba, "/portal/consents", "/portal/consents", url.Values{"phone": {"06 12 34 56 78"}, "source": {"secret source"},
			"captured_at": {"2026-06-02T14:30"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record: %d\n%s", resp.StatusCode, page)
		}
		if resp, page := post(t, ba, "/portal/suppressions", "/portal/suppressions", url.Values{"phone": {"06 11 22 33 44"}, "reason": {"secret reason"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d\n%s", resp.StatusCode, page)
		}
		_, list := ba.Get("/portal/suppressions")
		id := regexp.MustCompile(`/portal/suppressions/([0-9a-f-]{36})/remove`).FindStringSubmatch(list)
		if id == nil {
			t.Fatal("no entry on A's list")
		}

		bb := signIn(e, bOrg.Owner.Email, bOrg.Password)
		for _, path := range []string{"/portal/consents", "/portal/consents?phone=0612345678", "/portal/suppressions",
			"/portal/consents/export", "/portal/suppressions/export"} {
			_, page := bb.Get(path)
			for _, leak := range []string{"+33612345678", "+33611223344", "secret"} {
				if strings.Contains(text(page), leak) {
					t.Errorf("B sees %q of A on %s", leak, path)
				}
			}
		}
		if reason, _ := decide(t, bb, "06 11 22 33 44", "FR", "b2c", "prospecting"); reason == "suppressed_client" {
			t.Errorf("A's opt-out blocks B's calls")
		}
		_, page := bb.Get("/portal/suppressions")
		resp, body := bb.Post("/portal/suppressions/"+id[1]+"/remove", url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		wantStatus(t, "B removing A's entry", resp, body, http.StatusNotFound)
		resp, body = bb.Post("/portal/consents/withdraw", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "phone": {"06 12 34 56 78"}})
		wantStatus(t, "B withdrawing A's consent", resp, body, http.StatusNotFound)
		if _, page := ba.Get("/portal/suppressions"); !strings.Contains(text(page), "06 11 22 33 44") {
			t.Errorf("A's entry is gone after B's attempt")
		}
		if _, page := ba.Get("/portal/consents"); strings.Contains(page, "Retiré le") {
			t.Errorf("A's consent was withdrawn by B")
		}
	})
}

func TestDecisionTimeIsTheOrgsAndTheNextTimeTheCallees(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	b := signIn(e, ml.Owner.Email, ml.Password)
	// Monday 14 July 2025, 10:00 in Paris: a public holiday. B2B calls are
	// not blocked by consent, so the holiday is what blocks.
	resp, page := post(t, b, "/portal/compliance", "/portal/compliance", url.Values{"number": {"01 44 55 66 77"}, "country": {"FR"},
		"audience": {"b2b"}, "kind": {"prospecting"}, "at": {"2025-07-14T10:00"}})
	wantStatus(t, "ask on 14 July", resp, page, http.StatusOK)
	if m := reasonOf.FindStringSubmatch(page); m == nil || m[1] != "holiday" {
		t.Fatalf("14 July: %v\n%s", m, page)
	}
	if !strings.Contains(page, `data-testid="decision-next">2025-07-15 09:00 CEST`) {
		t.Errorf("the next allowed time is not Tuesday 09:00 in Paris\n%s", page)
	}
	resp, page = post(t, b, "/portal/compliance", "/portal/compliance", url.Values{"number": {"01 44 55 66 77"}, "country": {"FR"},
		"audience": {"b2b"}, "kind": {"prospecting"}, "at": {"14/07/2025"}})
	wantStatus(t, "a bad time", resp, page, http.StatusUnprocessableEntity)
}
