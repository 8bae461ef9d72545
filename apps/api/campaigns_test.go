package api_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type campaignBody struct {
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Volume   int    `json:"volume"`
	// RecordCalls says the campaign records its calls.
	RecordCalls bool `json:"record_calls"`
	// BudgetCap is null for whoever may not read prices.
	BudgetCap *int64 `json:"budget_cap"`
}

type campaignList struct {
	Data       []campaignBody `json:"data"`
	NextCursor *string        `json:"next_cursor"`
}

type offerBody struct {
	ID       string          `json:"id"`
	CenterID string          `json:"center_id"`
	Status   string          `json:"status"`
	RateCard market.RateCard `json:"rate_card"`
	Estimate struct {
		Currency   string           `json:"currency"`
		Leads      int              `json:"leads"`
		Components map[string]int64 `json:"components"`
		Total      int64            `json:"total"`
	} `json:"estimate"`
}

type offerList struct {
	Data []offerBody `json:"data"`
}

type contractBody struct {
	ID         string          `json:"id"`
	CampaignID string          `json:"campaign_id"`
	CenterID   string          `json:"center_id"`
	OfferID    string          `json:"offer_id"`
	Status     string          `json:"status"`
	RateCard   market.RateCard `json:"rate_card"`
}

type contractList struct {
	Data []contractBody `json:"data"`
}

// newCampaign is a campaign request calling country.
func newCampaign(name, country string) map[string]any {
	return map[string]any{"name": name, "kind": "customer_care", "audience": "b2c", "country": country,
		"languages": []string{"fr"}, "volume": 5000, "budget_cap": 25_000 * money.Micro}
}

// newOffer is an offer at 0.42 a minute, billed 30/6, starting next week.
func newOffer(perMinute int64) map[string]any {
	return map[string]any{"rate_card": map[string]any{"currency": "EUR", "per_minute": perMinute, "minimum_seconds": 30,
		"increment_seconds": 6, "per_outcome": map[string]int64{"sale": 5 * money.Micro}},
		"seats": 10, "languages": []string{"fr"}, "hours": "lun–ven 9h–20h",
		"starts_on": time.Now().AddDate(0, 0, 7).UTC().Format(time.RFC3339)}
}

func move(t *testing.T, e *platformtest.Env, key, id, event string, want int) campaignBody {
	t.Helper()
	status, raw := call(t, e, http.MethodPost, "/api/v1/campaigns/"+id+"/transitions", key, map[string]string{"event": event})
	if status != want {
		t.Fatalf("%s of campaign %s: %d, want %d\n%s", event, id, status, want, raw)
	}
	var c campaignBody
	if status == http.StatusOK {
		decodeInto(t, string(raw), &c)
	}
	return c
}

func campaignIDs(t *testing.T, e *platformtest.Env, path, key string) []string {
	t.Helper()
	var out []string
	for _, c := range get[campaignList](t, e, path, key).Data {
		out = append(out, c.ID)
	}
	return out
}

