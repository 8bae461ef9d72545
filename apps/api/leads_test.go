package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/apps/api"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type leadBody struct {
	ID          string            `json:"id"`
	CampaignID  string            `json:"campaign_id"`
	Phone       string            `json:"phone"`
	PhoneMasked bool              `json:"phone_masked"`
	Email       *string           `json:"email"`
	FirstName   string            `json:"first_name"`
	LastName    string            `json:"last_name"`
	Custom      map[string]string `json:"custom"`
	Status      string            `json:"status"`
	ImportID    *string           `json:"import_id"`
	Line        int               `json:"line"`
	Consent     *struct {
		Source     string `json:"source"`
		CapturedAt string `json:"captured_at"`
	} `json:"consent"`
	Block *struct {
		Reason      string `json:"reason"`
		Rule        string `json:"rule"`
		RuleSet     string `json:"rule_set"`
		Explanation struct {
			FR string `json:"fr"`
			EN string `json:"en"`
		} `json:"explanation"`
		CheckedAt string `json:"checked_at"`
	} `json:"block"`
}

type leadList struct {
	Data       []leadBody `json:"data"`
	NextCursor *string    `json:"next_cursor"`
}

type summaryBody struct {
	Rows       int            `json:"rows"`
	Imported   int            `json:"imported"`
	Ready      int            `json:"ready"`
	Blocked    int            `json:"blocked"`
	Duplicates int            `json:"duplicates"`
	InCampaign int            `json:"in_campaign"`
	Invalid    int            `json:"invalid"`
	ByProblem  map[string]int `json:"by_problem"`
	ByReason   map[string]int `json:"by_reason"`
}

type batchBody struct {
	Summary summaryBody `json:"summary"`
	Results []struct {
		Index  int    `json:"index"`
		Status string `json:"status"`
		Lead   *struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Block  *struct {
				Reason string `json:"reason"`
			} `json:"block"`
		} `json:"lead"`
		Problem *struct {
			Code    string `json:"code"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"problem"`
	} `json:"results"`
}

type importBody struct {
	ID        string      `json:"id"`
	FileName  string      `json:"file_name"`
	Size      int64       `json:"size"`
	Status    string      `json:"status"`
	Percent   int         `json:"percent"`
	Encoding  string      `json:"encoding"`
	Delimiter string      `json:"delimiter"`
	Summary   summaryBody `json:"summary"`
	Error     string      `json:"error"`
	Mapping   []struct {
		Header string `json:"header"`
		Field  string `json:"field"`
		Name   string `json:"name"`
	} `json:"mapping"`
}

type importList struct {
	Data []importBody `json:"data"`
}

// frenchFile is a lead file as French Excel saves it: Windows-1252, ';',
// CRLF. Line 3 repeats line 2's number, line 5's number is too short.
const frenchFile = "Nom;Pr\xe9nom;T\xe9l\xe9phone;Soci\xe9t\xe9;Date consentement;Source consentement\r\n" +
	"Lef\xe8vre;H\xe9l\xe8ne;06 12 34 56 11;Lumi\xe8re SA;01/09/2026;site web\r\n" +
	"P\xe9rez;Ana\xefs;0612345611;;;\r\n" +
	"C\xf4t\xe9;Zo\xe9;06 12 34 56 12;;;\r\n" +
	"Gar\xe7on;J\xe9r\xf4me;06 12 34;;;\r\n"

// prospecting is a campaign request for B2C prospecting in country.
func prospecting(name, country string) map[string]any {
	c := newCampaign(name, country)
	c["kind"] = "prospecting"
	return c
}

// upload sends a lead file as the body of POST /campaigns/{id}/imports.
func upload(t *testing.T, e *platformtest.Env, campaignID, key, query, file string, headers ...string) *http.Response {
	t.Helper()
	return e.API(http.MethodPost, "/api/v1/campaigns/"+campaignID+"/imports"+query, key, file,
		append([]string{"Content-Type", "text/csv"}, headers...)...)
}

// runImport runs the import job at once, as the worker would.
func runImport(t *testing.T, e *platformtest.Env, client platformtest.Tenant, importID string) {
	t.Helper()
	if err := e.P.Services.Leads.RunImport(platformtest.As(client.Org), uuid.Nil, uuid.MustParse(importID)); err != nil {
		t.Fatal(err)
	}
}

// contractWith has center win client's campaign: published, offered,
// accepted, confirmed (with a verified profile, for EU data).
func contractWith(t *testing.T, e *platformtest.Env, client, center platformtest.Tenant, campaignID string) {
	t.Helper()
	saveVerifiedProfile(t, e, center)
	move(t, e, client.Key, campaignID, "publish", http.StatusOK)
	offer := must[offerBody](t, e, http.MethodPost, "/api/v1/campaigns/"+campaignID+"/offers", center.Key, newOffer(420_000), http.StatusCreated)
	contract := must[contractBody](t, e, http.MethodPost, "/api/v1/offers/"+offer.ID+"/accept", client.Key, nil, http.StatusCreated)
	must[contractBody](t, e, http.MethodPost, "/api/v1/contracts/"+contract.ID+"/confirm", center.Key, nil, http.StatusOK)
}

