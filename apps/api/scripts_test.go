package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type scriptVersionBody struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Hash    string `json:"hash"`
	Used    bool   `json:"used"`
	Script  struct {
		Start string         `json:"start"`
		Nodes map[string]any `json:"nodes"`
	} `json:"script"`
}

type scriptVersionsBody struct {
	Data []scriptVersionBody `json:"data"`
}

type previewBody struct {
	Steps []struct {
		Node        string   `json:"node"`
		Kind        string   `json:"kind"`
		Text        string   `json:"text"`
		Answers     []string `json:"answers"`
		Disposition string   `json:"disposition"`
	} `json:"steps"`
}

// callScript is a short script with an objection handler.
func callScript(greeting string) map[string]any {
	return map[string]any{"start": "greeting", "nodes": map[string]any{
		"greeting": map[string]any{"kind": "say", "text": greeting, "next": "interest"},
		"interest": map[string]any{"kind": "ask", "text": "Souhaitez-vous finaliser votre commande ?", "answers": []map[string]string{
			{"label": "Oui", "next": "sale"}, {"label": "Non merci", "next": "refused"}}},
		"no_time": map[string]any{"kind": "objection", "title": "Pas le temps", "text": "Une minute suffit.", "next": "interest"},
		"sale":    map[string]any{"kind": "outcome", "text": "Merci !", "disposition": "sale"},
		"refused": map[string]any{"kind": "outcome", "disposition": "refused"},
	}}
}

// scriptAnswers has every script operation answer, successes and the errors
// the document promises, for TestRealResponsesMatchOpenAPI.
func scriptAnswers(t *testing.T, e *platformtest.Env, send sender, client platformtest.Tenant) {
	t.Helper()
	center := e.Org(tenancy.KindCenter, "Script Appels", "MA")
	x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", client.Key, newCampaign("Script Genève", "CH"), http.StatusCreated)
	path := "/api/v1/campaigns/" + x.ID + "/script"
	send(404, "GET", path, client.Key, nil)
	send(200, "GET", path+"/versions", client.Key, nil)
	send(200, "POST", path, client.Key, callScript("Bonjour {{lead.first_name}}, ici {{agent.first_name}} de {{client.name}}."))
	send(422, "POST", path, client.Key, `{"start": "a", "nodes": {"a": {"kind": "say", "text": "x", "next": "a"}, "a": {"kind": "outcome"}}}`)
	send(422, "POST", path, client.Key, map[string]any{"start": "a", "nodes": map[string]any{"a": map[string]any{"kind": "say", "text": "x", "next": "a"}}})
	send(403, "POST", path, center.Key, callScript("Bonjour"))
	send(404, "GET", path, center.Key, nil)
	send(200, "GET", path, client.Key, nil)
	send(200, "GET", path+"/versions", client.Key, nil)
	send(200, "POST", path+"/preview", client.Key, map[string]any{"choices": []map[string]any{{"answer": 0, "objection": "no_time"}, {"answer": 0}, {"answer": 1}}})
	send(422, "POST", path+"/preview", client.Key, map[string]any{"choices": []map[string]any{{"answer": 0}, {"answer": 7}}})
}

func TestScriptsThroughTheAPI(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, newCampaign("Relance Genève", "CH"), http.StatusCreated)
		path := "/api/v1/campaigns/" + x.ID + "/script"

		v1 := must[scriptVersionBody](t, e, http.MethodPost, path, ml.Key, callScript("Bonjour {{lead.first_name}} de la part de {{client.name}}."), http.StatusOK)
		if v1.Version != 1 || v1.Used || v1.Script.Start != "greeting" || len(v1.Script.Nodes) != 5 || len(v1.Hash) != 64 {
			t.Fatalf("the first version: %+v", v1)
		}
		if again := must[scriptVersionBody](t, e, http.MethodPost, path, ml.Key, callScript("Bonjour {{lead.first_name}} de la part de {{client.name}}."), http.StatusOK); again.ID != v1.ID || again.Hash != v1.Hash {
			t.Errorf("the same script again: %+v, was %+v", again, v1)
		}
		edited := must[scriptVersionBody](t, e, http.MethodPost, path, ml.Key, callScript("Bonsoir {{lead.first_name}}."), http.StatusOK)
		if edited.ID != v1.ID || edited.Version != 1 || edited.Hash == v1.Hash {
			t.Errorf("an unused version edited: %+v", edited)
		}
		if got := get[scriptVersionsBody](t, e, path+"/versions", ml.Key).Data; len(got) != 1 || got[0].Hash != edited.Hash {
			t.Errorf("versions: %+v", got)
		}

		// Errors with paths: a duplicate node id and an unknown field from the reader, the graph's problems from validation.
		status, raw := call(t, e, http.MethodPost, path, ml.Key, `{"start": "a", "nodes": {"a": {"kind": "outcome", "disposition": "sale"}, "a": {"kind": "outcome", "disposition": "sale"}}}`)
		wantProblem(t, "a node id given twice", status, raw, http.StatusUnprocessableEntity, "nodes.a")
		status, raw = call(t, e, http.MethodPost, path, ml.Key, `{"start": "a", "nodes": {"a": {"kind": "outcome", "disposition": "sale", "nxt": "b"}}}`)
		wantProblem(t, "an unknown field", status, raw, http.StatusUnprocessableEntity, "nodes.a.nxt")
		loop := map[string]any{"start": "a", "nodes": map[string]any{
			"a": map[string]any{"kind": "say", "text": "Bonjour", "next": "b"},
			"b": map[string]any{"kind": "say", "text": "Encore", "next": "a"}}}
		status, raw = call(t, e, http.MethodPost, path, ml.Key, loop)
		if p := wantProblem(t, "a cycle without exit", status, raw, http.StatusUnprocessableEntity, ""); len(p.Errors) == 0 || !strings.HasPrefix(p.Errors[0].Path, "nodes.") {
			t.Errorf("a cycle without exit names no node: %s", raw)
		}
		if got := get[scriptVersionBody](t, e, path, ml.Key); got.Hash != edited.Hash {
			t.Errorf("a refused script changed the latest version: %+v", got)
		}

		// The preview walks the latest version with the sample lead and the client's name.
		pv := must[previewBody](t, e, http.MethodPost, path+"/preview", ml.Key,
			map[string]any{"choices": []map[string]any{{"answer": 0}, {"answer": 0}}}, http.StatusOK)
		if len(pv.Steps) != 3 || pv.Steps[0].Text != "Bonsoir Camille." || pv.Steps[2].Disposition != "sale" {
			t.Errorf("preview: %+v", pv)
		}
		status, raw = call(t, e, http.MethodPost, path+"/preview", ml.Key, map[string]any{"choices": []map[string]any{{"answer": 0}, {"answer": 5}}})
		wantProblem(t, "a choice out of range", status, raw, http.StatusUnprocessableEntity, "choices[1].answer")
	})
}

