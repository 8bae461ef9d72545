package api_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/dialing"
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

// take has agent p of f, assigned to its campaign, go ready and take a
// lead; it returns the call's id.
func take(t *testing.T, e *platformtest.Env, f agentFloor, p person) string {
	t.Helper()
	if resp := p.browser.JSON(http.MethodPut, "/api/v1/agent/presence", map[string]any{"state": "ready", "campaign_id": f.campaign}); resp.StatusCode != http.StatusOK {
		t.Fatalf("the agent ready: %d", resp.StatusCode)
	}
	var taken agentCallBody
	at(e, tuesdayInGeneva, func() {
		resp := p.browser.JSON(http.MethodPost, "/api/v1/agent/campaigns/"+f.campaign+"/next", nil)
		if raw := platformtest.ReadJSON(t, resp, &taken); resp.StatusCode != http.StatusOK {
			t.Fatalf("the agent taking a lead: %d\n%s", resp.StatusCode, raw)
		}
	})
	return taken.Call.ID
}

// recordedCall has the agent of f take a lead, and ends its call answered
// and recorded with wav, as the SIP dialer would; it returns the call's id.
func recordedCall(t *testing.T, e *platformtest.Env, client platformtest.Tenant, f agentFloor, wav string) string {
	t.Helper()
	id := uuid.MustParse(take(t, e, f, f.agent))
	w, ref, err := e.P.Recordings.Create(t.Context(), id.String()+".wav")
	ok(t, err)
	_, err = io.WriteString(w, wav)
	ok(t, errors.Join(err, w.Close()))
	ctx := platformtest.As(client.Org)
	ok(t, e.P.Services.Dispatch.Record(ctx, dialing.Event{CallID: id, Kind: dialing.EventAnswered, At: tuesdayInGeneva}))
	ok(t, e.P.Services.Dispatch.Record(ctx, dialing.Event{CallID: id, Kind: dialing.EventEnded, At: tuesdayInGeneva.Add(time.Minute),
		Result: dialing.Answered, Cause: "BYE from the callee", Recording: ref}))
	return id.String()
}

// TestARecordedCallIsHeardByItsClientAndItsCentersSupervisors: a call
// says it was recorded, without saying where the audio is; its client
// (owner, analyst) and its center's owner and supervisors download the
// WAV, each hearing audited; the center's agent may not, another client
// and another center find nothing, and a call not recorded has no
// recording.
func TestARecordedCallIsHeardByItsClientAndItsCentersSupervisors(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		rival := e.Org(tenancy.KindClient, "Boutique Azur", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		teranga := e.Org(tenancy.KindCenter, "Teranga Appels", "SN")
		f := newAgentFloor(t, e, ml, atlas, "atlas.test", "+41 22 345 01 01", "+41 22 345 01 02")
		const wav = "RIFF\x24\x00\x00\x00WAVEfmt the conversation"
		id := recordedCall(t, e, ml, f, wav)
		calls := "/api/v1/calls/"

		status, raw := call(t, e, http.MethodGet, calls+id, ml.Key, nil)
		if status != http.StatusOK || !strings.Contains(string(raw), `"recorded":true`) || strings.Contains(string(raw), "file:") {
			t.Fatalf("the recorded call reads %d\n%s", status, raw)
		}
		listen := func(resp *http.Response) (int, string) {
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			ok(t, err)
			if resp.StatusCode == http.StatusOK && (resp.Header.Get("Content-Type") != "audio/wav" ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), id+".wav")) {
				t.Errorf("the recording comes as %q, %q", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
			}
			return resp.StatusCode, string(raw)
		}
		analyst := newKey(t, e, ml.Key, string(tenancy.RoleAnalyst))
		for who, key := range map[string]string{"the client's owner": ml.Key, "the client's analyst": analyst.Key, "the center's owner": atlas.Key} {
			if status, body := listen(e.API(http.MethodGet, calls+id+"/recording", key, nil)); status != http.StatusOK || body != wav {
				t.Errorf("%s hears %d %q", who, status, body)
			}
		}
		if status, body := listen(f.supervisor.browser.JSON(http.MethodGet, calls+id+"/recording", nil)); status != http.StatusOK || body != wav {
			t.Errorf("the center's supervisor hears %d %q", status, body)
		}
		if status, body := listen(f.agent.browser.JSON(http.MethodGet, calls+id+"/recording", nil)); status != http.StatusForbidden {
			t.Errorf("the center's agent hears %d %q", status, body)
		}
		for who, key := range map[string]string{"another client": rival.Key, "another center": teranga.Key} {
			status, raw := call(t, e, http.MethodGet, calls+id+"/recording", key, nil)
			wantProblem(t, who+" listening", status, raw, http.StatusNotFound, "")
		}
		heard := 0
		for _, ev := range get[page](t, e, "/api/v1/audit-events?limit=100", ml.Key).Data {
			if ev.Action == "call.recording.read" && ev.ObjectID == id {
				heard++
			}
		}
		if heard != 2 {
			t.Errorf("the client's trail keeps %d hearings, want 2", heard)
		}

		// The other lead's call, taken by another agent, not recorded.
		if resp := f.supervisor.browser.JSON(http.MethodPost, f.assignment(f.other), nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("assigning the other agent: %d", resp.StatusCode)
		}
		other := take(t, e, f, f.other)
		if got := get[callBody](t, e, calls+other, ml.Key); got.Recorded {
			t.Error("a call not recorded says it was")
		}
		status, raw = call(t, e, http.MethodGet, calls+other+"/recording", ml.Key, nil)
		if p := wantProblem(t, "a call not recorded", status, raw, http.StatusNotFound, ""); !strings.Contains(p.Detail, "not recorded") {
			t.Errorf("a call not recorded: %+v", p)
		}
	})
}

// recordingAnswers checks a recording's download, and a call without one,
// against the document.
func recordingAnswers(t *testing.T, e *platformtest.Env, k *contract, client platformtest.Tenant) {
	t.Helper()
	center := e.Org(tenancy.KindCenter, "Atlas Enregistre", "MA")
	f := newAgentFloor(t, e, client, center, "atlas-rec.test", "+41 22 345 00 11")
	id := recordedCall(t, e, client, f, "RIFF")
	for want, path := range map[int]string{http.StatusOK: "/api/v1/calls/" + id + "/recording", http.StatusNotFound: "/api/v1/calls/" + uuid.NewString() + "/recording"} {
		resp := e.API(http.MethodGet, path, client.Key, nil)
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		k.check(t, http.MethodGet, path, resp)
	}
}