// TestLeadBatchesThroughTheAPI: a batch answers each item — made ready or
// blocked with the engine's reason, or refused with its path — and lands
// the good ones only; sending it again adds nothing; the client finds the
// leads by status, reason, number and name; a contracted center reads
// them masked and cannot add any.
func TestLeadBatchesThroughTheAPI(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		analyst := newKey(t, e, ml.Key, string(tenancy.RoleAnalyst))
		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, prospecting("Prospection", "FR"), http.StatusCreated)
		leads := "/api/v1/campaigns/" + x.ID + "/leads"
		must[added](t, e, http.MethodPost, "/api/v1/suppressions", ml.Key,
			map[string]any{"items": []map[string]string{{"phone": "06 12 34 56 05", "reason": "stop"}}}, http.StatusOK)

		items := []map[string]any{
			{"phone": "06 12 34 56 01", "first_name": "Hélène", "last_name": "Lefèvre", "email": "helene@lumiere.test",
				"consent_source": "site web", "consent_captured_at": "2026-09-01", "consent_proof": "form-42",
				"custom": map[string]string{"panier": "129 €"}},
			{"phone": "+33612345601"},
			{"phone": "12"},
			{"phone": "06 12 34 56 02", "timezone": "Mars/Olympus"},
			{"phone": "06 12 34 56 03", "last_name": "Côté", "company": "Côté Jardin"},
			{"phone": "06 12 34 56 04", "consent_source": "salon", "consent_captured_at": "demain"},
			{"phone": "06 12 34 56 05", "last_name": "Dupré", "consent_source": "site", "consent_captured_at": "2026-09-02"},
		}
		got := must[batchBody](t, e, http.MethodPost, leads, ml.Key, map[string]any{"items": items}, http.StatusOK)
		want := []struct{ status, lead, reason, code, field string }{
			{"created", "ready", "", "", ""},
			{"rejected", "", "", "duplicate", "items[1].phone"},
			{"rejected", "", "", "invalid_phone", "items[2].phone"},
			{"rejected", "", "", "timezone", "items[3].timezone"},
			{"created", "blocked", "no_consent", "", ""},
			{"rejected", "", "", "consent_date", "items[5].consent_captured_at"},
			{"created", "blocked", "suppressed_client", "", ""},
		}
		if len(got.Results) != len(want) {
			t.Fatalf("%d results for %d items: %+v", len(got.Results), len(items), got)
		}
		for i, w := range want {
			r := got.Results[i]
			var lead, reason, code, field string
			if r.Lead != nil {
				lead = r.Lead.Status
				if r.Lead.Block != nil {
					reason = r.Lead.Block.Reason
				}
			}
			if r.Problem != nil {
				code, field = r.Problem.Code, r.Problem.Field
				if r.Problem.Message == "" {
					t.Errorf("item %d: a problem without a message", i)
				}
			}
			if r.Index != i || r.Status != w.status || lead != w.lead || reason != w.reason || code != w.code || field != w.field {
				t.Errorf("item %d: %s %s %s %s %s, want %+v", r.Index, r.Status, lead, reason, code, field, w)
			}
		}
		if s := got.Summary; s.Rows != 7 || s.Imported != 3 || s.Ready != 1 || s.Blocked != 2 || s.Duplicates != 1 || s.Invalid != 3 ||
			s.ByReason["no_consent"] != 1 || s.ByReason["suppressed_client"] != 1 || s.ByProblem["invalid_phone"] != 1 {
			t.Errorf("summary: %+v", s)
		}

		// The same batch again, without a key: every number is in the campaign already.
		again := must[batchBody](t, e, http.MethodPost, leads, ml.Key, map[string]any{"items": items}, http.StatusOK)
		if again.Summary.Imported != 0 || again.Summary.InCampaign != 3 || again.Results[0].Problem == nil || again.Results[0].Problem.Code != "in_campaign" {
			t.Errorf("the same batch again: %+v", again)
		}
		all := get[leadList](t, e, leads, ml.Key).Data
		if len(all) != 3 {
			t.Fatalf("%d leads after the batch and its repeat, want 3: %+v", len(all), all)
		}

		// One lead, whole: consent, block, custom fields.
		helene := get[leadBody](t, e, leads+"/"+got.Results[0].Lead.ID, ml.Key)
		if helene.Phone != "+33612345601" || helene.PhoneMasked || helene.Email == nil || *helene.Email != "helene@lumiere.test" ||
			helene.Custom["panier"] != "129 €" || helene.Consent == nil || helene.Consent.Source != "site web" ||
			!strings.HasPrefix(helene.Consent.CapturedAt, "2026-09-01") || helene.Block != nil || helene.ImportID != nil || helene.Line != 0 {
			t.Errorf("the ready lead: %+v", helene)
		}
		cote := get[leadBody](t, e, leads+"/"+got.Results[4].Lead.ID, ml.Key)
		if b := cote.Block; cote.Status != "blocked" || b == nil || b.Reason != "no_consent" || b.Rule == "" || b.RuleSet == "" ||
			b.Explanation.FR == "" || b.Explanation.EN == "" || b.CheckedAt == "" {
			t.Errorf("the blocked lead: %+v %+v", cote, cote.Block)
		}

		// Filters and search.
		for query, wantIDs := range map[string][]string{
			"?status=blocked":                         {got.Results[6].Lead.ID, got.Results[4].Lead.ID},
			"?status=ready":                           {got.Results[0].Lead.ID},
			"?block_reason=suppressed_client":         {got.Results[6].Lead.ID},
			"?q=" + url.QueryEscape("06 12 34 56 01"): {got.Results[0].Lead.ID},
			"?q=%2B33612345605":                       {got.Results[6].Lead.ID},
			"?q=lef":                                  {got.Results[0].Lead.ID},
			"?q=C%C3%B4t%C3%A9":                       {got.Results[4].Lead.ID},
			"?q=06+99+99+99+99":                       {},
			"?status=done":                            {},
		} {
			var ids []string
			for _, l := range get[leadList](t, e, leads+query, ml.Key).Data {
				ids = append(ids, l.ID)
			}
			if !slices.Equal(ids, wantIDs) && len(ids)+len(wantIDs) > 0 {
				t.Errorf("leads%s: %v, want %v", query, ids, wantIDs)
			}
		}
		var walked []string
		for _, r := range allLeads(t, e, leads, ml.Key) {
			walked = append(walked, r.ID)
		}
		if len(walked) != 3 || walked[0] != all[0].ID {
			t.Errorf("one lead a page: %v, want %v", walked, all)
		}
		status, raw := call(t, e, http.MethodGet, leads+"?status=gone", ml.Key, nil)
		wantProblem(t, "an unknown status", status, raw, http.StatusUnprocessableEntity, "status")
		status, raw = call(t, e, http.MethodGet, leads+"/"+uuid.Must(uuid.NewV7()).String(), ml.Key, nil)
		wantProblem(t, "a lead that does not exist", status, raw, http.StatusNotFound, "")
		status, raw = call(t, e, http.MethodGet, leads+"/42", ml.Key, nil)
		wantProblem(t, "a lead id that is not one", status, raw, http.StatusNotFound, "")

		// Bad bodies name their field; nothing lands.
		for name, c := range map[string]struct {
			body any
			path string
		}{
			"an unknown field":          {`{"items": [{"phone": "06 12 34 56 06"}, {"phone": "06 12 34 56 07", "phon": "x"}]}`, "items[1].phon"},
			"a custom number":           {`{"items": [{"phone": "06 12 34 56 06", "custom": {"panier": 129}}]}`, "items[0].custom.panier"},
			"a field at the top":        {`{"items": [], "campaign": "x"}`, "campaign"},
			"no item":                   {map[string]any{"items": []any{}}, "items"},
			"no items at all":           {`{}`, "items"},
			"10 001 items":              {map[string]any{"items": slices.Repeat([]map[string]string{{"phone": "06 12 34 56 06"}}, store.MaxBatch+1)}, "items"},
			"a phone of the wrong type": {`{"items": [{"phone": 612345606}]}`, "items[0].phone"},
		} {
			status, raw := call(t, e, http.MethodPost, leads, ml.Key, c.body)
			wantProblem(t, name, status, raw, http.StatusUnprocessableEntity, c.path)
		}
		if n := len(get[leadList](t, e, leads, ml.Key).Data); n != 3 {
			t.Errorf("%d leads after refused batches, want 3", n)
		}

		// A full batch passes the server's 4 MiB limit, and lands.
		full := make([]map[string]any, store.MaxBatch)
		for i := range full {
			full[i] = map[string]any{"phone": fmt.Sprintf("+3375%07d", i), "first_name": "Prénom", "last_name": "Nom de famille",
				"email": fmt.Sprintf("client-%d@exemple.fr", i), "city": "Besançon", "postal_code": "25000",
				"consent_source": "formulaire du site", "consent_captured_at": "2026-09-01T10:00:00+02:00",
				"consent_proof": "https://exemple.fr/preuves/" + strconv.Itoa(i), "custom": map[string]string{"panier": "129,90 €", "commande": "CMD-2026-" + strconv.Itoa(i)}}
		}
		if big := must[batchBody](t, e, http.MethodPost, leads, ml.Key, map[string]any{"items": full}, http.StatusOK); big.Summary.Imported != store.MaxBatch {
			t.Errorf("a full batch: %+v", big.Summary)
		}

		// Roles and the contracted center.
		status, raw = call(t, e, http.MethodPost, leads, analyst.Key, map[string]any{"items": items[:1]})
		wantProblem(t, "an analyst adding leads", status, raw, http.StatusForbidden, "")
		if n := len(get[leadList](t, e, leads+"?q=lef", analyst.Key).Data); n != 1 {
			t.Errorf("the analyst finds %d leads, want 1", n)
		}
		status, raw = call(t, e, http.MethodGet, leads, atlas.Key, nil)
		wantProblem(t, "a center before its contract", status, raw, http.StatusNotFound, "")
		contractWith(t, e, ml, atlas, x.ID)
		seen := get[leadBody](t, e, leads+"/"+helene.ID, atlas.Key)
		if seen.Phone != "+33 6 •• •• •• 01" || !seen.PhoneMasked || seen.Email != nil || seen.LastName != "Lefèvre" {
			t.Errorf("the center reads %+v", seen)
		}
		status, raw = call(t, e, http.MethodGet, leads+"?limit=5", atlas.Key, nil)
		if status != http.StatusOK || strings.Contains(string(raw), "+3361234") || strings.Contains(string(raw), "+3375") ||
			strings.Contains(string(raw), "email") || !strings.Contains(string(raw), "••") {
			t.Errorf("the center's list shows numbers or emails: %d\n%s", status, raw)
		}
		// A center searches names; a number finds nothing, not even the lead it is.
		if found := get[leadList](t, e, leads+"?q=%2B33612345601", atlas.Key).Data; len(found) != 0 {
			t.Errorf("a center found a lead by its number: %+v", found)
		}
		if found := get[leadList](t, e, leads+"?q=lef", atlas.Key).Data; len(found) != 1 {
			t.Errorf("a center's search by name: %+v", found)
		}
		// A number written in a lead's texts reaches the center masked;
		// a date stays a date.
		noted := must[batchBody](t, e, http.MethodPost, leads, ml.Key, map[string]any{"items": []map[string]any{{"phone": "06 12 34 56 09",
			"company": "Côté (tél 01 23 45 67 89)", "custom": map[string]string{"notes": "rappeler au 0612345699 svp", "rdv": "2026-09-15"}}}}, http.StatusOK)
		if len(noted.Results) != 1 || noted.Results[0].Lead == nil {
			t.Fatalf("the lead with notes: %+v", noted)
		}
		status, raw = call(t, e, http.MethodGet, leads+"/"+noted.Results[0].Lead.ID, atlas.Key, nil)
		if status != http.StatusOK || strings.Contains(string(raw), "23 45 67") || strings.Contains(string(raw), "12345699") ||
			!strings.Contains(string(raw), "Côté (tél •• •• •• •• 89)") || !strings.Contains(string(raw), "rappeler au ••••••••99 svp") ||
			!strings.Contains(string(raw), `"2026-09-15"`) {
			t.Errorf("the center reads the lead with notes: %d\n%s", status, raw)
		}
		status, raw = call(t, e, http.MethodPost, leads, atlas.Key, map[string]any{"items": []map[string]string{{"phone": "06 12 34 56 08"}}})
		wantProblem(t, "a center adding leads", status, raw, http.StatusForbidden, "")
		status, raw = call(t, e, http.MethodGet, "/api/v1/campaigns/"+x.ID+"/imports", atlas.Key, nil)
		wantProblem(t, "a center listing the client's files", status, raw, http.StatusNotFound, "")

		// A campaign that ended takes no more leads.
		move(t, e, ml.Key, x.ID, "cancel", http.StatusOK)
		status, raw = call(t, e, http.MethodPost, leads, ml.Key, map[string]any{"items": []map[string]string{{"phone": "06 12 34 56 08"}}})
		wantProblem(t, "leads for a cancelled campaign", status, raw, http.StatusConflict, "")
	})
}

