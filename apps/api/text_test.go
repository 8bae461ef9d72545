package api_test

import (
	"net/http"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestTextFieldsTakeOnlyText: a NUL (which PostgreSQL refuses, a 500), a
// control character or invalid UTF-8 in any text field, at any depth, or
// in a name, is 422 at the field's path, and changes nothing.
func TestTextFieldsTakeOnlyText(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		saveVerifiedProfile(t, e, atlas)
		member := e.Member(ml.Org, "camille@maisonlumiere.test", "manager", "correct horse battery")
		x := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, prospecting("Prospection", "FR"), http.StatusCreated)
		move(t, e, ml.Key, x.ID, "publish", http.StatusOK)
		campaign := "/api/v1/campaigns/" + x.ID
		draft := must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, newCampaign("Relance", "FR"), http.StatusCreated)
		before := stateOf(t, e, ml.Key)

		for _, bad := range []struct{ name, escaped, raw string }{
			{"NUL", `\u0000`, ""}, {"escape", `\u001b`, ""}, {"bell", "", "\x07"}, {"invalid UTF-8", "", "\xff\xfe"},
		} {
			text := bad.escaped + bad.raw // as JSON writes it
			cases := []struct {
				what, method, path, key, body, field string
			}{
				{"user name", "POST", "/api/v1/users", ml.Key, `{"email":"lea@ml.test","role":"analyst","name":"Lé` + text + `a"}`, "name"},
				{"user name in a patch", "PATCH", "/api/v1/users/" + member.ID.String(), ml.Key, `{"name":"Ca` + text + `mille"}`, "name"},
				{"key name", "POST", "/api/v1/api-keys", ml.Key, `{"name":"crm` + text + `","role":"analyst"}`, "name"},
				{"campaign name", "POST", "/api/v1/campaigns", ml.Key,
					`{"name":"Relance` + text + `","kind":"customer_care","audience":"b2c","country":"FR","languages":["fr"],"volume":10,"budget_cap":1000000}`, "name"},
				{"campaign name in a patch", "PATCH", "/api/v1/campaigns/" + draft.ID, ml.Key, `{"name":"Relance` + text + `"}`, "name"},
				{"offer message", "POST", campaign + "/offers", atlas.Key,
					`{"rate_card":{"currency":"EUR","per_minute":420000,"minimum_seconds":30,"increment_seconds":6},"seats":10,"languages":["fr"],` +
						`"hours":"9h-20h","starts_on":"2030-01-01T09:00:00Z","message":"Équipe` + text + `"}`, "message"},
				{"consent source", "POST", "/api/v1/consents", ml.Key,
					`{"country":"FR","items":[{"phone":"06 12 34 56 78","source":"web` + text + `","captured_at":"2026-09-01T10:00:00+02:00","kinds":["prospecting"]}]}`, "items[0].source"},
				{"lead field", "POST", campaign + "/leads", ml.Key, `{"items":[{"phone":"06 12 34 56 05"},{"phone":"06 12 34 56 06","first_name":"Zo` + text + `é"}]}`, "items[1].first_name"},
				{"lead custom value", "POST", campaign + "/leads", ml.Key, `{"items":[{"phone":"06 12 34 56 06","custom":{"panier":"12` + text + `"}}]}`, "items[0].custom.panier"},
				{"script text", "POST", campaign + "/script", ml.Key,
					`{"start":"a","nodes":{"a":{"kind":"say","text":"Bonjour` + text + `","next":"b"},"b":{"kind":"outcome","disposition":"sale"}}}`, "nodes.a.text"},
			}
			if bad.escaped != "" { // a name holding an invalid byte is named by its object
				cases = append(cases, struct{ what, method, path, key, body, field string }{"lead custom key", "POST", campaign + "/leads", ml.Key,
					`{"items":[{"phone":"06 12 34 56 06","custom":{"pan` + text + `ier":"12"}}]}`, "items[0].custom.pan" + escapedRune(bad.escaped) + "ier"})
			}
			for _, c := range cases {
				status, raw := call(t, e, c.method, c.path, c.key, c.body)
				wantProblem(t, bad.name+" in the "+c.what, status, raw, http.StatusUnprocessableEntity, c.field)
			}
		}
		for name, query := range map[string]string{"NUL": "q=Zo%00e", "a line break": "q=Zo%0Ae", "invalid UTF-8": "q=Zo%FFe",
			"NUL in a name": "status=ready&q%00=x"} {
			status, raw := call(t, e, http.MethodGet, campaign+"/leads?"+query, ml.Key, nil)
			wantProblem(t, name+" in the query", status, raw, http.StatusUnprocessableEntity, map[bool]string{true: `q\u0000`, false: "q"}[name == "NUL in a name"])
		}
		if after := stateOf(t, e, ml.Key); after != before {
			t.Errorf("refused text changed the org: %+v, was %+v", after, before)
		}
		if got := get[leadList](t, e, campaign+"/leads", ml.Key); len(got.Data) != 0 {
			t.Errorf("refused batches added %d leads", len(got.Data))
		}
		// Tabs and line breaks are text.
		must[user](t, e, http.MethodPatch, "/api/v1/users/"+member.ID.String(), ml.Key, `{"name":"Camille\tDurand"}`, http.StatusOK)
	})
}

// escapedRune is how a path writes the control character of a JSON escape.
func escapedRune(escape string) string {
	return map[string]string{`\u0000`: `\u0000`, `\u001b`: `\u001B`}[escape]
}
