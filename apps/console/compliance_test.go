package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func text(page string) string { return html.UnescapeString(page) }

func TestAdminVerifiesACentersProfile(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		admin := e.Org(tenancy.KindPlatform, "Plateau", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		e.Org(tenancy.KindCenter, "Teranga", "SN") // never filled its profile
		signed, expires := time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC), time.Now().AddDate(1, 0, 0)
		if _, err := e.P.Services.Compliance.SaveCenterProfile(platformtest.As(atlas.Org), compliance.CenterProfile{SCCSignedAt: &signed,
			SCCModule: "2", TIAOnFile: true, AuthorityRef: "D-GC-248/2025", AuthorityExpiresAt: &expires,
			Documents: []string{"SCC.pdf", "CNDP.pdf"}}); err != nil {
			t.Fatal(err)
		}

		b := e.Browser()
		b.Login(admin.Owner.Email, admin.Password)
		resp, page := b.Get("/console/data-protection")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET: %d\n%s", resp.StatusCode, page)
		}
		for _, want := range []string{"Atlas Contact", "Teranga", "D-GC-248/2025", "CNDP.pdf", "Le dossier n'a pas encore été rempli.",
			"la vérification du dossier actuel par la plateforme", "/console/data-protection/" + atlas.Org.ID.String() + "/verify"} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the console page lacks %q", want)
			}
		}
		if n := strings.Count(page, `data-testid="verify"`); n != 1 {
			t.Errorf("%d verify buttons, want one (Teranga has nothing to verify)", n)
		}
		resp, body := b.Post("/console/data-protection/"+atlas.Org.ID.String()+"/verify", url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d\n%s", resp.StatusCode, body)
		}
		_, page = b.Get("/console/data-protection")
		if !strings.Contains(text(page), "Atlas Contact : dossier de protection des données vérifié.") {
			t.Errorf("the verification is not confirmed, naming the center")
		}
		if !strings.Contains(text(page), "Peut recevoir des données personnelles de l'UE") || !strings.Contains(page, admin.Owner.Email) ||
			strings.Contains(page, `data-testid="verify"`) {
			t.Errorf("after verification the page does not show Atlas verified\n%s", page)
		}

		// The center sees it; a change voids it.
		cb := e.Browser()
		cb.Login(atlas.Owner.Email, atlas.Password)
		_, page = cb.Get("/center/data-protection")
		if !strings.Contains(text(page), "Peut recevoir des données personnelles de l'UE") {
			t.Errorf("the center does not see its verified status")
		}
		resp, _ = cb.Post("/center/data-protection", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "scc_signed_at": {"2025-11-03"},
			"scc_module": {"3"}, "tia_on_file": {"1"}, "authority_ref": {"D-GC-248/2025"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("center save: %d", resp.StatusCode)
		}
		if _, page := b.Get("/console/data-protection"); !strings.Contains(page, `data-testid="verify"`) {
			t.Errorf("a changed profile is not offered for verification again")
		}

		// Verifying a center that has no profile, or a client, is refused.
		_, page = b.Get("/console/data-protection")
		client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		for _, id := range []string{client.Org.ID.String(), "not-an-id"} {
			if resp, _ := b.Post("/console/data-protection/"+id+"/verify", url.Values{"_csrf": {platformtest.CSRF(t, page)}}); resp.StatusCode != http.StatusNotFound {
				t.Errorf("verify %s: %d, want 404", id, resp.StatusCode)
			}
		}
		cl := e.Browser()
		cl.Login(client.Owner.Email, client.Password)
		for _, path := range []string{"/console/data-protection", "/console/national-lists"} {
			if resp, _ := cl.Get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("client owner on %s: %d, want 403", path, resp.StatusCode)
			}
		}
		_, page = cb.Get("/center/data-protection")
		if resp, _ := cb.Post("/console/data-protection/"+atlas.Org.ID.String()+"/verify", url.Values{"_csrf": {platformtest.CSRF(t, page)}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a center verifying itself: %d, want 403", resp.StatusCode)
		}
	})
}

var reasonOf = regexp.MustCompile(`data-testid="decision-reason" data-reason="([a-z_]+)"`)

func decide(t *testing.T, b *platformtest.Browser, number, country string) string {
	t.Helper()
	_, page := b.Get("/portal/compliance")
	resp, page := b.Post("/portal/compliance", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "number": {number},
		"country": {country}, "audience": {"b2c"}, "kind": {"prospecting"}})
	m := reasonOf.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("ask about %s: %d\n%s", number, resp.StatusCode, page)
	}
	return m[1]
}