// allLeads walks a campaign's leads one a page.
func allLeads(t *testing.T, e *platformtest.Env, path, key string) []leadBody {
	t.Helper()
	var out []leadBody
	for q, pages := "?limit=1", 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("%s: the cursor never ends", path)
		}
		p := get[leadList](t, e, path+q, key)
		out = append(out, p.Data...)
		if p.NextCursor == nil {
			return out
		}
		q = "?limit=1&cursor=" + *p.NextCursor
	}
}

// TestLeadBatchIsIdempotent: a retry with the key answers the first
// response without adding anything; the key with another batch is refused.
func TestLeadBatchIsIdempotent(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, prospecting("Prospection", "FR"), http.StatusCreated)
		leads := "/api/v1/campaigns/" + x.ID + "/leads"
		batch := map[string]any{"items": []map[string]string{{"phone": "06 12 34 56 01"}, {"phone": "06 12 34 56 02"}}}
		first := post(t, e, leads, ml.Key, "crm-sync-1", batch)
		retry := post(t, e, leads, ml.Key, "crm-sync-1", batch)
		if first.status != http.StatusOK || first.replayed != "" || retry.replayed != "true" || retry.body != first.body {
			t.Fatalf("first %+v\nretry %+v", first, retry)
		}
		var b batchBody
		decodeInto(t, retry.body, &b)
		if b.Summary.Imported != 2 || b.Results[1].Status != "created" {
			t.Errorf("the replayed answer: %+v", b)
		}
		other := post(t, e, leads, ml.Key, "crm-sync-1", map[string]any{"items": []map[string]string{{"phone": "06 12 34 56 03"}}})
		wantProblem(t, "the key with another batch", other.status, []byte(other.body), http.StatusConflict, "")
		if n := len(get[leadList](t, e, leads, ml.Key).Data); n != 2 {
			t.Errorf("%d leads after a batch, its retry and a conflicting one, want 2", n)
		}
	})
}

