package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// state counts what a refused request must leave alone; every change
// writes an audit event, so the trail's length catches any of them.
type state struct{ users, keys, events int }

func stateOf(t *testing.T, e *platformtest.Env, key string) state {
	t.Helper()
	return state{len(ids(t, e, "/api/v1/users", key)), len(ids(t, e, "/api/v1/api-keys", key)),
		len(ids(t, e, "/api/v1/audit-events", key))}
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		member := e.Member(ml.Org, "camille@maisonlumiere.test", "manager", "correct horse battery")
		analyst := newKey(t, e, ml.Key, "analyst")
		revoked := newKey(t, e, ml.Key, "analyst")
		must[apiKey](t, e, http.MethodDelete, "/api/v1/api-keys/"+revoked.ID, ml.Key, nil, http.StatusOK)
		before := stateOf(t, e, ml.Key)

		users, person := "/api/v1/users", "/api/v1/users/"+member.ID.String()
		newUser := func(email, role string) map[string]string { return map[string]string{"email": email, "role": role} }
		cases := []struct {
			name, method, path, key string
			body                    any
			headers                 []string
			status                  int
			field                   string // the path errors[0] must name, if any
		}{
			{"malformed JSON", http.MethodPost, users, ml.Key, `{"email": "a@ml.test",`, nil, 422, ""},
			{"not an object", http.MethodPost, users, ml.Key, `["a@ml.test"]`, nil, 422, ""},
			{"two objects", http.MethodPost, users, ml.Key, `{"email":"a@ml.test","role":"analyst"} {}`, nil, 422, ""},
			{"empty body", http.MethodPost, users, ml.Key, "", nil, 422, ""},
			{"unknown field", http.MethodPost, users, ml.Key, `{"email":"a@ml.test","role":"analyst","nickname":"A"}`, nil, 422, "nickname"},
			{"wrong type", http.MethodPost, users, ml.Key, `{"email":42,"role":"analyst"}`, nil, 422, "email"},
			{"wrong type in a patch", http.MethodPatch, person, ml.Key, `{"name":["Camille"]}`, nil, 422, "name"},
			{"not JSON", http.MethodPost, users, ml.Key, "email=a@ml.test", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, ""},
			{"duplicate email", http.MethodPost, users, ml.Key, newUser(member.Email, "analyst"), nil, 409, "email"},
			{"duplicate email in capitals", http.MethodPost, users, ml.Key, newUser(strings.ToUpper(member.Email), "analyst"), nil, 409, "email"},
			{"invalid email", http.MethodPost, users, ml.Key, newUser("not-an-email", "analyst"), nil, 422, "email"},
			{"invalid role", http.MethodPost, users, ml.Key, newUser("a@ml.test", "boss"), nil, 422, "role"},
			{"a center's role in a client org", http.MethodPost, users, ml.Key, newUser("a@ml.test", "supervisor"), nil, 422, "role"},
			{"short password", http.MethodPost, users, ml.Key, map[string]string{"email": "a@ml.test", "role": "analyst", "password": "short"}, nil, 422, "password"},
			{"invalid role in a patch", http.MethodPatch, person, ml.Key, map[string]string{"role": "boss"}, nil, 422, "role"},
			{"invalid key role", http.MethodPost, "/api/v1/api-keys", ml.Key, map[string]string{"role": "root"}, nil, 422, "role"},
			{"no key", http.MethodPost, users, "", newUser("a@ml.test", "analyst"), nil, 401, ""},
			{"no key on a read", http.MethodGet, users, "", nil, nil, 401, ""},
			{"unknown key", http.MethodPost, users, "plt_live_" + strings.Repeat("a", 32), newUser("a@ml.test", "analyst"), nil, 401, ""},
			{"not a Plateau key", http.MethodGet, users, "secret", nil, nil, 401, ""},
			{"not a bearer", http.MethodGet, users, "", nil, []string{"Authorization", "Basic " + ml.Key}, 401, ""},
			{"revoked key", http.MethodPost, users, revoked.Key, newUser("a@ml.test", "analyst"), nil, 401, ""},
			{"analyst adding a user", http.MethodPost, users, analyst.Key, newUser("a@ml.test", "analyst"), nil, 403, ""},
			{"analyst changing a user", http.MethodPatch, person, analyst.Key, map[string]string{"role": "owner"}, nil, 403, ""},
			{"analyst removing a user", http.MethodDelete, person, analyst.Key, nil, nil, 403, ""},
			{"analyst making a key", http.MethodPost, "/api/v1/api-keys", analyst.Key, map[string]string{"role": "owner"}, nil, 403, ""},
			{"analyst revoking a key", http.MethodDelete, "/api/v1/api-keys/" + analyst.ID, analyst.Key, nil, nil, 403, ""},
			{"analyst reading the audit trail", http.MethodGet, "/api/v1/audit-events", analyst.Key, nil, nil, 403, ""},
			{"limit 0", http.MethodGet, users + "?limit=0", ml.Key, nil, nil, 422, "limit"},
			{"limit above 200", http.MethodGet, users + "?limit=201", ml.Key, nil, nil, 422, "limit"},
			{"limit not a number", http.MethodGet, "/api/v1/audit-events?limit=ten", ml.Key, nil, nil, 422, "limit"},
			{"cursor not base64", http.MethodGet, "/api/v1/api-keys?cursor=%21%21", ml.Key, nil, nil, 422, "cursor"},
			{"cursor of the wrong size", http.MethodGet, users + "?cursor=YWJj", ml.Key, nil, nil, 422, "cursor"},
			{"user id not a UUID", http.MethodGet, users + "/42", ml.Key, nil, nil, 404, ""},
			{"patched id not a UUID", http.MethodPatch, users + "/42", ml.Key, map[string]string{"name": "x"}, nil, 404, ""},
			{"removed id not a UUID", http.MethodDelete, users + "/camille", ml.Key, nil, nil, 404, ""},
			{"key id not a UUID", http.MethodDelete, "/api/v1/api-keys/' OR 1=1 --", ml.Key, nil, nil, 404, ""},
			{"unknown user", http.MethodDelete, users + "/" + analyst.ID, ml.Key, nil, nil, 404, ""},
		}
		for _, c := range cases {
			path := strings.ReplaceAll(c.path, " ", "%20")
			status, raw := call(t, e, c.method, path, c.key, c.body, c.headers...)
			wantProblem(t, c.name, status, raw, c.status, c.field)
		}
		resp := oversized(t, e, users, ml.Key)
		wantProblem(t, "5 MiB body", resp.StatusCode, platformtest.ReadJSON(t, resp, nil), http.StatusRequestEntityTooLarge, "")

		if after := stateOf(t, e, ml.Key); after != before {
			t.Errorf("refused requests changed the org: %+v, was %+v", after, before)
		}
	})
}