// uploadList sends the national-list form of the console page, fetched
// first as a person would.
func uploadList(t *testing.T, b *platformtest.Browser, code, freshAt, fileName, content string) (*http.Response, string) {
	t.Helper()
	if resp, page := b.Get("/console/national-lists"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /console/national-lists: %d\n%s", resp.StatusCode, page)
	}
	return b.PostFile("/console/national-lists", url.Values{"code": {code}, "fresh_at": {freshAt}}, "file", fileName, []byte(content))
}

func TestNationalListUploadGovernsDecisions(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		admin := e.Org(tenancy.KindPlatform, "Plateau", "FR")
		client := e.Org(tenancy.KindClient, "Sunshine Leads", "US")
		cb := e.Browser()
		cb.Login(client.Owner.Email, client.Password)
		if reason := decide(t, cb, "+1 310 555 1234", "US"); reason != string(compliance.ListMissing) {
			t.Fatalf("before any upload: %s, want national_list_missing", reason)
		}

		u := e.Browser()
		u.Login(admin.Owner.Email, admin.Password)
		resp, page := u.Get("/console/national-lists")
		if resp.StatusCode != http.StatusOK || !strings.Contains(text(page), "4 Mio") {
			t.Fatalf("the page does not state the size limit: %d\n%s", resp.StatusCode, page)
		}

		// One bad line: refused with its report, nothing stored.
		today := time.Now().UTC().Format(time.DateOnly)
		resp, page = uploadList(t, u, "US-DNC", today, "dnc-310.txt", "# area code 310\n3105551234\n310-555-0199\n0105551234\n")
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a file with a bad line: %d\n%s", resp.StatusCode, page)
		}
		if !regexp.MustCompile(`<tr data-testid="bad-line"><td>4</td><td><code>0105551234</code></td><td>[^<]*area code`).MatchString(page) {
			t.Errorf("the report does not show line 4, its text and error\n%s", page)
		}
		if copies, err := e.P.Services.Compliance.NationalLists(context.Background()); err != nil || len(copies) != 0 {
			t.Errorf("a refused file was stored: %v %v", copies, err)
		}

		resp, page = uploadList(t, u, "US-DNC", today, "dnc-310.txt", "# area code 310\n3105551234\n310-555-0199\n(310) 555-1234\n")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", resp.StatusCode, page)
		}
		_, page = u.Get("/console/national-lists")
		row := regexp.MustCompile(`(?s)<tr data-testid="list-US-DNC">.*?</tr>`).FindString(page)
		for _, want := range []string{today, `<td class="num">2</td>`, "dnc-310.txt"} {
			if !strings.Contains(row, want) {
				t.Errorf("the US-DNC row lacks %q:\n%s", want, row)
			}
		}
		if strings.Contains(row, `data-testid="stale"`) {
			t.Errorf("a copy of today is shown stale")
		}
		if !strings.Contains(text(page), "US-DNC : 2 numéros chargés") {
			t.Errorf("no confirmation of the upload")
		}

		if reason := decide(t, cb, "+1 310 555 1234", "US"); reason != string(compliance.NationalList) {
			t.Errorf("a listed US number: %s, want national_list", reason)
		}
		if reason := decide(t, cb, "+1 310 555 7777", "US"); reason == string(compliance.NationalList) || reason == string(compliance.ListMissing) {
			t.Errorf("a number not listed: %s", reason)
		}

		// A copy older than 31 days is stale, and blocks every US call.
		old := time.Now().UTC().AddDate(0, 0, -40).Format(time.DateOnly)
		resp, page = uploadList(t, u, "US-DNC", old, "dnc-old.txt", "3105551234\n")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload an old copy: %d\n%s", resp.StatusCode, page)
		}
		_, page = u.Get("/console/national-lists")
		if !strings.Contains(page, `data-testid="stale"`) || !strings.Contains(text(page), "plus de 31 jours") {
			t.Errorf("a 40-day-old copy is not shown stale\n%s", page)
		}
		if reason := decide(t, cb, "+1 310 555 7777", "US"); reason != string(compliance.ListStale) {
			t.Errorf("with a stale copy: %s, want national_list_stale", reason)
		}

		// The form's own fields.
		resp, page = uploadList(t, u, "XX-NONE", "2099-01-01", "", "")
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a bad form: %d", resp.StatusCode)
		}
		for _, want := range []string{`data-field="code"`, `data-field="fresh_at"`, `data-field="file"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused form does not name %s", want)
			}
		}
	})
}