// TestLeadImportThroughTheAPI: a client system uploads a French Excel file,
// the import starts at once, runs, and its report downloads; a file that
// is not a lead file is refused and nothing is kept.
func TestLeadImportThroughTheAPI(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, prospecting("Prospection", "FR"), http.StatusCreated)
		imports := "/api/v1/campaigns/" + x.ID + "/imports"

		resp := upload(t, e, x.ID, ml.Key, "?file_name=clients+novembre.csv", frenchFile)
		var started importBody
		platformtest.ReadJSON(t, resp, &started)
		if resp.StatusCode != http.StatusAccepted || started.Status != "queued" || started.FileName != "clients novembre.csv" ||
			started.Size != int64(len(frenchFile)) || resp.Header.Get("Location") != imports+"/"+started.ID {
			t.Fatalf("upload: %d %s %+v", resp.StatusCode, resp.Header.Get("Location"), started)
		}
		if len(started.Mapping) != 0 {
			t.Errorf("without a saved mapping, the headers decide: %+v", started.Mapping)
		}
		status, raw := call(t, e, http.MethodGet, imports+"/"+started.ID+"/report", ml.Key, nil)
		wantProblem(t, "the report of an import not run yet", status, raw, http.StatusConflict, "")

		runImport(t, e, ml, started.ID)
		done := get[importBody](t, e, imports+"/"+started.ID, ml.Key)
		if s := done.Summary; done.Status != "finished" || done.Percent != 100 || done.Encoding != "windows-1252" || done.Delimiter != ";" ||
			s.Rows != 4 || s.Imported != 2 || s.Ready != 1 || s.Blocked != 1 || s.Duplicates != 1 || s.Invalid != 1 ||
			s.ByReason["no_consent"] != 1 || s.ByProblem["invalid_phone"] != 1 || s.ByProblem["duplicate"] != 1 {
			t.Errorf("the import: %+v", done)
		}
		if list := get[importList](t, e, imports, ml.Key).Data; len(list) != 1 || list[0].ID != started.ID {
			t.Errorf("imports: %+v", list)
		}
		leads := get[leadList](t, e, "/api/v1/campaigns/"+x.ID+"/leads?q=lef", ml.Key).Data
		if len(leads) != 1 || leads[0].ImportID == nil || *leads[0].ImportID != started.ID || leads[0].Line != 2 || leads[0].FirstName != "Hélène" {
			t.Errorf("the imported lead: %+v", leads)
		}

		resp = e.API(http.MethodGet, imports+"/"+started.ID+"/report", ml.Key, nil)
		report, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), `filename="clients novembre-report.csv"`) {
			t.Errorf("report: %d %v", resp.StatusCode, resp.Header)
		}
		lines := strings.Split(strings.TrimSpace(string(report)), "\r\n")
		if len(lines) != 3 || lines[0] != "\ufeffline;column;value;error" || !strings.HasPrefix(lines[1], "3;Téléphone;0612345611;") ||
			!strings.HasPrefix(lines[2], "5;Téléphone;06 12 34;") {
			t.Errorf("report lines: %q", lines)
		}

		// Files refused before anything is kept.
		for name, c := range map[string]struct {
			file, query, contentType, path, detail string
		}{
			"no phone column":   {"Nom;Ville\r\nDupré;Nîmes\r\n", "", "text/csv", "", "no column holds the phone number"},
			"not CSV":           {"%PDF-1.7\n\x00\x01\x02binary", "", "application/octet-stream", "", "not"},
			"empty":             {"", "", "text/csv", "", "empty"},
			"a form upload":     {frenchFile, "", "multipart/form-data; boundary=x", "", "Content-Type: text/csv"},
			"a path for a name": {frenchFile, "?file_name=..%2Fetc%2Fpasswd", "text/csv", "file_name", ""},
		} {
			resp := upload(t, e, x.ID, ml.Key, c.query, c.file, "Content-Type", c.contentType)
			raw := platformtest.ReadJSON(t, resp, nil)
			p := wantProblem(t, name, resp.StatusCode, raw, http.StatusUnprocessableEntity, c.path)
			if !strings.Contains(p.Detail, c.detail) {
				t.Errorf("%s: %q should say %q", name, p.Detail, c.detail)
			}
		}
		if list := get[importList](t, e, imports, ml.Key).Data; len(list) != 1 {
			t.Errorf("refused files were kept: %+v", list)
		}

		// A file over 200 MiB is refused from its length, before it is read.
		req, err := http.NewRequest(http.MethodPost, imports, strings.NewReader("Téléphone;Nom\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+ml.Key)
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Content-Length", strconv.Itoa(store.MaxFileSize+1))
		resp = e.Do(req)
		raw = platformtest.ReadJSON(t, resp, nil)
		if p := wantProblem(t, "a file over the limit", resp.StatusCode, raw, http.StatusRequestEntityTooLarge, ""); !strings.Contains(p.Detail, "200 MiB") {
			t.Errorf("the refusal should name the limit: %s", raw)
		}

		// With an Idempotency-Key, a retry answers the same import.
		first := upload(t, e, x.ID, ml.Key, "", "Téléphone;Nom\r\n0612345613;Ménard\r\n", api.HeaderIdempotencyKey, "upload-1")
		var one importBody
		platformtest.ReadJSON(t, first, &one)
		retry := upload(t, e, x.ID, ml.Key, "", "Téléphone;Nom\r\n0612345613;Ménard\r\n", api.HeaderIdempotencyKey, "upload-1")
		var again importBody
		platformtest.ReadJSON(t, retry, &again)
		if first.StatusCode != http.StatusAccepted || again.ID != one.ID || retry.Header.Get(api.HeaderReplayed) != "true" || one.FileName != "upload.csv" {
			t.Errorf("an upload and its retry: %+v %+v", one, again)
		}
		if list := get[importList](t, e, imports, ml.Key).Data; len(list) != 2 {
			t.Errorf("%d imports after an upload and its retry, want 2", len(list))
		}

		// The org's saved mapping (confirmed in the portal) applies to its
		// next files, and stays as it was.
		saved := leadfile.Mapping{Columns: []leadfile.Column{{Index: 0, Header: "Portable", Field: leadfile.FieldPhone},
			{Index: 1, Header: "Code", Field: leadfile.FieldIgnore}}}
		ctx, svc := platformtest.As(ml.Org), e.P.Services.Leads
		im, err := svc.Upload(ctx, uuid.MustParse(x.ID), "portail.csv", strings.NewReader("Portable;Code\r\n0612345698;Z9\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Start(ctx, im.ID, saved); err != nil {
			t.Fatal(err)
		}
		var next importBody
		platformtest.ReadJSON(t, upload(t, e, x.ID, ml.Key, "", "Code;Nom;Portable\r\nA1;Roux;0612345614\r\n"), &next)
		if len(next.Mapping) != 2 || next.Mapping[1].Header != "Code" || next.Mapping[1].Field != "ignore" {
			t.Errorf("the next file's mapping: %+v", next.Mapping)
		}
		runImport(t, e, ml, next.ID)
		roux := get[leadList](t, e, "/api/v1/campaigns/"+x.ID+"/leads?q=0612345614", ml.Key).Data
		if len(roux) != 1 || roux[0].LastName != "Roux" || len(roux[0].Custom) != 0 {
			t.Errorf("a lead of a file read with the saved mapping: %+v", roux)
		}
		if kept, err := svc.SavedMapping(ctx); err != nil || !reflect.DeepEqual(kept, saved) {
			t.Errorf("an upload changed the saved mapping: %+v %v", kept, err)
		}
	})
}