// TestMarketplaceThroughTheAPI walks the marketplace with two clients and
// two centers, checking at each step who sees what.
func TestMarketplaceThroughTheAPI(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		rival := e.Org(tenancy.KindClient, "Boutique Azur", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		teranga := e.Org(tenancy.KindCenter, "Teranga Appels", "SN")
		analyst := newKey(t, e, ml.Key, string(tenancy.RoleAnalyst))
		campaigns := "/api/v1/campaigns/"

		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, newCampaign("Relance paniers abandonnés", "FR"), http.StatusCreated)
		y := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, newCampaign("Prise de rendez-vous", "FR"), http.StatusCreated)
		if x.Status != "draft" || x.ClientID != ml.Org.ID.String() || x.Volume != 5000 {
			t.Fatalf("a new campaign: %+v", x)
		}
		status, raw := call(t, e, http.MethodPost, "/api/v1/campaigns", atlas.Key, newCampaign("A center's", "FR"))
		wantProblem(t, "a center creating a campaign", status, raw, http.StatusForbidden, "")
		status, raw = call(t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, map[string]any{"name": "x", "kind": "cold", "audience": "b2c",
			"country": "FR", "languages": []string{"fr"}})
		wantProblem(t, "an unknown kind", status, raw, http.StatusUnprocessableEntity, "kind")

		// A draft is the client's alone, and the client edits it; fields left out stay.
		if got := must[campaignBody](t, e, http.MethodPatch, campaigns+y.ID, ml.Key, map[string]any{"name": "Prise de rendez-vous B2B"}, http.StatusOK); got.Name != "Prise de rendez-vous B2B" || got.Volume != 5000 {
			t.Errorf("patched draft: %+v", got)
		}
		status, raw = call(t, e, http.MethodGet, campaigns+x.ID, atlas.Key, nil)
		wantProblem(t, "a center reading a draft", status, raw, http.StatusNotFound, "")
		if got := campaignIDs(t, e, "/api/v1/campaigns/requests", atlas.Key); len(got) != 0 {
			t.Errorf("a center sees drafts as requests: %v", got)
		}

		// Published, centers see it on the marketplace; the other client does not.
		status, raw = call(t, e, http.MethodPost, campaigns+x.ID+"/transitions", analyst.Key, map[string]string{"event": "publish"})
		wantProblem(t, "an analyst publishing", status, raw, http.StatusForbidden, "")
		status, raw = call(t, e, http.MethodPost, campaigns+x.ID+"/transitions", ml.Key, map[string]string{"event": "launch"})
		wantProblem(t, "an unknown move", status, raw, http.StatusUnprocessableEntity, "event")
		if got := move(t, e, ml.Key, x.ID, "publish", http.StatusOK); got.Status != "open" {
			t.Fatalf("published: %+v", got)
		}
		move(t, e, ml.Key, y.ID, "publish", http.StatusOK)
		move(t, e, ml.Key, x.ID, "publish", http.StatusConflict)
		status, raw = call(t, e, http.MethodPatch, campaigns+x.ID, ml.Key, map[string]any{"name": "Too late"})
		wantProblem(t, "editing an open request", status, raw, http.StatusConflict, "")
		get[campaignBody](t, e, campaigns+x.ID, atlas.Key)
		if got := campaignIDs(t, e, "/api/v1/campaigns/requests", atlas.Key); len(got) != 2 || !slices.Contains(got, x.ID) {
			t.Errorf("Atlas's open requests: %v", got)
		}
		if got := campaignIDs(t, e, "/api/v1/campaigns/requests", rival.Key); len(got) != 0 {
			t.Errorf("a client's open requests: %v", got)
		}
		if got := campaignIDs(t, e, "/api/v1/campaigns", atlas.Key); len(got) != 0 {
			t.Errorf("Atlas's campaigns before any contract: %v", got)
		}
		status, raw = call(t, e, http.MethodGet, campaigns+x.ID, rival.Key, nil)
		wantProblem(t, "another client reading the campaign", status, raw, http.StatusNotFound, "")
		move(t, e, atlas.Key, x.ID, "cancel", http.StatusNotFound) // a center acts on no request it has no contract for
		// Contracted is reached by confirming a contract, never by asking.
		status, raw = call(t, e, http.MethodPost, campaigns+x.ID+"/transitions", teranga.Key, map[string]string{"event": "contract"})
		wantProblem(t, "a center contracting an open request by itself", status, raw, http.StatusUnprocessableEntity, "event")
		if got := get[campaignBody](t, e, campaigns+x.ID, ml.Key); got.Status != "open" {
			t.Fatalf("X after a center asked to contract it: %s", got.Status)
		}

		// Offers: one invalid, each center's own.
		status, raw = call(t, e, http.MethodPost, campaigns+x.ID+"/offers", atlas.Key, newOffer(-1))
		wantProblem(t, "a negative price", status, raw, http.StatusUnprocessableEntity, "rate_card.per_minute")
		status, raw = call(t, e, http.MethodPost, campaigns+x.ID+"/offers", ml.Key, newOffer(420_000))
		wantProblem(t, "a client making an offer", status, raw, http.StatusForbidden, "")
		atlasX := must[offerBody](t, e, http.MethodPost, campaigns+x.ID+"/offers", atlas.Key, newOffer(420_000), http.StatusCreated)
		must[offerBody](t, e, http.MethodPost, campaigns+x.ID+"/offers", teranga.Key, newOffer(380_000), http.StatusCreated)
		atlasY := must[offerBody](t, e, http.MethodPost, campaigns+y.ID+"/offers", atlas.Key, newOffer(420_000), http.StatusCreated)
		status, raw = call(t, e, http.MethodPost, campaigns+x.ID+"/offers", atlas.Key, newOffer(400_000))
		wantProblem(t, "a second offer", status, raw, http.StatusConflict, "")

		compared := get[offerList](t, e, campaigns+x.ID+"/offers", ml.Key).Data
		if len(compared) != 2 {
			t.Fatalf("the client compares %d offers, want 2", len(compared))
		}
		for _, o := range compared {
			want := market.EstimateCost(o.RateCard, market.DefaultAssumptions("customer_care", 5000))
			if o.Estimate.Total != want.Total || o.Estimate.Total == 0 || o.Estimate.Leads != 5000 || o.Estimate.Currency != "EUR" {
				t.Errorf("offer %s estimates %+v, want %+v", o.ID, o.Estimate, want)
			}
		}
		if got := get[offerList](t, e, campaigns+x.ID+"/offers", atlas.Key).Data; len(got) != 1 || got[0].ID != atlasX.ID {
			t.Errorf("Atlas sees the offers %+v, want its own", got)
		}
		status, raw = call(t, e, http.MethodGet, campaigns+x.ID+"/offers", rival.Key, nil)
		wantProblem(t, "another client reading the offers", status, raw, http.StatusNotFound, "")

		// Accepting an offer on a cancelled campaign is refused, nothing changes.
		move(t, e, ml.Key, y.ID, "cancel", http.StatusOK)
		status, raw = call(t, e, http.MethodPost, "/api/v1/offers/"+atlasY.ID+"/accept", ml.Key, nil)
		wantProblem(t, "accepting an offer on a cancelled campaign", status, raw, http.StatusConflict, "")
		if got := get[contractList](t, e, "/api/v1/contracts", ml.Key).Data; len(got) != 0 {
			t.Errorf("contracts after the refused acceptance: %+v", got)
		}
		if got := get[offerList](t, e, campaigns+y.ID+"/offers", ml.Key).Data; len(got) != 1 || got[0].Status != "submitted" {
			t.Errorf("the offer on the cancelled campaign: %+v", got)
		}
		status, raw = call(t, e, http.MethodPost, "/api/v1/offers/"+atlasX.ID+"/accept", rival.Key, nil)
		wantProblem(t, "accepting another's offer", status, raw, http.StatusNotFound, "")
		status, raw = call(t, e, http.MethodPost, "/api/v1/offers/"+atlasX.ID+"/accept", atlas.Key, nil)
		wantProblem(t, "a center accepting its own offer", status, raw, http.StatusForbidden, "") // offers:accept is a client's
		contract := must[contractBody](t, e, http.MethodPost, "/api/v1/offers/"+atlasX.ID+"/accept", ml.Key, nil, http.StatusCreated)
		if contract.Status != "pending" || contract.RateCard.PerMinute != 420_000 || contract.CenterID != atlas.Org.ID.String() || contract.CampaignID != x.ID {
			t.Fatalf("the contract: %+v", contract)
		}

		// French leads may not go to Atlas (Morocco) before its profile allows it.
		confirm := "/api/v1/contracts/" + contract.ID + "/confirm"
		status, raw = call(t, e, http.MethodPost, confirm, atlas.Key, nil)
		if p := wantProblem(t, "confirming without a profile", status, raw, http.StatusConflict, ""); !strings.Contains(p.Detail, "missing") {
			t.Errorf("the refusal should say what the profile misses: %s", p.Detail)
		}
		status, raw = call(t, e, http.MethodPost, confirm, teranga.Key, nil)
		wantProblem(t, "confirming another's contract", status, raw, http.StatusNotFound, "")
		status, raw = call(t, e, http.MethodPost, confirm, ml.Key, nil)
		wantProblem(t, "the client confirming", status, raw, http.StatusForbidden, "") // contracts:confirm is a center owner's
		status, raw = call(t, e, http.MethodGet, campaigns+x.ID+"/offers", atlas.Key, nil)
		if status != http.StatusOK {
			t.Errorf("Atlas reading its offer while X is open: %d\n%s", status, raw)
		}
		saveVerifiedProfile(t, e, atlas)
		active := must[contractBody](t, e, http.MethodPost, confirm, atlas.Key, nil, http.StatusOK)
		if active.Status != "active" {
			t.Fatalf("confirmed: %+v", active)
		}
		status, raw = call(t, e, http.MethodPost, confirm, atlas.Key, nil)
		wantProblem(t, "confirming twice", status, raw, http.StatusConflict, "")

		// Atlas works on X now; Teranga, without a contract, sees nothing of it.
		if got := get[campaignList](t, e, "/api/v1/campaigns", atlas.Key).Data; len(got) != 1 || got[0].ID != x.ID || got[0].Status != "contracted" {
			t.Errorf("Atlas's campaigns: %+v", got)
		}
		for _, path := range []string{campaigns + x.ID, campaigns + x.ID + "/offers"} {
			status, raw = call(t, e, http.MethodGet, path, teranga.Key, nil)
			wantProblem(t, "Teranga reading "+path, status, raw, http.StatusNotFound, "")
		}
		if got := campaignIDs(t, e, "/api/v1/campaigns", teranga.Key); len(got) != 0 {
			t.Errorf("Teranga's campaigns: %v", got)
		}
		if got := campaignIDs(t, e, "/api/v1/campaigns/requests", teranga.Key); len(got) != 0 {
			t.Errorf("Teranga's open requests once X is contracted and Y cancelled: %v", got)
		}
		move(t, e, teranga.Key, x.ID, "pause", http.StatusNotFound)
		// Atlas's contract for X shows nothing of Y, though Atlas made an offer on it.
		for _, path := range []string{campaigns + y.ID, campaigns + y.ID + "/offers"} {
			status, raw = call(t, e, http.MethodGet, path, atlas.Key, nil)
			wantProblem(t, "Atlas reading "+path, status, raw, http.StatusNotFound, "")
		}
		if got := get[contractList](t, e, "/api/v1/contracts", atlas.Key).Data; len(got) != 1 || got[0].ID != contract.ID {
			t.Errorf("Atlas's contracts: %+v", got)
		}
		for _, key := range []string{teranga.Key, rival.Key} {
			if got := get[contractList](t, e, "/api/v1/contracts", key).Data; len(got) != 0 {
				t.Errorf("contracts of an org without any: %+v", got)
			}
		}
		// A second client sees nothing at all.
		if got := campaignIDs(t, e, "/api/v1/campaigns", rival.Key); len(got) != 0 {
			t.Errorf("another client's campaigns: %v", got)
		}
		move(t, e, rival.Key, x.ID, "cancel", http.StatusNotFound)

		// An unknown move is answered with the moves open to the caller
		// now, and those only.
		supervisor := newKey(t, e, atlas.Key, string(tenancy.RoleSupervisor))
		for _, c := range []struct {
			who, key string
			want     []string
		}{
			{"Atlas's supervisor", supervisor.Key, []string{"start"}},
			{"the client's owner", ml.Key, []string{"start", "cancel"}},
		} {
			status, raw = call(t, e, http.MethodPost, campaigns+x.ID+"/transitions", c.key, map[string]string{"event": "launch"})
			p := wantProblem(t, c.who+" asking an unknown move", status, raw, http.StatusUnprocessableEntity, "event")
			if got := listedMoves(p.Errors[0].Message); !slices.Equal(got, c.want) {
				t.Errorf("%s on a contracted campaign is offered the moves %q, want %q\n%s", c.who, got, c.want, raw)
			}
		}

		// The center starts the work; an agent may not, nor read prices:
		// neither the budget, nor offers, nor contracts.
		agent := newKey(t, e, atlas.Key, string(tenancy.RoleAgent))
		if got := get[campaignBody](t, e, campaigns+x.ID, agent.Key); got.BudgetCap != nil {
			t.Errorf("an agent reads the budget: %d", *got.BudgetCap)
		}
		if got := get[campaignList](t, e, "/api/v1/campaigns", agent.Key).Data; len(got) != 1 || got[0].BudgetCap != nil {
			t.Errorf("an agent's campaigns: %+v", got)
		}
		if got := get[campaignBody](t, e, campaigns+x.ID, atlas.Key); got.BudgetCap == nil || *got.BudgetCap != 25_000*money.Micro {
			t.Errorf("the center's owner reads the budget %v, want 25 000 EUR", got.BudgetCap)
		}
		for _, path := range []string{"/api/v1/contracts", campaigns + x.ID + "/offers"} {
			status, raw = call(t, e, http.MethodGet, path, agent.Key, nil)
			wantProblem(t, "an agent reading "+path, status, raw, http.StatusForbidden, "")
		}
		status, raw = call(t, e, http.MethodPost, campaigns+x.ID+"/transitions", agent.Key, map[string]string{"event": "start"})
		wantProblem(t, "an agent starting the campaign", status, raw, http.StatusForbidden, "")
		if got := move(t, e, atlas.Key, x.ID, "start", http.StatusOK); got.Status != "running" {
			t.Errorf("started: %+v", got)
		}
		if got := get[campaignBody](t, e, campaigns+x.ID, ml.Key); got.Status != "running" {
			t.Errorf("the client sees its campaign %s, want running", got.Status)
		}
	})
}