func TestPagesWalkEveryRowOnceNewestFirst(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		for i := range 50 {
			must[user](t, e, http.MethodPost, "/api/v1/users", ml.Key,
				map[string]string{"email": fmt.Sprintf("agent%02d@ml.test", i), "role": "analyst"}, http.StatusCreated)
		}
		whole := ids(t, e, "/api/v1/users", ml.Key)
		if len(whole) != 51 {
			t.Fatalf("one page of 200 holds %d users, want 51", len(whole))
		}
		if !slices.IsSortedFunc(whole, func(a, b string) int { return strings.Compare(b, a) }) {
			t.Errorf("users are not newest first: %v", whole)
		}
		var walked []string
		for _, it := range all(t, e, "/api/v1/users", ml.Key, "4") {
			walked = append(walked, it.ID)
		}
		if !slices.Equal(walked, whole) {
			t.Errorf("pages of 4 give %v, one page gives %v", walked, whole)
		}
		if def := get[page](t, e, "/api/v1/users", ml.Key); len(def.Data) != 50 || def.NextCursor == nil {
			t.Errorf("the default page holds %d users (next_cursor %v), want 50 and a cursor", len(def.Data), def.NextCursor)
		}
		if last := get[page](t, e, "/api/v1/users?limit=51", ml.Key); last.NextCursor != nil {
			t.Errorf("a page holding the last row has next_cursor %q, want null", *last.NextCursor)
		}
	})
}