// leadAnswers has every lead operation answer, successes and the errors
// the document promises, for TestRealResponsesMatchOpenAPI.
func leadAnswers(t *testing.T, e *platformtest.Env, send sender, client platformtest.Tenant) {
	t.Helper()
	center := e.Org(tenancy.KindCenter, "Atlas Leads", "MA")
	x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", client.Key, prospecting("Prospection API", "FR"), http.StatusCreated)
	path, nowhere := "/api/v1/campaigns/"+x.ID, "/api/v1/campaigns/"+uuid.Must(uuid.NewV7()).String()
	batch := map[string]any{"items": []map[string]any{
		{"phone": "06 12 34 56 21", "first_name": "Loïc", "email": "loic@exemple.fr", "consent_source": "site",
			"consent_captured_at": "2026-09-01", "consent_proof": "form-1", "custom": map[string]string{"panier": "12 €"}},
		{"phone": "06 12 34 56 22", "last_name": "Ménard"}, {"phone": "12"}}}
	var made batchBody
	decodeInto(t, send(200, "POST", path+"/leads", client.Key, batch, api.HeaderIdempotencyKey, "leads-1"), &made)
	send(200, "POST", path+"/leads", client.Key, batch, api.HeaderIdempotencyKey, "leads-1") // replayed
	send(409, "POST", path+"/leads", client.Key, map[string]any{"items": []map[string]string{{"phone": "06 12 34 56 23"}}}, api.HeaderIdempotencyKey, "leads-1")
	send(200, "POST", path+"/leads", client.Key, batch) // each item in_campaign
	send(422, "POST", path+"/leads", client.Key, `{"items": [{"phone": "06 12 34 56 23", "phon": "x"}]}`)
	send(403, "POST", path+"/leads", center.Key, batch)
	send(404, "POST", nowhere+"/leads", client.Key, batch)
	send(200, "GET", path+"/leads?limit=1", client.Key, nil)
	send(200, "GET", path+"/leads?status=blocked&q=06+12+34+56+22", client.Key, nil)
	send(422, "GET", path+"/leads?status=gone", client.Key, nil)
	send(404, "GET", path+"/leads", center.Key, nil)
	send(200, "GET", path+"/leads/"+made.Results[0].Lead.ID, client.Key, nil)
	send(200, "GET", path+"/leads/"+made.Results[1].Lead.ID, client.Key, nil)
	send(404, "GET", path+"/leads/"+x.ID, client.Key, nil)
	blocked := path + "/leads/" + made.Results[1].Lead.ID // no consent
	send(403, "DELETE", blocked, center.Key, nil)
	send(204, "DELETE", blocked, client.Key, nil)
	send(404, "DELETE", blocked, client.Key, nil)

	var im importBody
	decodeInto(t, send(202, "POST", path+"/imports?file_name=leads.csv", client.Key, frenchFile, "Content-Type", "text/csv"), &im)
	send(422, "POST", path+"/imports", client.Key, "Nom;Ville\r\nDupré;Nîmes\r\n", "Content-Type", "text/csv")
	send(403, "POST", path+"/imports", center.Key, frenchFile, "Content-Type", "text/csv")
	send(404, "POST", nowhere+"/imports", client.Key, frenchFile, "Content-Type", "application/octet-stream")
	send(409, "GET", path+"/imports/"+im.ID+"/report", client.Key, nil)
	runImport(t, e, client, im.ID)
	send(200, "GET", path+"/imports?limit=1", client.Key, nil)
	send(422, "GET", path+"/imports?cursor=nope", client.Key, nil)
	send(404, "GET", nowhere+"/imports", client.Key, nil)
	send(200, "GET", path+"/imports/"+im.ID, client.Key, nil)
	send(404, "GET", path+"/imports/"+x.ID, client.Key, nil)
	send(200, "GET", path+"/imports/"+im.ID+"/report", client.Key, nil)
	send(404, "GET", nowhere+"/imports/"+im.ID+"/report", client.Key, nil)

	// The contracted center reads the leads masked, never the files.
	contractWith(t, e, client, center, x.ID)
	send(200, "GET", path+"/leads", center.Key, nil)
	send(200, "GET", path+"/leads/"+made.Results[0].Lead.ID, center.Key, nil)
	send(404, "GET", path+"/imports", center.Key, nil)
	move(t, e, client.Key, x.ID, "cancel", http.StatusOK)
	send(409, "POST", path+"/leads", client.Key, batch)
	send(409, "POST", path+"/imports", client.Key, frenchFile, "Content-Type", "text/csv")
}

