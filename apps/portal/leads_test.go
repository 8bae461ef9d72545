package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// importLeads imports a file into a campaign with the detected mapping and
// runs the job, as org's system; it returns the import.
func importLeads(t *testing.T, e *platformtest.Env, org tenancy.Org, campaignID uuid.UUID, name, file string) uuid.UUID {
	t.Helper()
	ctx := platformtest.As(org)
	im := platformtest.Must(e.P.Services.Leads.Upload(ctx, campaignID, name, strings.NewReader(file)))(t)
	r := platformtest.Must(leadfile.NewReader(strings.NewReader(file), leadfile.Options{Region: "FR"}))(t)
	platformtest.Must(e.P.Services.Leads.Start(ctx, im.ID, r.Mapping()))(t)
	runImport(t, e, org, im.ID)
	return im.ID
}

var leadLink = regexp.MustCompile(`<a href="(/portal/campaigns/[0-9a-f-]{36}/leads/[0-9a-f-]{36})">([^<]+)</a>`)

// leadsOn reads the leads listed on a page: their pages by name.
func leadsOn(page string) map[string]string {
	out := map[string]string{}
	for _, m := range leadLink.FindAllStringSubmatch(page, -1) {
		out[text(m[2])] = m[1]
	}
	return out
}

// TestLeadsAreCountedFilteredSearchedAndDetailed: the campaign's leads,
// counted by status and block reason (each count a filter), searched by a
// number written as people write it or by the start of a name, and a
// lead's page with its fields, consent, the decision that blocked it and
// where it came from.
func TestLeadsAreCountedFilteredSearchedAndDetailed(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner, k := prospecting(t, e, "Maison Lumiere")
		importLeads(t, e, org, k.ID, "leads.csv", frenchLeads)
		b := signIn(e, owner, "paris password")
		base := "/portal/campaigns/" + k.ID.String() + "/leads"

		resp, page := b.Get("/portal/leads")
		wantStatus(t, "the leads overview", resp, page, http.StatusOK)
		if !strings.Contains(page, `href="`+base+`"`) || testid(page, "lead-total") != "4" || !strings.Contains(page, `href="/portal/leads" aria-current="page"`) {
			t.Errorf("the overview does not list the campaign with its 4 leads:\n%s", page)
		}

		resp, page = b.Get(base)
		wantStatus(t, "the campaign's leads", resp, page, http.StatusOK)
		if got := leadsOn(page); len(got) != 4 {
			t.Fatalf("%d leads listed, want 4: %v", len(got), got)
		}
		if testid(page, "leads-total") != "4 contact(s)" || !strings.Contains(page, `href="/portal/campaigns/`+k.ID.String()+`/imports" data-testid="import-leads"`) {
			t.Errorf("the list lacks its total or its import link")
		}
		for tid, want := range map[string]string{"status-ready": "Prêt 2", "status-blocked": "Bloqué 2",
			"reason-no_consent": "Pas de consentement préalable 1", "reason-suppressed_client": "Sur votre liste d'opposition 1"} {
			m := regexp.MustCompile(`(?s)<a href="([^"]+)" data-testid="` + tid + `"[^>]*>(.*?)</a>`).FindStringSubmatch(page)
			if m == nil || visibleText(m[2]) != want {
				t.Errorf("the count %s is %q, want %q", tid, m, want)
			}
		}
		for query, want := range map[string][]string{
			"status=blocked":                         {"Noël Dupré", "Zoé Côté"},
			"status=blocked&reason=no_consent":       {"Zoé Côté"},
			"status=ready":                           {"Hélène Lefèvre", "Loïc Ménard"},
			"q=" + url.QueryEscape("06.12.34.56.04"): {"Loïc Ménard"},
			"q=" + url.QueryEscape("+33612345601"):   {"Hélène Lefèvre"},
			"q=m%C3%A9n":                             {"Loïc Ménard"},
			"q=LUM":                                  {"Loïc Ménard"},
			"q=zz":                                   nil,
		} {
			resp, page := b.Get(base + "?" + query)
			wantStatus(t, "leads?"+query, resp, page, http.StatusOK)
			got := leadsOn(page)
			if len(got) != len(want) {
				t.Errorf("leads?%s: %v, want %v", query, got, want)
			}
			for _, name := range want {
				if got[name] == "" {
					t.Errorf("leads?%s lacks %s: %v", query, name, got)
				}
			}
		}
		if _, page := b.Get(base + "?q=06.12.34.56.04"); testid(page, "searched-number") != "Contacts au numéro 06 12 34 56 04" {
			t.Errorf("a number search does not say the number searched")
		}
		if _, page := b.Get(base + "?q=0612"); !strings.Contains(testid(page, "search-error"), "«\u00a00612\u00a0» n'est pas un numéro de téléphone lisible") {
			t.Errorf("a number that cannot be read is not said so:\n%s", page)
		}
		if _, page := b.Get(base + "?status=bogus&reason=bogus"); len(leadsOn(page)) != 4 {
			t.Errorf("unknown filters are not ignored")
		}

		leads := leadsOn(page)
		resp, page = b.Get(leads["Zoé Côté"])
		wantStatus(t, "a blocked lead", resp, page, http.StatusOK)
		words := visibleText(page)
		if testid(page, "lead-status") != "Bloqué" || testid(page, "block-reason") != "Pas de consentement préalable" ||
			!strings.Contains(testid(page, "block-explanation"), "consentement") ||
			!strings.Contains(words, "Jeu de règles FR-B2C-PROSPECTING@") ||
			!regexp.MustCompile(`Importé du fichier leads\.csv, ligne 4, par test`).MatchString(words) ||
			!strings.Contains(words, "Bloqué à l'import : Pas de consentement préalable") {
			t.Errorf("the blocked lead's page lacks its decision or history:\n%s", words)
		}
		_, page = b.Get(leads["Hélène Lefèvre"])
		if words := visibleText(page); !strings.Contains(words, "Panier 129 €") || !strings.Contains(words, "Ville Besançon") ||
			!strings.Contains(words, "Téléphone 06 12 34 56 01") || strings.Contains(page, `data-testid="lead-block"`) {
			t.Errorf("the ready lead's page:\n%s", words)
		}
		_, page = b.Get(leads["Loïc Ménard"])
		if words := visibleText(page); !strings.Contains(words, "Source du consentement salon") || !strings.Contains(words, "Société Lumens SARL") {
			t.Errorf("the lead's consent evidence:\n%s", words)
		}
		_, page = b.Get(leads["Noël Dupré"])
		if !strings.Contains(text(page), `href="/portal/campaigns/`+k.ID.String()+`/imports/`) {
			t.Errorf("the lead's history does not link its import")
		}
	})
}

