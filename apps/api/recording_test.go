package api_test

import (
	"net/http"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestACampaignsRecordingThroughTheAPI: record_calls is written with the
// request and kept by a patch that leaves it out; past the draft, a patch
// of record_calls alone is taken until the campaign ends, any other is
// refused; only the campaign's client sets it.
func TestACampaignsRecordingThroughTheAPI(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		rival := e.Org(tenancy.KindClient, "Boutique Azur", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		path := "/api/v1/campaigns/"

		in := newCampaign("Enquête de satisfaction", "FR")
		in["record_calls"] = "yes"
		status, raw := call(t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, in)
		wantProblem(t, "record_calls as a string", status, raw, http.StatusUnprocessableEntity, "record_calls")
		in["record_calls"] = true
		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, in, http.StatusCreated)
		if !x.RecordCalls {
			t.Fatalf("a campaign created recording its calls: %+v", x)
		}
		plain := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, newCampaign("Relance", "FR"), http.StatusCreated)
		if plain.RecordCalls {
			t.Fatal("a campaign records its calls without its client saying so")
		}
		if got := must[campaignBody](t, e, http.MethodPatch, path+x.ID, ml.Key, map[string]any{"volume": 800}, http.StatusOK); !got.RecordCalls || got.Volume != 800 {
			t.Fatalf("a patch leaving record_calls out changed it: %+v", got)
		}

		move(t, e, ml.Key, x.ID, "publish", http.StatusOK)
		status, raw = call(t, e, http.MethodPatch, path+x.ID, ml.Key, map[string]any{"volume": 900, "record_calls": false})
		wantProblem(t, "an open request's volume with its recording", status, raw, http.StatusConflict, "")
		status, raw = call(t, e, http.MethodPatch, path+x.ID, rival.Key, map[string]any{"record_calls": false})
		wantProblem(t, "another client's recording", status, raw, http.StatusNotFound, "")
		status, raw = call(t, e, http.MethodPatch, path+x.ID, atlas.Key, map[string]any{"record_calls": false})
		wantProblem(t, "a center's recording", status, raw, http.StatusForbidden, "")
		if got := get[campaignBody](t, e, path+x.ID, ml.Key); !got.RecordCalls || got.Volume != 800 {
			t.Fatalf("refused patches changed the campaign: %+v", got)
		}
		if got := must[campaignBody](t, e, http.MethodPatch, path+x.ID, ml.Key, map[string]any{"record_calls": false}, http.StatusOK); got.RecordCalls || got.Status != "open" {
			t.Fatalf("an open request's recording turned off: %+v", got)
		}
		if got := get[campaignBody](t, e, path+x.ID, ml.Key); got.RecordCalls {
			t.Fatal("the recording turned off reads back on")
		}
		move(t, e, ml.Key, x.ID, "cancel", http.StatusOK)
		status, raw = call(t, e, http.MethodPatch, path+x.ID, ml.Key, map[string]any{"record_calls": true})
		wantProblem(t, "a cancelled campaign's recording", status, raw, http.StatusConflict, "")
	})
}