// notFoundAt sends a request as key to path, where {id} stands for A's
// row id and other ids of A's may be written out, and wants it answered as
// when {id} names a row that never existed.
func (w *twoTenants) notFoundAt(t *testing.T, key, method, path, id string, body any, headers ...string) {
	t.Helper()
	answer := func(id string) (problem, string) {
		at := strings.Replace(path, "{id}", id, 1)
		status, raw := call(t, w.e, method, at, key, body, headers...)
		p := wantProblem(t, method+" "+at, status, raw, http.StatusNotFound, "")
		p.Detail, p.RequestID = strings.ReplaceAll(p.Detail, id, "{id}"), ""
		// The address names the ids the caller sent, which it knew.
		shown := strings.ReplaceAll(string(raw), id, "{id}")
		for _, seg := range strings.Split(at, "/") {
			if _, err := uuid.Parse(seg); err == nil {
				shown = strings.ReplaceAll(shown, seg, "{sent}")
			}
		}
		return p, shown
	}
	ofA, raw := answer(id)
	never, _ := answer(uuid.Must(uuid.NewV7()).String())
	if !reflect.DeepEqual(ofA, never) {
		t.Errorf("%s %s: A's row answers %+v, a row that never existed %+v", method, path, ofA, never)
	}
	w.noneOfA(t, method+" "+path, []byte(raw))
}

// leadFixture is A's leads: two sent in a batch to X (contracted with
// center A) and one imported from a file, one in Y; and B's own lead in
// its draft.
type leadFixture struct {
	x, y   []string // lead ids
	phones []string // of X's leads, E.164
	email  string
	imp    string // the finished import into X
	bLead  string
}