// listedMoves reads the moves a refusal of an unknown move lists
// ("must be one of start, cancel (got …)").
func listedMoves(message string) []string {
	list, ok := strings.CutPrefix(message, "must be one of ")
	if !ok {
		return nil
	}
	list, _, _ = strings.Cut(list, " (got")
	return strings.Split(list, ", ")
}

// saveVerifiedProfile completes a center's data-protection profile, as its
// owner does, and has the platform verify it.
func saveVerifiedProfile(t *testing.T, e *platformtest.Env, center platformtest.Tenant) {
	t.Helper()
	signed, expires := time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0)
	must[centerProfile](t, e, http.MethodPatch, "/api/v1/center-profile", center.Key, map[string]any{
		"scc_signed_at": signed.Format(time.RFC3339), "scc_module": "2", "tia_on_file": true, "authority_ref": "D-GC-1",
		"authority_expires_at": expires.Format(time.RFC3339)}, http.StatusOK)
	verify(t, e, center)
}

// verify has the platform's admin verify a center's profile as it stands
// (an operator of its own for each center).
func verify(t *testing.T, e *platformtest.Env, center platformtest.Tenant) {
	t.Helper()
	plateau := e.Org(tenancy.KindPlatform, "Plateau for "+center.Org.Name, "FR")
	if _, err := e.P.Services.Compliance.VerifyCenterProfile(platformtest.As(plateau.Org), center.Org.ID); err != nil {
		t.Fatal(err)
	}
}

