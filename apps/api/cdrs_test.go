package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/apps/api"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// floorMorning is inside the default rule set's hours in Geneva.
var floorMorning = time.Date(2027, 1, 12, 9, 30, 0, 0, time.UTC)

// claimedCall is a call of client's running campaign in Geneva that
// center claimed through its contract, with the platform's clock stopped
// at floorMorning.
func claimedCall(t *testing.T, e *platformtest.Env, client, center platformtest.Tenant) dispatch.Claim {
	t.Helper()
	e.P.DB.Now = func() time.Time { return floorMorning }
	svc := e.P.Services
	asClient, asCenter := platformtest.As(client.Org), platformtest.As(center.Org)
	x := platformtest.Must(svc.Campaigns.Create(asClient, campaign.Input{Name: "Relance Genève", Kind: "customer_care", Audience: "b2c",
		Country: "CH", Languages: []string{"fr"}, Volume: 2, DialingMode: string(campaign.Progressive)}))(t)
	platformtest.Must(svc.Campaigns.Move(asClient, x.ID, campaign.Publish))(t)
	start := floorMorning
	offered := platformtest.Must(svc.Market.SubmitOffer(asCenter, x.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
		Seats: 1, Languages: []string{"fr"}, StartsOn: &start}))(t)
	k := platformtest.Must(svc.Market.Accept(asClient, x.ID, offered.Offers[0].Offer.ID))(t)
	platformtest.Must(svc.Market.Confirm(asCenter, k.ID))(t)
	if _, _, err := svc.Leads.AddBatch(asClient, x.ID, []leadfile.Lead{{Phone: "+41 22 345 00 01"}, {Phone: "+41 22 345 00 02"}}); err != nil {
		t.Fatal(err)
	}
	platformtest.Must(svc.Campaigns.Move(asClient, x.ID, campaign.Start))(t)
	platformtest.Must(svc.Dispatch.Fill(asClient, x.ID))(t)
	c, found, err := svc.Dispatch.Claim(asClient, dispatch.ClaimRequest{CampaignID: x.ID, ContractID: k.ID})
	if err != nil || !found {
		t.Fatalf("claim: %v (found %v)", err, found)
	}
	return c
}

type cdrReport struct {
	Recorded        int `json:"recorded"`
	AlreadyRecorded int `json:"already_recorded"`
	Unmatched       []struct {
		Row     int    `json:"row"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"unmatched"`
	Malformed []struct {
		Row    int `json:"row"`
		Fields []struct {
			Path string `json:"path"`
		} `json:"fields"`
	} `json:"malformed"`
}

// TestCDRsEndTheCentersCalls: a center's batch ends its call once, its
// other rows reported on their own in the reader's language; a file of
// Asterisk's Master.csv is read as well; a client cannot send records.
func TestCDRsEndTheCentersCalls(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		c := claimedCall(t, e, client, atlas)
		at := func(d time.Duration) string { return floorMorning.Add(d).Format(time.RFC3339) }
		batch := map[string]any{"cdrs": []map[string]any{
			{"external_id": "1733390000.1", "call_id": c.Call.ID.String(), "started_at": at(time.Second), "answered_at": at(5 * time.Second),
				"ended_at": at(65 * time.Second), "result": "answered", "cause": "ANSWERED"},
			{"external_id": "1733390000.2", "to": "+41223459999", "started_at": at(time.Second), "ended_at": at(30 * time.Second), "result": "no_answer"},
			{"external_id": "1733390000.3", "call_id": c.Call.ID.String(), "started_at": at(time.Second), "ended_at": at(-time.Minute), "result": "busy"},
		}}
		var rep cdrReport
		resp := e.API(http.MethodPost, "/api/v1/cdrs?campaign_id="+c.Call.CampaignID.String(), atlas.Key, batch, "Accept-Language", "fr")
		platformtest.ReadJSON(t, resp, &rep)
		if resp.StatusCode != http.StatusOK || rep.Recorded != 1 || rep.AlreadyRecorded != 0 || len(rep.Unmatched) != 1 || rep.Unmatched[0].Row != 1 ||
			rep.Unmatched[0].Code != "store.cdr.no_call" || len(rep.Malformed) != 1 || rep.Malformed[0].Row != 2 ||
			len(rep.Malformed[0].Fields) != 1 || rep.Malformed[0].Fields[0].Path != "cdrs[2].ended_at" {
			t.Fatalf("the batch: %d %+v", resp.StatusCode, rep)
		}
		if want := "aucun appel de la campagne au +41223459999"; len(rep.Unmatched[0].Message) < len(want) || rep.Unmatched[0].Message[:len(want)] != want {
			t.Fatalf("the unmatched row in French: %q", rep.Unmatched[0].Message)
		}
		k := platformtest.Must(e.P.Services.Calls.Get(platformtest.As(client.Org), c.Call.ID))(t)
		if k.Result != dialing.Answered || k.TalkSeconds != 60 || k.ExternalID == nil || *k.ExternalID != "1733390000.1" {
			t.Fatalf("the call after its record: %+v", k)
		}

		resp = e.API(http.MethodPost, "/api/v1/cdrs?campaign_id="+c.Call.CampaignID.String(), atlas.Key, batch)
		platformtest.ReadJSON(t, resp, &rep)
		if resp.StatusCode != http.StatusOK || rep.Recorded != 0 || rep.AlreadyRecorded != 1 || len(rep.Unmatched) != 1 || len(rep.Malformed) != 1 {
			t.Fatalf("the batch again: %d %+v", resp.StatusCode, rep)
		}

		// The same call in Asterisk's Master.csv, its call id in the accountcode: already recorded.
		stamp := func(d time.Duration) string { return floorMorning.Add(d).Format("2006-01-02 15:04:05") }
		master := fmt.Sprintf(`"%s","0221234567","+41223450001","from-plateau","""Plateau"" <0221234567>","PJSIP/out-01","PJSIP/trunk-02","Dial","PJSIP/+41223450001@trunk","%s","%s","%s",64,60,"ANSWERED","DOCUMENTATION","1733390000.1"`+"\n",
			c.Call.ID, stamp(time.Second), stamp(5*time.Second), stamp(65*time.Second))
		resp = e.API(http.MethodPost, "/api/v1/cdrs?format=asterisk", atlas.Key, master, "Content-Type", "text/csv")
		raw := platformtest.ReadJSON(t, resp, &rep)
		if resp.StatusCode != http.StatusOK || rep.AlreadyRecorded != 1 || rep.Recorded != 0 || len(rep.Malformed) != 0 || len(rep.Unmatched) != 0 {
			t.Fatalf("the Master.csv row: %d %s", resp.StatusCode, raw)
		}

		if resp := e.API(http.MethodPost, "/api/v1/cdrs", client.Key, batch); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a client sending records: %d", resp.StatusCode)
		}
		if resp := e.API(http.MethodPost, "/api/v1/cdrs?format=excel", atlas.Key, master, "Content-Type", "text/csv"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("an unknown format: %d", resp.StatusCode)
		}
	})
}

