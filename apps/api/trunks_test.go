package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

const (
	trunksPath    = "/api/v1/center/trunks"
	trunkPassword = "digest-secret-77c1"
)

func trunkBody(name string) map[string]any {
	return map[string]any{"name": name, "host": "sip.operator.example", "transport": "udp", "username": "atlas",
		"password": trunkPassword, "caller_ids": []string{"+33180000000"}, "max_concurrent": 4, "calls_per_second": 2}
}

type trunkPage struct {
	Data []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		HasPassword bool   `json:"has_password"`
	} `json:"data"`
}

// TestTrunksAreTheCentersOwn: a center's trunk is listed to it, without
// its password, and to no other center; another center cannot remove it;
// a client has no trunks to read; a bad trunk is answered field by field,
// in French too.
func TestTrunksAreTheCentersOwn(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		rival := e.Org(tenancy.KindCenter, "Rival Phoning", "FR")
		client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")

		resp := e.API(http.MethodPost, trunksPath, atlas.Key, trunkBody("Main"))
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated || strings.Contains(string(raw), trunkPassword) {
			t.Fatalf("add: %d %s", resp.StatusCode, raw)
		}
		var added struct {
			ID string `json:"id"`
		}
		decodeInto(t, string(raw), &added)

		var listed trunkPage
		resp = e.API(http.MethodGet, trunksPath, atlas.Key, nil)
		raw, _ = io.ReadAll(resp.Body)
		decodeInto(t, string(raw), &listed)
		if len(listed.Data) != 1 || listed.Data[0].ID != added.ID || !listed.Data[0].HasPassword || strings.Contains(string(raw), trunkPassword) {
			t.Errorf("Atlas lists %s", raw)
		}
		resp = e.API(http.MethodGet, trunksPath, rival.Key, nil)
		raw, _ = io.ReadAll(resp.Body)
		decodeInto(t, string(raw), &listed)
		if resp.StatusCode != http.StatusOK || len(listed.Data) != 0 {
			t.Errorf("the rival center lists %d %s", resp.StatusCode, raw)
		}
		if resp := e.API(http.MethodDelete, trunksPath+"/"+added.ID, rival.Key, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the rival center removes Atlas's trunk: %d", resp.StatusCode)
		}
		if resp := e.API(http.MethodGet, trunksPath, client.Key, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a client lists trunks: %d", resp.StatusCode)
		}

		bad := trunkBody("")
		bad["transport"], bad["caller_ids"] = "sctp", []string{}
		resp = e.API(http.MethodPost, trunksPath, atlas.Key, bad, "Accept-Language", "fr")
		raw, _ = io.ReadAll(resp.Body)
		p := wantProblem(t, "a bad trunk", resp.StatusCode, raw, http.StatusUnprocessableEntity, "name")
		paths := map[string]string{}
		for _, f := range p.Errors {
			paths[f.Path] = f.Message
		}
		for _, path := range []string{"name", "transport", "caller_ids"} {
			if paths[path] == "" {
				t.Errorf("no error at %s: %s", path, raw)
			}
		}
		if !strings.Contains(paths["caller_ids"], "présenté") {
			t.Errorf("the caller ids' error is not in French: %q", paths["caller_ids"])
		}

		if resp := e.API(http.MethodDelete, trunksPath+"/"+added.ID, atlas.Key, nil); resp.StatusCode != http.StatusNoContent {
			t.Errorf("Atlas removes its trunk: %d", resp.StatusCode)
		}
		resp = e.API(http.MethodGet, trunksPath, atlas.Key, nil)
		raw, _ = io.ReadAll(resp.Body)
		decodeInto(t, string(raw), &listed)
		if len(listed.Data) != 0 {
			t.Errorf("a removed trunk is still listed: %s", raw)
		}
	})
}

// trunkAnswers has every trunk operation answer, for
// TestRealResponsesMatchOpenAPI.
func trunkAnswers(t *testing.T, e *platformtest.Env, send sender) {
	t.Helper()
	center := e.Org(tenancy.KindCenter, "Plateau Sud", "FR")
	var added struct {
		ID string `json:"id"`
	}
	decodeInto(t, send(201, "POST", trunksPath, center.Key, trunkBody("Main")), &added)
	send(409, "POST", trunksPath, center.Key, trunkBody("Main"))
	send(422, "POST", trunksPath, center.Key, map[string]any{"name": "x"})
	send(200, "GET", trunksPath, center.Key, nil)
	send(204, "DELETE", trunksPath+"/"+added.ID, center.Key, nil)
	send(404, "DELETE", trunksPath+"/"+added.ID, center.Key, nil)
}

// trunkCases are the two-tenant cases of the trunk routes: center A's
// trunk is neither listed to, nor removed by, center B; a client has none.
func (w *twoTenants) trunkCases(t *testing.T) map[string]func(t *testing.T) {
	e := w.e
	var aTrunk struct {
		ID string `json:"id"`
	}
	status, raw := call(t, e, http.MethodPost, trunksPath, w.centerA.Key, trunkBody("Main"))
	if status != http.StatusCreated {
		t.Fatalf("center A's trunk: %d %s", status, raw)
	}
	decodeInto(t, string(raw), &aTrunk)
	aListsItsTrunk := func(t *testing.T) {
		t.Helper()
		var listed trunkPage
		_, raw := call(t, e, http.MethodGet, trunksPath, w.centerA.Key, nil)
		decodeInto(t, string(raw), &listed)
		if len(listed.Data) != 1 || listed.Data[0].ID != aTrunk.ID {
			t.Errorf("center A's trunks changed: %s", raw)
		}
	}
	return map[string]func(t *testing.T){
		"GET /api/v1/center/trunks": func(t *testing.T) {
			status, raw := call(t, e, http.MethodGet, trunksPath, w.centerB.Key, nil)
			if status != http.StatusOK || strings.Contains(string(raw), aTrunk.ID) {
				t.Errorf("center B's trunks: %d %s", status, raw)
			}
			status, raw = call(t, e, http.MethodGet, trunksPath, w.b.Key, nil)
			wantProblem(t, "client B listing trunks", status, raw, http.StatusForbidden, "")
		},
		"POST /api/v1/center/trunks": func(t *testing.T) {
			// The same name is B's own: names are unique per center only.
			if status, raw := call(t, e, http.MethodPost, trunksPath, w.centerB.Key, trunkBody("Main")); status != http.StatusCreated {
				t.Errorf("center B adds its own Main: %d %s", status, raw)
			}
			status, raw := call(t, e, http.MethodPost, trunksPath, w.b.Key, trunkBody("Main"))
			wantProblem(t, "client B adding a trunk", status, raw, http.StatusForbidden, "")
			aListsItsTrunk(t)
		},
		"DELETE /api/v1/center/trunks/:id": func(t *testing.T) {
			w.notFoundWith(t, w.centerB.Key, http.MethodDelete, trunksPath+"/", aTrunk.ID, "", nil)
			aListsItsTrunk(t)
		},
	}
}