// aScript gives A's contracted campaign X a script, once, and returns its
// version; its id joins A's ids.
func (w *twoTenants) aScript(t *testing.T) scriptVersionBody {
	t.Helper()
	v := must[scriptVersionBody](t, w.e, http.MethodPost, "/api/v1/campaigns/"+w.market.x+"/script", w.a.Key,
		callScript("Bonjour {{lead.first_name}}, Maison Lumiere."), http.StatusOK)
	if !strings.Contains(strings.Join(w.aIDs, " "), v.ID) {
		w.aIDs = append(w.aIDs, v.ID)
	}
	return v
}

// scriptCases are the two-tenant cases of the script routes: tenant B and
// center B see nothing; center A reads X's script, never Y's, and never writes.
func (w *twoTenants) scriptCases() map[string]func(t *testing.T) {
	e, a, b, m := w.e, w.a, w.b, w.market
	campaigns := "/api/v1/campaigns/"
	preview := map[string]any{"choices": []map[string]any{{"answer": 0}}}
	unchanged := func(t *testing.T, v scriptVersionBody) {
		t.Helper()
		if got := get[scriptVersionsBody](t, e, campaigns+m.x+"/script/versions", a.Key).Data; len(got) != 1 || got[0].ID != v.ID || got[0].Hash != v.Hash {
			t.Errorf("A's script changed: %+v", got)
		}
	}
	reads := func(suffix, method string, body any) func(t *testing.T) {
		return func(t *testing.T) {
			v := w.aScript(t)
			for _, id := range []string{m.x, m.y, m.z} {
				w.notFoundAs(t, b.Key, method, campaigns, id, suffix, body)
			}
			w.notFoundAs(t, w.centerB.Key, method, campaigns, m.x, suffix, body)
			w.notFoundAs(t, w.centerA.Key, method, campaigns, m.y, suffix, body)
			w.notFoundAs(t, w.centerA.Key, method, campaigns, m.z, suffix, body)
			if status, raw := call(t, e, method, campaigns+m.x+suffix, w.centerA.Key, body); status != http.StatusOK || !strings.Contains(string(raw), "Bonjour") {
				t.Errorf("center A, contracted for X, %s %s: %d\n%s", method, suffix, status, raw)
			}
			unchanged(t, v)
		}
	}
	return map[string]func(t *testing.T){
		"GET /api/v1/campaigns/:id/script":          reads("/script", http.MethodGet, nil),
		"GET /api/v1/campaigns/:id/script/versions": reads("/script/versions", http.MethodGet, nil),
		"POST /api/v1/campaigns/:id/script/preview": reads("/script/preview", http.MethodPost, preview),
		"POST /api/v1/campaigns/:id/script": func(t *testing.T) {
			v := w.aScript(t)
			taken := callScript("Bonjour, ici Boutique Azur.")
			for _, id := range []string{m.x, m.y, m.z} {
				w.notFoundAs(t, b.Key, http.MethodPost, campaigns, id, "/script", taken)
			}
			for _, center := range []string{w.centerA.Key, w.centerB.Key} {
				status, raw := call(t, e, http.MethodPost, campaigns+m.x+"/script", center, taken)
				wantProblem(t, "a center saving A's script", status, raw, http.StatusForbidden, "")
			}
			unchanged(t, v)
			must[scriptVersionBody](t, e, http.MethodPost, campaigns+m.bDraft+"/script", b.Key, taken, http.StatusOK)
		},
	}
}