// sender makes a request, wants its status, and checks its answer against
// openapi.json (TestRealResponsesMatchOpenAPI's send).
type sender func(want int, method, path, key string, body any, headers ...string) string

// marketplaceAnswers has every marketplace operation answer, successes and
// the errors the document promises, for TestRealResponsesMatchOpenAPI.
func marketplaceAnswers(t *testing.T, e *platformtest.Env, send sender, client platformtest.Tenant) {
	t.Helper()
	center := e.Org(tenancy.KindCenter, "Rif Appels", "MA")
	campaigns := "/api/v1/campaigns"
	var x campaignBody
	// Switzerland holds no EU personal data: the contract activates without a profile.
	decodeInto(t, send(201, "POST", campaigns, client.Key, newCampaign("Relance Suisse", "CH"), "Idempotency-Key", "campaign-1"), &x)
	send(201, "POST", campaigns, client.Key, newCampaign("Relance Suisse", "CH"), "Idempotency-Key", "campaign-1") // replayed
	send(422, "POST", campaigns, client.Key, map[string]any{"name": "", "kind": "customer_care", "audience": "b2c", "country": "ZZ", "languages": []string{}})
	send(403, "POST", campaigns, center.Key, newCampaign("A center's", "FR"))
	send(200, "PATCH", campaigns+"/"+x.ID, client.Key, map[string]any{"ends_on": nil, "starts_on": "2026-10-01T09:00:00+02:00", "target_outcome": "sale"})
	send(422, "PATCH", campaigns+"/"+x.ID, client.Key, map[string]any{"volume": -1})
	send(404, "GET", campaigns+"/"+x.ID, center.Key, nil)
	send(200, "POST", campaigns+"/"+x.ID+"/transitions", client.Key, map[string]string{"event": "publish"})
	send(409, "POST", campaigns+"/"+x.ID+"/transitions", client.Key, map[string]string{"event": "publish"})
	analyst := newKey(t, e, client.Key, string(tenancy.RoleAnalyst))
	send(403, "POST", campaigns+"/"+x.ID+"/transitions", analyst.Key, map[string]string{"event": "unpublish"})
	send(422, "POST", campaigns+"/"+x.ID+"/transitions", center.Key, map[string]string{"event": "contract"})
	send(422, "POST", campaigns+"/"+x.ID+"/transitions", client.Key, map[string]string{"event": "launch"})
	send(409, "PATCH", campaigns+"/"+x.ID, client.Key, map[string]any{"name": "Too late"})
	send(200, "GET", campaigns, client.Key, nil)
	send(200, "GET", campaigns+"?limit=1", center.Key, nil)
	send(200, "GET", campaigns+"/requests?limit=1", center.Key, nil)
	send(200, "GET", campaigns+"/requests", client.Key, nil)
	send(422, "GET", campaigns+"/requests?limit=0", center.Key, nil)
	send(200, "GET", campaigns+"/"+x.ID, center.Key, nil)

	var offer offerBody
	decodeInto(t, send(201, "POST", campaigns+"/"+x.ID+"/offers", center.Key, newOffer(420_000)), &offer)
	send(422, "POST", campaigns+"/"+x.ID+"/offers", center.Key, newOffer(-1))
	send(409, "POST", campaigns+"/"+x.ID+"/offers", center.Key, newOffer(400_000))
	send(200, "GET", campaigns+"/"+x.ID+"/offers", client.Key, nil)
	send(200, "GET", campaigns+"/"+x.ID+"/offers", center.Key, nil)
	send(404, "POST", "/api/v1/offers/"+x.ID+"/accept", client.Key, nil)
	var contract contractBody
	decodeInto(t, send(201, "POST", "/api/v1/offers/"+offer.ID+"/accept", client.Key, nil), &contract)
	send(409, "POST", "/api/v1/offers/"+offer.ID+"/accept", client.Key, nil)
	send(200, "GET", "/api/v1/contracts", client.Key, nil)
	send(403, "POST", "/api/v1/contracts/"+contract.ID+"/confirm", client.Key, nil)
	send(200, "POST", "/api/v1/contracts/"+contract.ID+"/confirm", center.Key, nil)
	send(409, "POST", "/api/v1/contracts/"+contract.ID+"/confirm", center.Key, nil)
	send(200, "GET", "/api/v1/contracts", center.Key, nil)
	send(200, "GET", campaigns+"/"+x.ID+"/offers", center.Key, nil)
	send(200, "POST", campaigns+"/"+x.ID+"/transitions", center.Key, map[string]string{"event": "start"})
	agent := newKey(t, e, center.Key, string(tenancy.RoleAgent))
	send(200, "GET", campaigns+"/"+x.ID, agent.Key, nil) // its budget_cap null
	send(200, "GET", campaigns, agent.Key, nil)
	send(403, "GET", "/api/v1/contracts", agent.Key, nil)
	send(403, "GET", campaigns+"/"+x.ID+"/offers", agent.Key, nil)
}

