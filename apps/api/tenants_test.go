package api_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// twoTenants is the fixture of the two-tenant cases: tenant A's rows, and
// tenant B, who must never read nor change them.
type twoTenants struct {
	e       *platformtest.Env
	a, b    platformtest.Tenant
	aMember tenancy.Member
	aKey    apiKey   // a second key of A, made through the API
	aIDs    []string // every id A has: org, users, keys, audit events
}

func newTwoTenants(t *testing.T, e *platformtest.Env) *twoTenants {
	w := &twoTenants{e: e,
		a: e.Org(tenancy.KindClient, "Maison Lumiere", "FR"),
		b: e.Org(tenancy.KindClient, "Boutique Azur", "FR"),
	}
	w.aMember = e.Member(w.a.Org, "camille@maisonlumiere.test", string(tenancy.RoleManager), "correct horse battery")
	w.aKey = newKey(t, e, w.a.Key, string(tenancy.RoleAnalyst))
	w.aIDs = append([]string{w.a.Org.ID.String()}, ids(t, e, "/api/v1/users", w.a.Key)...)
	w.aIDs = append(w.aIDs, ids(t, e, "/api/v1/api-keys", w.a.Key)...)
	w.aIDs = append(w.aIDs, ids(t, e, "/api/v1/audit-events", w.a.Key)...)
	if len(w.aIDs) < 6 {
		t.Fatalf("tenant A should have an org, 2 users, 2 keys and audit events; has ids %v", w.aIDs)
	}
	return w
}

// noneOfA fails when raw mentions any of A's ids or A's name.
func (w *twoTenants) noneOfA(t *testing.T, what string, raw []byte) {
	t.Helper()
	for _, id := range append(slices.Clone(w.aIDs), w.a.Org.Name) {
		if strings.Contains(string(raw), id) {
			t.Errorf("%s as tenant B shows tenant A's %s:\n%s", what, id, raw)
		}
	}
}

// listHasNoneOfA walks every page of a list as B, one row a page so the
// cursor is exercised, and fails on any row of A. It returns B's rows.
func (w *twoTenants) listHasNoneOfA(t *testing.T, path string) []item {
	t.Helper()
	rows := all(t, w.e, path, w.b.Key, "1")
	for _, r := range rows {
		if slices.Contains(w.aIDs, r.ID) {
			t.Errorf("%s as tenant B lists tenant A's row %s", path, r.ID)
		}
	}
	if len(rows) == 0 {
		t.Errorf("%s as tenant B is empty; B's own rows should be there", path)
	}
	return rows
}

// aMemberUnchanged checks, as A, that A's member is as it was made.
func (w *twoTenants) aMemberUnchanged(t *testing.T) {
	t.Helper()
	got := get[user](t, w.e, "/api/v1/users/"+w.aMember.ID.String(), w.a.Key)
	if got.Name != w.aMember.Name || got.Role != string(w.aMember.Role) || got.Status != string(w.aMember.Status) {
		t.Errorf("tenant A's member changed: %+v, was %+v", got, w.aMember)
	}
}

// notFoundForB sends a request as B about A's row id, which must answer
// as a row that never existed does: existence does not leak.
func (w *twoTenants) notFoundForB(t *testing.T, method, collection, id string, body any) {
	t.Helper()
	answer := func(id string) (problem, string) {
		status, raw := call(t, w.e, method, collection+id, w.b.Key, body)
		p := wantProblem(t, method+" "+collection+id+" as tenant B", status, raw, http.StatusNotFound, "")
		p.Detail, p.RequestID = strings.ReplaceAll(p.Detail, id, "{id}"), ""
		return p, strings.ReplaceAll(string(raw), id, "{id}")
	}
	ofA, raw := answer(id)
	never, _ := answer(uuid.Must(uuid.NewV7()).String())
	if !reflect.DeepEqual(ofA, never) {
		t.Errorf("%s %s{id}: A's row answers B %+v, a row that never existed %+v", method, collection, ofA, never)
	}
	w.noneOfA(t, method+" "+collection+"{id}", []byte(raw))
}