// TestLeadListsArePaged: 60 leads are two pages, the filters carried
// along.
func TestLeadListsArePaged(t *testing.T) {
	e := platformtest.New(t)
	org, owner, k := prospecting(t, e, "Maison Lumiere")
	var file strings.Builder
	file.WriteString("Téléphone;Nom\n")
	for i := range 60 {
		fmt.Fprintf(&file, "06 11 00 00 %02d;Nom%02d\n", i, i)
	}
	importLeads(t, e, org, k.ID, "soixante.csv", file.String())
	b := signIn(e, owner, "paris password")
	_, page := b.Get("/portal/campaigns/" + k.ID.String() + "/leads?status=blocked")
	next := regexp.MustCompile(`href="([^"]+)" data-testid="next-page"`).FindStringSubmatch(page)
	if n := len(leadsOn(page)); n != store.DefaultLimit || next == nil {
		t.Fatalf("the first page has %d leads, next %v", n, next)
	}
	if !strings.Contains(text(next[1]), "status=blocked") {
		t.Errorf("the next page forgets the filter: %s", next[1])
	}
	_, second := b.Get(text(next[1]))
	if n := len(leadsOn(second)); n != 10 || strings.Contains(second, `data-testid="next-page"`) {
		t.Errorf("the second page has %d leads", n)
	}
	for name := range leadsOn(second) {
		if leadsOn(page)[name] != "" {
			t.Errorf("%s is on both pages", name)
		}
	}
}