func newLeadFixture(t *testing.T, w *twoTenants) leadFixture {
	t.Helper()
	e, a, m := w.e, w.a, w.market
	batch := func(key, campaign string, items ...map[string]string) []string {
		got := must[batchBody](t, e, http.MethodPost, "/api/v1/campaigns/"+campaign+"/leads", key, map[string]any{"items": items}, http.StatusOK)
		var ids []string
		for _, r := range got.Results {
			if r.Lead == nil {
				t.Fatalf("the fixture's lead %d was refused: %+v", r.Index, r.Problem)
			}
			ids = append(ids, r.Lead.ID)
		}
		return ids
	}
	f := leadFixture{email: "client@maisonlumiere.test", phones: []string{"+41791234501", "+41791234502", "+41791234504"}}
	f.x = batch(a.Key, m.x, map[string]string{"phone": "+41 79 123 45 01", "last_name": "Muller", "email": f.email},
		map[string]string{"phone": "079 123 45 02", "last_name": "Favre", "email": f.email})
	f.y = batch(a.Key, m.y, map[string]string{"phone": "+41 79 123 45 03", "last_name": "Rochat"})
	f.bLead = batch(w.b.Key, m.bDraft, map[string]string{"phone": "+41 79 123 45 09", "last_name": "Azur"})[0]
	resp := upload(t, e, m.x, a.Key, "?file_name=geneve.csv", "Téléphone;Nom;Email\r\n+41 79 123 45 04;Berset;"+f.email+"\r\n12;Faux;\r\n")
	var im importBody
	if raw := platformtest.ReadJSON(t, resp, &im); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("the fixture's upload: %d\n%s", resp.StatusCode, raw)
	}
	runImport(t, e, a, im.ID)
	f.imp = im.ID
	w.aIDs = append(w.aIDs, f.imp)
	w.aIDs = append(w.aIDs, f.x...)
	w.aIDs = append(w.aIDs, f.y...)
	return f
}

// aLeadsUnchanged checks, as A, that its leads and files are as the
// fixture left them.
func (w *twoTenants) aLeadsUnchanged(t *testing.T) {
	t.Helper()
	campaigns := "/api/v1/campaigns/"
	for campaign, want := range map[string]int{w.market.x: 3, w.market.y: 1} {
		if got := allLeads(t, w.e, campaigns+campaign+"/leads", w.a.Key); len(got) != want {
			t.Errorf("A's campaign %s has %d leads, want %d: %+v", campaign, len(got), want, got)
		}
	}
	if got := get[importList](t, w.e, campaigns+w.market.x+"/imports", w.a.Key).Data; len(got) != 1 || got[0].ID != w.leads.imp {
		t.Errorf("A's imports: %+v", got)
	}
}