// marketFixture is the marketplace of the two-tenant cases: tenant A's
// campaigns X (contracted with center A, an offer of center B declined by
// the contract), Y (back in draft, with an offer of center A) and Z (an
// open request), and tenant B's own draft.
type marketFixture struct {
	x, y, z, bDraft        string
	offerA, offerB, offerY string
	contract               string
}

func newMarketFixture(t *testing.T, w *twoTenants) marketFixture {
	t.Helper()
	e, a := w.e, w.a
	made := func(key, name string) string {
		return must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", key, newCampaign(name, "CH"), http.StatusCreated).ID
	}
	offer := func(key, campaign string) string {
		return must[offerBody](t, e, http.MethodPost, "/api/v1/campaigns/"+campaign+"/offers", key, newOffer(420_000), http.StatusCreated).ID
	}
	m := marketFixture{x: made(a.Key, "Relance Genève"), y: made(a.Key, "Rendez-vous Lausanne"), z: made(a.Key, "Enquête Bâle"),
		bDraft: made(w.b.Key, "Azur Suisse")}
	for _, id := range []string{m.x, m.y, m.z} {
		move(t, e, a.Key, id, "publish", http.StatusOK)
	}
	m.offerA, m.offerB, m.offerY = offer(w.centerA.Key, m.x), offer(w.centerB.Key, m.x), offer(w.centerA.Key, m.y)
	move(t, e, a.Key, m.y, "unpublish", http.StatusOK)
	m.contract = must[contractBody](t, e, http.MethodPost, "/api/v1/offers/"+m.offerA+"/accept", a.Key, nil, http.StatusCreated).ID
	// Switzerland holds no EU personal data: center A's incomplete profile does not hold the contract back.
	must[contractBody](t, e, http.MethodPost, "/api/v1/contracts/"+m.contract+"/confirm", w.centerA.Key, nil, http.StatusOK)
	w.aIDs = append(w.aIDs, m.x, m.y, m.z, m.offerA, m.offerB, m.offerY, m.contract)
	return m
}