// cdrAnswers has POST /cdrs answer, for TestRealResponsesMatchOpenAPI.
func cdrAnswers(t *testing.T, e *platformtest.Env, send sender, client platformtest.Tenant) {
	t.Helper()
	clock := e.P.DB.Now // claimedCall moves it to a morning of the floor
	defer func() { e.P.DB.Now = clock }()
	center := e.Org(tenancy.KindCenter, "Atlas Dialer", "MA")
	c := claimedCall(t, e, client, center)
	batch := map[string]any{"cdrs": []map[string]any{
		{"external_id": "A-1", "call_id": c.Call.ID.String(), "started_at": floorMorning.Format(time.RFC3339),
			"ended_at": floorMorning.Add(time.Minute).Format(time.RFC3339), "result": "busy"},
		{"external_id": "A-2", "to": "+41223459999", "started_at": floorMorning.Format(time.RFC3339),
			"ended_at": floorMorning.Add(time.Minute).Format(time.RFC3339), "result": "busy"},
		{"external_id": "A-3", "result": "busy"},
	}}
	query := "/api/v1/cdrs?campaign_id=" + c.Call.CampaignID.String()
	send(200, "POST", query, center.Key, batch, api.HeaderIdempotencyKey, "cdrs-1")
	send(200, "POST", query, center.Key, batch)
	send(403, "POST", query, client.Key, batch)
	send(422, "POST", query, center.Key, `{"cdrs": {}}`)
}

// cdrCase is the two-tenant case of POST /cdrs: center B's records of
// another center's call, by its id or its number, match nothing and
// change nothing; client B, as any client, may not send records; the
// center's own record ends it. The call is of a client and center of its
// own, so that A's contracts stay as the other cases count them.
func (w *twoTenants) cdrCase(t *testing.T) {
	e := w.e
	clock := e.P.DB.Now
	defer func() { e.P.DB.Now = clock }()
	client, center := e.Org(tenancy.KindClient, "Relance Directe", "FR"), e.Org(tenancy.KindCenter, "Atlas Numerique", "MA")
	c := claimedCall(t, e, client, center)
	item := func(ext string) map[string]any {
		return map[string]any{"cdrs": []map[string]any{
			{"external_id": ext + "-1", "call_id": c.Call.ID.String(), "started_at": floorMorning.Format(time.RFC3339),
				"ended_at": floorMorning.Add(time.Minute).Format(time.RFC3339), "result": "busy"},
			{"external_id": ext + "-2", "to": c.Call.Phone, "started_at": floorMorning.Format(time.RFC3339),
				"ended_at": floorMorning.Add(time.Minute).Format(time.RFC3339), "result": "busy"},
		}}
	}
	path := "/api/v1/cdrs?campaign_id=" + c.Call.CampaignID.String()
	var rep cdrReport
	status, raw := call(t, e, http.MethodPost, path, w.centerB.Key, item("B"))
	decodeInto(t, string(raw), &rep)
	// As for a call that never was: the call's existence does not leak.
	if status != http.StatusOK || rep.Recorded != 0 || len(rep.Unmatched) != 2 ||
		rep.Unmatched[0].Code != "store.cdr.call_unknown" || rep.Unmatched[1].Code != "store.cdr.no_call" {
		t.Errorf("center B's records of the other center's call: %d\n%s", status, raw)
	}
	if strings.Contains(string(raw), client.Org.ID.String()) || strings.Contains(string(raw), "Relance Genève") {
		t.Errorf("center B's report names the call's client or campaign:\n%s", raw)
	}
	if status, raw := call(t, e, http.MethodPost, path, w.b.Key, item("b")); status != http.StatusForbidden {
		t.Errorf("client B sending records: %d\n%s", status, raw)
	}
	if k := platformtest.Must(e.P.Services.Calls.Get(platformtest.As(client.Org), c.Call.ID))(t); !k.Open() || k.ExternalID != nil {
		t.Errorf("the call after the others' records: %+v", k)
	}
	status, raw = call(t, e, http.MethodPost, path, center.Key, item("A"))
	decodeInto(t, string(raw), &rep)
	if status != http.StatusOK || rep.Recorded != 1 || rep.AlreadyRecorded != 0 || len(rep.Unmatched) != 1 {
		t.Errorf("the center's own records (the second is the same call by its number): %d\n%s", status, raw)
	}
}