// leadCases are the two-tenant cases of the lead routes: tenant B and
// center B see nothing of A's; center A reads X's leads masked, nothing of
// Y's, never A's files, and writes nothing.
func (w *twoTenants) leadCases() map[string]func(t *testing.T) {
	e, a, b, m, l := w.e, w.a, w.b, w.market, w.leads
	campaigns := "/api/v1/campaigns/"
	csv := []string{"Content-Type", "text/csv"}
	// outsiders: B on every campaign of A's, center B on X, center A on Y and Z.
	outsiders := func(t *testing.T, method, suffix string, body any, headers ...string) {
		t.Helper()
		for _, id := range []string{m.x, m.y, m.z} {
			w.notFoundAt(t, b.Key, method, campaigns+"{id}"+suffix, id, body, headers...)
		}
		w.notFoundAt(t, w.centerB.Key, method, campaigns+"{id}"+suffix, m.x, body, headers...)
		w.notFoundAt(t, w.centerA.Key, method, campaigns+"{id}"+suffix, m.y, body, headers...)
		w.notFoundAt(t, w.centerA.Key, method, campaigns+"{id}"+suffix, m.z, body, headers...)
	}
	// masked wants a center's answer to hold none of A's numbers nor emails.
	masked := func(t *testing.T, what string, raw []byte) {
		t.Helper()
		for _, secret := range append([]string{l.email, `"email"`, "+4179"}, l.phones...) {
			if strings.Contains(string(raw), secret) {
				t.Errorf("%s as center A shows %s:\n%s", what, secret, raw)
			}
		}
	}
	// oneImport has the cases of an import's routes, at suffix after its id.
	oneImport := func(suffix string) func(t *testing.T) {
		return func(t *testing.T) {
			at := func(campaign, imp string) string { return campaigns + campaign + "/imports/" + imp + suffix }
			for _, key := range []string{b.Key, w.centerA.Key, w.centerB.Key} {
				w.notFoundAt(t, key, http.MethodGet, at(m.x, "{id}"), l.imp, nil)
				w.notFoundAt(t, key, http.MethodGet, at("{id}", l.imp), m.x, nil)
			}
			w.notFoundAt(t, b.Key, http.MethodGet, at(m.bDraft, "{id}"), l.imp, nil)
			// A's own import, under another campaign of A's.
			w.notFoundAt(t, a.Key, http.MethodGet, at(m.y, "{id}"), l.imp, nil)
			if status, raw := call(t, e, http.MethodGet, at(m.x, l.imp), a.Key, nil); status != http.StatusOK {
				t.Errorf("A reading its import%s: %d\n%s", suffix, status, raw)
			}
		}
	}
	return map[string]func(t *testing.T){
		"GET /api/v1/campaigns/:id/leads": func(t *testing.T) {
			outsiders(t, http.MethodGet, "/leads", nil)
			status, raw := call(t, e, http.MethodGet, campaigns+m.x+"/leads", w.centerA.Key, nil)
			var seen leadList
			decodeInto(t, string(raw), &seen)
			if status != http.StatusOK || len(seen.Data) != 3 || !seen.Data[0].PhoneMasked {
				t.Errorf("center A, contracted for X, lists %d\n%s", status, raw)
			}
			masked(t, "X's leads", raw)
			if got := get[leadList](t, e, campaigns+m.bDraft+"/leads", b.Key).Data; len(got) != 1 || got[0].ID != l.bLead {
				t.Errorf("B's own leads: %+v", got)
			}
		},
		"GET /api/v1/campaigns/:id/leads/:lead_id": func(t *testing.T) {
			at := func(campaign, lead string) string { return campaigns + campaign + "/leads/" + lead }
			for _, key := range []string{b.Key, w.centerB.Key} {
				w.notFoundAt(t, key, http.MethodGet, at(m.x, "{id}"), l.x[0], nil)
				w.notFoundAt(t, key, http.MethodGet, at("{id}", l.x[0]), m.x, nil)
			}
			w.notFoundAt(t, b.Key, http.MethodGet, at(m.bDraft, "{id}"), l.x[0], nil)
			w.notFoundAt(t, w.centerA.Key, http.MethodGet, at("{id}", l.y[0]), m.y, nil)
			// Y's lead through X, the campaign center A holds.
			w.notFoundAt(t, w.centerA.Key, http.MethodGet, at(m.x, "{id}"), l.y[0], nil)
			status, raw := call(t, e, http.MethodGet, at(m.x, l.x[0]), w.centerA.Key, nil)
			if status != http.StatusOK || !strings.Contains(string(raw), "Muller") {
				t.Errorf("center A reading X's lead: %d\n%s", status, raw)
			}
			masked(t, "X's lead", raw)
		},
		"DELETE /api/v1/campaigns/:id/leads/:lead_id": func(t *testing.T) {
			at := func(campaign, lead string) string { return campaigns + campaign + "/leads/" + lead }
			w.notFoundAt(t, b.Key, http.MethodDelete, at(m.x, "{id}"), l.x[0], nil)
			w.notFoundAt(t, b.Key, http.MethodDelete, at("{id}", l.x[0]), m.x, nil)
			w.notFoundAt(t, b.Key, http.MethodDelete, at(m.bDraft, "{id}"), l.x[0], nil)
			// A's own lead through another campaign of A's.
			w.notFoundAt(t, a.Key, http.MethodDelete, at(m.y, "{id}"), l.x[0], nil)
			// The centers and A's analyst may not remove leads, whichever.
			for _, key := range []string{w.centerA.Key, w.centerB.Key, w.aKey.Key} {
				for _, path := range []string{at(m.x, l.x[0]), at(m.x, uuid.NewString())} {
					status, raw := call(t, e, http.MethodDelete, path, key, nil)
					wantProblem(t, "DELETE "+path+" without leads:write", status, raw, http.StatusForbidden, "")
				}
			}
			w.aLeadsUnchanged(t)
			// B removes a lead of its own.
			got := must[batchBody](t, e, http.MethodPost, campaigns+m.bDraft+"/leads", b.Key,
				map[string]any{"items": []map[string]string{{"phone": "+41 79 123 45 08", "last_name": "Passager"}}}, http.StatusOK)
			if len(got.Results) != 1 || got.Results[0].Lead == nil {
				t.Fatalf("B's lead to remove: %+v", got)
			}
			if status, raw := call(t, e, http.MethodDelete, at(m.bDraft, got.Results[0].Lead.ID), b.Key, nil); status != http.StatusNoContent {
				t.Errorf("B removing its own lead: %d\n%s", status, raw)
			}
			if status, _ := call(t, e, http.MethodGet, at(m.bDraft, got.Results[0].Lead.ID), b.Key, nil); status != http.StatusNotFound {
				t.Errorf("B's removed lead answers %d", status)
			}
		},
		"POST /api/v1/campaigns/:id/leads": func(t *testing.T) {
			taken := map[string]any{"items": []map[string]string{{"phone": "+41 79 123 45 01", "last_name": "Taken"}, {"phone": "+41 79 123 45 07"}}}
			for _, id := range []string{m.x, m.y, m.z} {
				w.notFoundAt(t, b.Key, http.MethodPost, campaigns+"{id}/leads", id, taken)
			}
			for _, center := range []string{w.centerA.Key, w.centerB.Key} {
				status, raw := call(t, e, http.MethodPost, campaigns+m.x+"/leads", center, taken)
				wantProblem(t, "a center adding leads to X", status, raw, http.StatusForbidden, "")
			}
			w.aLeadsUnchanged(t)
			// A's numbers are no business of B's campaign: the number A holds is new to B's.
			got := must[batchBody](t, e, http.MethodPost, campaigns+m.bDraft+"/leads", b.Key, taken, http.StatusOK)
			if got.Summary.Imported != 2 {
				t.Errorf("B adding A's numbers to its own campaign: %+v", got.Summary)
			}
		},
		"GET /api/v1/campaigns/:id/imports": func(t *testing.T) {
			outsiders(t, http.MethodGet, "/imports", nil)
			// A's files hold the numbers as written: they are A's alone.
			w.notFoundAt(t, w.centerA.Key, http.MethodGet, campaigns+"{id}/imports", m.x, nil)
			status, raw := call(t, e, http.MethodGet, campaigns+m.bDraft+"/imports", b.Key, nil)
			if status != http.StatusOK || !strings.Contains(string(raw), `"data":[]`) {
				t.Errorf("B's own imports: %d\n%s", status, raw)
			}
			w.aLeadsUnchanged(t)
		},
		"POST /api/v1/campaigns/:id/imports": func(t *testing.T) {
			file := "Téléphone;Nom\r\n+41 79 123 45 01;Taken\r\n"
			for _, id := range []string{m.x, m.y, m.z} {
				w.notFoundAt(t, b.Key, http.MethodPost, campaigns+"{id}/imports", id, file, csv...)
			}
			for _, center := range []string{w.centerA.Key, w.centerB.Key} {
				status, raw := call(t, e, http.MethodPost, campaigns+m.x+"/imports", center, file, csv...)
				wantProblem(t, "a center uploading a file to X", status, raw, http.StatusForbidden, "")
			}
			w.aLeadsUnchanged(t)
		},
		"GET /api/v1/campaigns/:id/imports/:import_id":        oneImport(""),
		"GET /api/v1/campaigns/:id/imports/:import_id/report": oneImport("/report"),
	}
}