// notFoundAs sends a request as key about A's row id (at prefix+id+suffix),
// which must answer as a row that never existed does.
func (w *twoTenants) notFoundAs(t *testing.T, key, method, prefix, id, suffix string, body any) {
	t.Helper()
	answer := func(id string) (problem, string) {
		status, raw := call(t, w.e, method, prefix+id+suffix, key, body)
		p := wantProblem(t, method+" "+prefix+id+suffix, status, raw, http.StatusNotFound, "")
		p.Detail, p.RequestID = strings.ReplaceAll(p.Detail, id, "{id}"), ""
		return p, strings.ReplaceAll(string(raw), id, "{id}")
	}
	ofA, raw := answer(id)
	never, _ := answer(uuid.Must(uuid.NewV7()).String())
	if !reflect.DeepEqual(ofA, never) {
		t.Errorf("%s %s{id}%s: A's row answers %+v, a row that never existed %+v", method, prefix, suffix, ofA, never)
	}
	w.noneOfA(t, method+" "+prefix+"{id}"+suffix, []byte(raw))
}

// aMarketUnchanged checks, as A, that its campaigns and contract are as the
// fixture left them.
func (w *twoTenants) aMarketUnchanged(t *testing.T) {
	t.Helper()
	m := w.market
	for id, want := range map[string]string{m.x: "contracted", m.y: "draft", m.z: "open"} {
		if got := get[campaignBody](t, w.e, "/api/v1/campaigns/"+id, w.a.Key); got.Status != want {
			t.Errorf("A's campaign %s is %s, want %s", id, got.Status, want)
		}
	}
	if got := get[offerList](t, w.e, "/api/v1/campaigns/"+m.x+"/offers", w.a.Key).Data; len(got) != 2 {
		t.Errorf("A's offers on X: %+v", got)
	}
	got := get[contractList](t, w.e, "/api/v1/contracts", w.a.Key).Data
	var ids []string
	for _, k := range got {
		if k.Status != "active" {
			t.Errorf("A's contract %s is %s", k.ID, k.Status)
		}
		ids = append(ids, k.ID)
	}
	if slices.Sort(ids); !slices.Equal(ids, sorted(m.contract, w.floor.contract)) {
		t.Errorf("A's contracts: %+v, want X's and its floor's", got)
	}
}