// TestAnotherClientSeesNothingOfTheLeads: every lead and import page of a
// campaign answers 404 to another client, as do a lead or an import read
// through another campaign of the same client; billing staff have no lead
// pages; an analyst reads them without importing.
func TestAnotherClientSeesNothingOfTheLeads(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner, k := prospecting(t, e, "Maison Lumiere")
		importID := importLeads(t, e, org, k.ID, "leads.csv", frenchLeads)
		b := signIn(e, owner, "paris password")
		base := "/portal/campaigns/" + k.ID.String()
		_, page := b.Get(base + "/leads")
		leadPath := leadsOn(page)["Zoé Côté"]
		imp := base + "/imports/" + importID.String()
		pages := []string{base + "/leads", leadPath, base + "/imports", imp, imp + "/events", imp + "/report"}

		rival := e.Org(tenancy.KindClient, "Rival", "FR")
		other := signIn(e, rival.Owner.Email, rival.Password)
		for _, p := range append(pages, "/portal/campaigns/"+uuid.NewString()+"/leads", "/portal/campaigns/not-an-id/leads",
			base+"/leads/not-an-id", base+"/imports/not-an-id") {
			resp, page := other.Get(p)
			wantStatus(t, "another client's GET "+p, resp, page, http.StatusNotFound)
			if strings.Contains(text(page), "Côté") || strings.Contains(page, "+3361234560") || strings.Contains(page, "leads.csv") {
				t.Errorf("%s shows the other client's leads", p)
			}
		}
		resp, page := other.Get("/portal/leads")
		wantStatus(t, "the rival's overview", resp, page, http.StatusOK)
		if strings.Contains(page, k.ID.String()) {
			t.Errorf("the rival's overview lists the other client's campaign")
		}
		resp, page = post(t, other, "/portal/leads", imp+"/start", url.Values{"field.0": {"phone"}})
		wantStatus(t, "another client starts the import", resp, page, http.StatusNotFound)
		resp, page = other.PostFile(base+"/imports", nil, "file", "x.csv", []byte("Téléphone;Nom\n0612345699;X\n"))
		wantStatus(t, "another client uploads", resp, page, http.StatusNotFound)

		// The same client's other campaign does not reach this one's rows.
		y := platformtest.Must(e.P.Services.Campaigns.Create(platformtest.As(org),
			campaign.Input{Name: "Autre", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}}))(t)
		ybase := "/portal/campaigns/" + y.ID.String()
		for _, p := range []string{strings.Replace(leadPath, base, ybase, 1), ybase + "/imports/" + importID.String(),
			ybase + "/imports/" + importID.String() + "/report"} {
			if resp, page := b.Get(p); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s through another campaign: %d\n%s", p, resp.StatusCode, page)
			}
		}

		e.Member(org, "billing@ml.test", string(tenancy.RoleBilling), "billing password")
		billing := signIn(e, "billing@ml.test", "billing password")
		for _, p := range []string{"/portal/leads", base + "/leads"} {
			resp, page := billing.Get(p)
			wantStatus(t, "billing staff's GET "+p, resp, page, http.StatusForbidden)
		}
		if _, page := billing.Get("/portal"); strings.Contains(page, `href="/portal/leads"`) {
			t.Errorf("billing staff are linked to the leads")
		}

		e.Member(org, "analyst@ml.test", string(tenancy.RoleAnalyst), "analyst password")
		analyst := signIn(e, "analyst@ml.test", "analyst password")
		for _, p := range pages {
			resp, page := analyst.Get(p)
			wantStatus(t, "the analyst's GET "+p, resp, page, http.StatusOK)
		}
		if _, page := analyst.Get(base + "/leads"); strings.Contains(page, `data-testid="import-leads"`) {
			t.Errorf("the analyst is offered to import")
		}
		resp, page = post(t, analyst, imp, imp+"/start", url.Values{"field.0": {"phone"}})
		wantStatus(t, "the analyst starts an import", resp, page, http.StatusForbidden)
	})
}