// The cases, one per route: a route without one fails the test, so a new
// route cannot forget its two-tenant check.
func (w *twoTenants) cases() map[string]func(t *testing.T) {
	e, a, b := w.e, w.a, w.b
	users, keys, member := "/api/v1/users/", "/api/v1/api-keys/", w.aMember.ID.String()
	return map[string]func(t *testing.T){
		"GET /api/v1/openapi.json": func(t *testing.T) {
			status, raw := call(t, e, http.MethodGet, "/api/v1/openapi.json", b.Key, nil)
			if status != http.StatusOK {
				t.Fatalf("openapi.json: %d", status)
			}
			w.noneOfA(t, "openapi.json", raw)
		},
		"GET /api/v1/me": func(t *testing.T) {
			status, raw := call(t, e, http.MethodGet, "/api/v1/me", b.Key, nil)
			if status != http.StatusOK || !strings.Contains(string(raw), b.Org.ID.String()) {
				t.Errorf("/me as B: %d, want 200 naming B's org\n%s", status, raw)
			}
			w.noneOfA(t, "/me", raw)
		},
		"GET /api/v1/org": func(t *testing.T) {
			status, raw := call(t, e, http.MethodGet, "/api/v1/org", b.Key, nil)
			if status != http.StatusOK || !strings.Contains(string(raw), b.Org.Name) {
				t.Errorf("/org as B: %d, want 200 with B's org\n%s", status, raw)
			}
			w.noneOfA(t, "/org", raw)
		},
		"GET /api/v1/users": func(t *testing.T) {
			rows := w.listHasNoneOfA(t, "/api/v1/users")
			if !slices.ContainsFunc(rows, func(r item) bool { return r.ID == b.Owner.ID.String() }) {
				t.Errorf("B's user list lacks B's owner")
			}
			// A cursor made from A's rows only bounds B's list; it cannot open A's.
			aPage := get[page](t, e, "/api/v1/users?limit=1", a.Key)
			status, raw := call(t, e, http.MethodGet, "/api/v1/users?cursor="+*aPage.NextCursor, b.Key, nil)
			if status != http.StatusOK {
				t.Errorf("B with A's cursor: %d\n%s", status, raw)
			}
			w.noneOfA(t, "/users with A's cursor", raw)
		},
		"POST /api/v1/users": func(t *testing.T) {
			before := ids(t, e, "/api/v1/users", a.Key)
			made := must[user](t, e, http.MethodPost, "/api/v1/users", b.Key,
				map[string]string{"email": "new@boutiqueazur.test", "role": "analyst"}, http.StatusCreated)
			if after := ids(t, e, "/api/v1/users", a.Key); !slices.Equal(before, after) {
				t.Errorf("B creating a user changed A's users: %v, was %v", after, before)
			}
			if !slices.Contains(ids(t, e, "/api/v1/users", b.Key), made.ID) {
				t.Errorf("B's new user %s is not in B's list", made.ID)
			}
		},
		"GET /api/v1/users/:id": func(t *testing.T) {
			w.notFoundForB(t, http.MethodGet, users, member, nil)
			w.notFoundForB(t, http.MethodGet, users, a.Owner.ID.String(), nil)
			get[user](t, e, "/api/v1/users/"+b.Owner.ID.String(), b.Key)
		},
		"PATCH /api/v1/users/:id": func(t *testing.T) {
			w.notFoundForB(t, http.MethodPatch, users, member, map[string]string{"name": "Taken Over", "role": "owner", "status": "disabled"})
			w.aMemberUnchanged(t)
		},
		"DELETE /api/v1/users/:id": func(t *testing.T) {
			w.notFoundForB(t, http.MethodDelete, users, member, nil)
			w.aMemberUnchanged(t)
		},
		"GET /api/v1/api-keys": func(t *testing.T) {
			w.listHasNoneOfA(t, "/api/v1/api-keys")
		},
		"POST /api/v1/api-keys": func(t *testing.T) {
			before := ids(t, e, "/api/v1/api-keys", a.Key)
			made := newKey(t, e, b.Key, "analyst")
			if after := ids(t, e, "/api/v1/api-keys", a.Key); !slices.Equal(before, after) {
				t.Errorf("B making a key changed A's keys: %v, was %v", after, before)
			}
			if got := get[me](t, e, "/api/v1/me", made.Key); got.OrgID != b.Org.ID.String() {
				t.Errorf("B's new key acts in org %s, want B's %s", got.OrgID, b.Org.ID)
			}
		},
		"DELETE /api/v1/api-keys/:id": func(t *testing.T) {
			w.notFoundForB(t, http.MethodDelete, keys, w.aKey.ID, nil)
			if got := get[me](t, e, "/api/v1/me", w.aKey.Key); got.OrgID != a.Org.ID.String() {
				t.Errorf("A's key no longer works as A after B tried to revoke it: %+v", got)
			}
		},
		"GET /api/v1/audit-events": func(t *testing.T) {
			rows := w.listHasNoneOfA(t, "/api/v1/audit-events")
			for _, r := range rows {
				if slices.Contains(w.aIDs, r.ObjectID) {
					t.Errorf("B's audit trail has an event about A's %s: %+v", r.ObjectID, r)
				}
			}
			// B's refused attempts left nothing in A's trail either: every
			// actor there is one of A's.
			for _, r := range all(t, e, "/api/v1/audit-events", a.Key, "200") {
				if r.ActorID != nil && !slices.Contains(w.aIDs, *r.ActorID) {
					t.Errorf("A's audit trail has an event by an actor who is not A's: %+v", r)
				}
			}
		},
	}
}

func TestTwoTenantsOnEveryRoute(t *testing.T) {
	platformtest.Each(t, mount(t), func(t *testing.T, e *platformtest.Env) {
		w := newTwoTenants(t, e)
		cases := w.cases()
		routes := apiRoutes(e)
		for _, route := range routes {
			check, ok := cases[route]
			if !ok {
				t.Errorf("%s has no two-tenant case: add one to twoTenants.cases", route)
				continue
			}
			t.Run(route, check)
		}
		for name := range cases {
			if !slices.Contains(routes, name) {
				t.Errorf("the two-tenant case %q matches no route", name)
			}
		}
	})
}