// marketCases are the two-tenant cases of the marketplace routes. Besides
// tenant B, the second client, they hold the centers to their contracts:
// center B has none, center A one for X only.
func (w *twoTenants) marketCases() map[string]func(t *testing.T) {
	e, a, b, m := w.e, w.a, w.b, w.market
	campaigns := "/api/v1/campaigns/"
	return map[string]func(t *testing.T){
		"GET /api/v1/campaigns": func(t *testing.T) {
			rows := w.listHasNoneOfA(t, "/api/v1/campaigns")
			if !slices.ContainsFunc(rows, func(r item) bool { return r.ID == m.bDraft }) {
				t.Errorf("B's campaigns lack B's draft")
			}
			if got := all(t, e, "/api/v1/campaigns", w.centerB.Key, "1"); len(got) != 0 {
				t.Errorf("center B, without a contract, lists %+v", got)
			}
			if got := all(t, e, "/api/v1/campaigns", w.centerA.Key, "1"); len(got) != 1 || got[0].ID != m.x {
				t.Errorf("center A, with a contract for X, lists %+v", got)
			}
		},
		"GET /api/v1/campaigns/requests": func(t *testing.T) {
			status, raw := call(t, e, http.MethodGet, "/api/v1/campaigns/requests", b.Key, nil)
			if status != http.StatusOK || !strings.Contains(string(raw), `"data":[]`) {
				t.Errorf("a client's open requests: %d, want an empty list\n%s", status, raw)
			}
			w.noneOfA(t, "/campaigns/requests", raw)
			// Open requests are public to centers by design; drafts and
			// contracted campaigns are not.
			for _, center := range []string{w.centerA.Key, w.centerB.Key} {
				if got := all(t, e, "/api/v1/campaigns/requests", center, "1"); len(got) != 1 || got[0].ID != m.z {
					t.Errorf("a center's open requests: %+v, want Z alone", got)
				}
			}
		},
		"POST /api/v1/campaigns": func(t *testing.T) {
			before := ids(t, e, "/api/v1/campaigns", a.Key)
			made := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", b.Key, newCampaign("Azur Genève", "CH"), http.StatusCreated)
			if after := ids(t, e, "/api/v1/campaigns", a.Key); !slices.Equal(before, after) {
				t.Errorf("B creating a campaign changed A's: %v, was %v", after, before)
			}
			if made.ClientID != b.Org.ID.String() || !slices.Contains(ids(t, e, "/api/v1/campaigns", b.Key), made.ID) {
				t.Errorf("B's new campaign %+v is not B's", made)
			}
		},
		"GET /api/v1/campaigns/:id": func(t *testing.T) {
			for _, id := range []string{m.x, m.y, m.z} {
				w.notFoundForB(t, http.MethodGet, campaigns, id, nil)
			}
			w.notFoundAs(t, w.centerB.Key, http.MethodGet, campaigns, m.x, "", nil)
			w.notFoundAs(t, w.centerB.Key, http.MethodGet, campaigns, m.y, "", nil)
			w.notFoundAs(t, w.centerA.Key, http.MethodGet, campaigns, m.y, "", nil)
			w.notFoundAs(t, w.centerA.Key, http.MethodGet, campaigns, m.bDraft, "", nil)
			get[campaignBody](t, e, campaigns+m.x, w.centerA.Key)
			get[campaignBody](t, e, campaigns+m.bDraft, b.Key)
		},
		"PATCH /api/v1/campaigns/:id": func(t *testing.T) {
			for _, id := range []string{m.x, m.y, m.z} {
				w.notFoundForB(t, http.MethodPatch, campaigns, id, map[string]any{"name": "Taken over", "volume": 1})
			}
			if got := get[campaignBody](t, e, campaigns+m.y, a.Key); got.Name != "Rendez-vous Lausanne" || got.Volume != 5000 {
				t.Errorf("A's draft changed: %+v", got)
			}
		},
		"POST /api/v1/campaigns/:id/transitions": func(t *testing.T) {
			for _, id := range []string{m.x, m.y, m.z} {
				w.notFoundAs(t, b.Key, http.MethodPost, campaigns, id, "/transitions", map[string]string{"event": "cancel"})
			}
			w.notFoundAs(t, w.centerB.Key, http.MethodPost, campaigns, m.x, "/transitions", map[string]string{"event": "start"})
			w.notFoundAs(t, w.centerB.Key, http.MethodPost, campaigns, m.z, "/transitions", map[string]string{"event": "cancel"})
			w.notFoundAs(t, w.centerA.Key, http.MethodPost, campaigns, m.y, "/transitions", map[string]string{"event": "publish"})
			w.aMarketUnchanged(t)
		},
		"GET /api/v1/campaigns/:id/offers": func(t *testing.T) {
			for _, id := range []string{m.x, m.y, m.z} {
				w.notFoundAs(t, b.Key, http.MethodGet, campaigns, id, "/offers", nil)
			}
			// Center B's offer on X, and center A's on Y, no longer open a window on them.
			w.notFoundAs(t, w.centerB.Key, http.MethodGet, campaigns, m.x, "/offers", nil)
			w.notFoundAs(t, w.centerA.Key, http.MethodGet, campaigns, m.y, "/offers", nil)
			if got := get[offerList](t, e, campaigns+m.x+"/offers", w.centerA.Key).Data; len(got) != 1 || got[0].ID != m.offerA {
				t.Errorf("center A sees the offers %+v, want its own", got)
			}
		},
		"POST /api/v1/campaigns/:id/offers": func(t *testing.T) {
			status, raw := call(t, e, http.MethodPost, campaigns+m.z+"/offers", b.Key, newOffer(420_000))
			wantProblem(t, "client B making an offer", status, raw, http.StatusForbidden, "")
			w.notFoundAs(t, w.centerB.Key, http.MethodPost, campaigns, m.y, "/offers", newOffer(420_000))
			w.notFoundAs(t, w.centerB.Key, http.MethodPost, campaigns, m.bDraft, "/offers", newOffer(420_000))
			status, raw = call(t, e, http.MethodPost, campaigns+m.x+"/offers", w.centerB.Key, newOffer(420_000))
			wantProblem(t, "center B offering on a campaign contracted elsewhere", status, raw, http.StatusNotFound, "")
			w.aMarketUnchanged(t)
		},
		"POST /api/v1/offers/:id/accept": func(t *testing.T) {
			w.notFoundAs(t, b.Key, http.MethodPost, "/api/v1/offers/", m.offerB, "/accept", nil)
			status, raw := call(t, e, http.MethodPost, "/api/v1/offers/"+m.offerA+"/accept", w.centerA.Key, nil)
			wantProblem(t, "center A accepting its own offer", status, raw, http.StatusForbidden, "") // a client's move
			for _, o := range get[offerList](t, e, campaigns+m.x+"/offers", a.Key).Data {
				if o.ID == m.offerB && o.Status != "submitted" {
					t.Errorf("center B's offer changed: %+v", o)
				}
			}
			w.aMarketUnchanged(t)
		},
		"GET /api/v1/contracts": func(t *testing.T) {
			for _, key := range []string{b.Key, w.centerB.Key} {
				status, raw := call(t, e, http.MethodGet, "/api/v1/contracts", key, nil)
				if status != http.StatusOK || !strings.Contains(string(raw), `"data":[]`) {
					t.Errorf("contracts of an org without any: %d\n%s", status, raw)
				}
				w.noneOfA(t, "/contracts", raw)
			}
			if got := get[contractList](t, e, "/api/v1/contracts", w.centerA.Key).Data; len(got) != 1 || got[0].ID != m.contract {
				t.Errorf("center A's contracts: %+v", got)
			}
		},
		"POST /api/v1/contracts/:id/confirm": func(t *testing.T) {
			status, raw := call(t, e, http.MethodPost, "/api/v1/contracts/"+m.contract+"/confirm", b.Key, nil)
			wantProblem(t, "client B confirming", status, raw, http.StatusForbidden, "") // a center owner's move
			w.notFoundAs(t, w.centerB.Key, http.MethodPost, "/api/v1/contracts/", m.contract, "/confirm", nil)
			w.aMarketUnchanged(t)
		},
	}
}
