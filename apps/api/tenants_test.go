package api_test

import (
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// twoTenants is the fixture of the two-tenant cases: tenant A's rows, and
// tenant B, who must never read nor change them.
type twoTenants struct {
	e       *platformtest.Env
	a, b    platformtest.Tenant
	aMember tenancy.Member
	aKey    apiKey   // a second key of A, made through the API
	aIDs    []string // every id A has: org, users, keys, compliance rows, campaign and lead, audit events

	// A's compliance records: a consented number, an opted-out number and
	// a number whose dial was refused, each A's alone.
	aConsent, aOptOut, aDialled string
	aSuppression, aLead         string
	// Two call centers, for the center's profile: A's has filled its own.
	centerA, centerB platformtest.Tenant
	centerARef       string
	// The marketplace: A's campaigns, the centers' offers, A's contract.
	market marketFixture
	// A's leads in its campaigns, and a file imported.
	leads leadFixture
	// A's floor: a running campaign worked by center C, an agent's call
	// on it; center B's agent, who must not touch it.
	floor floorFixture
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

	// Each tenant's compliance records: B's own, so that B's lists are not
	// empty, and A's, which B must never see nor be governed by.
	w.aConsent, w.aOptOut, w.aDialled = "+33612345601", "+33612345602", "+33612345603"
	aCampaign, aLead := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	w.aLead = aLead.String()
	w.aIDs = append(w.aIDs, recordConsent(t, e, w.a.Key, w.aConsent).Data[0].ID, aCampaign.String(), w.aLead)
	must[added](t, e, http.MethodPost, "/api/v1/suppressions", w.a.Key,
		map[string]any{"items": []map[string]string{{"phone": w.aOptOut, "reason": "A's callee said no"}}}, http.StatusOK)
	w.aSuppression = ids(t, e, "/api/v1/suppressions", w.a.Key)[0]
	w.aIDs = append(w.aIDs, w.aSuppression)
	dial(t, e, w.a, w.aDialled, &aCampaign, &aLead)
	w.aIDs = append(w.aIDs, ids(t, e, "/api/v1/compliance/evidence", w.a.Key)...)
	recordConsent(t, e, w.b.Key, "+33698765401")
	must[added](t, e, http.MethodPost, "/api/v1/suppressions", w.b.Key,
		map[string]any{"items": []map[string]string{{"phone": "+33698765402"}}}, http.StatusOK)
	dial(t, e, w.b, "+33698765403", nil, nil)

	w.centerA = e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
	w.centerB = e.Org(tenancy.KindCenter, "Teranga Appels", "SN")
	w.centerARef = "A-GC-123/2025"
	must[centerProfile](t, e, http.MethodPatch, "/api/v1/center-profile", w.centerA.Key,
		map[string]any{"authority_ref": w.centerARef, "documents": []string{"atlas-scc.pdf"}}, http.StatusOK)

	w.market = newMarketFixture(t, w)
	w.leads = newLeadFixture(t, w)
	w.floor = newFloorFixture(t, w)

	w.aIDs = append(w.aIDs, ids(t, e, "/api/v1/audit-events", w.a.Key)...)
	if len(w.aIDs) < 11 {
		t.Fatalf("tenant A should have an org, 2 users, 2 keys, compliance rows and audit events; has ids %v", w.aIDs)
	}
	return w
}

// dial has the compliance engine refuse a dial for tenant, as a center's dialer
// would, so that the refusal is kept as evidence.
func dial(t *testing.T, e *platformtest.Env, tenant platformtest.Tenant, number string, campaign, lead *uuid.UUID) {
	t.Helper()
	at := time.Date(2026, 9, 15, 9, 0, 0, 0, time.UTC)
	d, err := e.P.Services.Compliance.Decide(platformtest.As(tenant.Org), compliance.Question{Number: number, Country: "FR",
		Audience: "b2c", Kind: "prospecting", CallerID: "+33162000001", At: &at, Purpose: compliance.PurposeDial,
		CampaignID: campaign, LeadID: lead})
	if err != nil || d.Allowed {
		t.Fatalf("dial of %s: %+v %v, want a refusal", number, d, err)
	}
}

// bDecides asks, as tenant B, about a number at the fixed Tuesday.
func (w *twoTenants) bDecides(t *testing.T, number string) decision {
	t.Helper()
	status, raw := call(t, w.e, http.MethodPost, "/api/v1/compliance/decisions", w.b.Key, question(number, tuesday11))
	if status != http.StatusOK {
		t.Fatalf("B's decision: %d\n%s", status, raw)
	}
	w.noneOfA(t, "a decision", raw)
	var d decision
	decodeInto(t, string(raw), &d)
	return d
}

// centerAUnchanged checks, as center A, that its profile is as it made it.
func (w *twoTenants) centerAUnchanged(t *testing.T) {
	t.Helper()
	p := get[centerProfile](t, w.e, "/api/v1/center-profile", w.centerA.Key)
	if p.OrgID != w.centerA.Org.ID.String() || p.AuthorityRef != w.centerARef || len(p.Documents) != 1 {
		t.Errorf("center A's profile changed: %+v", p)
	}
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
	cases := map[string]func(t *testing.T){
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
		"POST /api/v1/compliance/decisions": func(t *testing.T) {
			// A's opt-out and A's consent govern A's calls only.
			if d := w.bDecides(t, w.aOptOut); d.Reason != "no_consent" {
				t.Errorf("B calling the number A's callee opted out of: %+v, want no_consent (B's own state)", d)
			}
			if d := w.bDecides(t, w.aConsent); d.Reason != "no_consent" {
				t.Errorf("B calling the number that consented to A: %+v, want no_consent", d)
			}
			if d := decide(t, e, a.Key, question(w.aOptOut, tuesday11)); d.Reason != "suppressed_client" {
				t.Errorf("A calling its own opted-out number: %+v", d)
			}
			if d := decide(t, e, a.Key, question(w.aConsent, tuesday11)); !d.Allowed {
				t.Errorf("A calling its consented number: %+v", d)
			}
		},
		"GET /api/v1/compliance/evidence": func(t *testing.T) {
			w.listHasNoneOfA(t, "/api/v1/compliance/evidence")
			for _, q := range []string{"?lead_id=" + w.aLead, "?phone=" + url.QueryEscape(w.aDialled)} {
				if got := get[page](t, e, "/api/v1/compliance/evidence"+q, b.Key); len(got.Data) != 0 {
					t.Errorf("B's evidence%s shows A's decisions: %+v", q, got)
				}
			}
		},
		"GET /api/v1/compliance/blocks": func(t *testing.T) {
			status, raw := call(t, e, http.MethodGet, "/api/v1/compliance/blocks", b.Key, nil)
			if status != http.StatusOK || !strings.Contains(string(raw), `"count":1`) {
				t.Errorf("B's blocks: %d, want B's one refused dial\n%s", status, raw)
			}
			w.noneOfA(t, "/compliance/blocks", raw)
		},
		"GET /api/v1/consents": func(t *testing.T) {
			w.listHasNoneOfA(t, "/api/v1/consents")
			if got := get[consents](t, e, "/api/v1/consents?phone="+url.QueryEscape(w.aConsent), b.Key); len(got.Data) != 0 {
				t.Errorf("B's consents of A's number: %+v", got)
			}
		},
		"POST /api/v1/consents": func(t *testing.T) {
			before := ids(t, e, "/api/v1/consents", a.Key)
			recordConsent(t, e, b.Key, w.aConsent)
			if after := ids(t, e, "/api/v1/consents", a.Key); !slices.Equal(before, after) {
				t.Errorf("B recording a consent changed A's consents: %v, was %v", after, before)
			}
		},
		"POST /api/v1/consents/withdraw": func(t *testing.T) {
			status, raw := call(t, e, http.MethodPost, "/api/v1/consents/withdraw", b.Key, map[string]string{"phone": w.aDialled})
			wantProblem(t, "B withdrawing a consent only A has", status, raw, http.StatusNotFound, "")
			w.noneOfA(t, "a withdrawal", raw)
			for _, c := range get[consents](t, e, "/api/v1/consents", a.Key).Data {
				if c.WithdrawnAt != nil {
					t.Errorf("A's consent was withdrawn by B: %+v", c)
				}
			}
		},
		"GET /api/v1/suppressions": func(t *testing.T) {
			for _, r := range w.listHasNoneOfA(t, "/api/v1/suppressions") {
				if r.ID == w.aSuppression {
					t.Errorf("B's list holds A's entry")
				}
			}
			status, raw := call(t, e, http.MethodGet, "/api/v1/suppressions", b.Key, nil)
			if status != http.StatusOK || strings.Contains(string(raw), w.aOptOut) {
				t.Errorf("B's list shows A's opted-out number: %d\n%s", status, raw)
			}
		},
		"POST /api/v1/suppressions": func(t *testing.T) {
			before, bBefore := ids(t, e, "/api/v1/suppressions", a.Key), ids(t, e, "/api/v1/suppressions", b.Key)
			// A's entry does not make the number "already listed" for B.
			got := must[added](t, e, http.MethodPost, "/api/v1/suppressions", b.Key,
				map[string]any{"items": []map[string]string{{"phone": w.aOptOut}}}, http.StatusOK)
			if got != (added{1, 1, 0}) {
				t.Errorf("B adding the number A's callee opted out of: %+v, want it new on B's list", got)
			}
			if after := ids(t, e, "/api/v1/suppressions", a.Key); !slices.Equal(before, after) {
				t.Errorf("B adding an opt-out changed A's list: %v, was %v", after, before)
			}
			// Leave B's list as it was for the other cases.
			for _, id := range ids(t, e, "/api/v1/suppressions", b.Key) {
				if !slices.Contains(bBefore, id) {
					if status, raw := call(t, e, http.MethodDelete, "/api/v1/suppressions/"+id, b.Key, nil); status != http.StatusNoContent {
						t.Errorf("B removing its own entry: %d\n%s", status, raw)
					}
				}
			}
		},
		"DELETE /api/v1/suppressions/:id": func(t *testing.T) {
			w.notFoundForB(t, http.MethodDelete, "/api/v1/suppressions/", w.aSuppression, nil)
			if !slices.Contains(ids(t, e, "/api/v1/suppressions", a.Key), w.aSuppression) {
				t.Errorf("A's opt-out is gone after B tried to remove it")
			}
		},
		"GET /api/v1/center-profile": func(t *testing.T) {
			status, raw := call(t, e, http.MethodGet, "/api/v1/center-profile", b.Key, nil)
			wantProblem(t, "client B reading a center profile", status, raw, http.StatusForbidden, "")
			status, raw = call(t, e, http.MethodGet, "/api/v1/center-profile", w.centerB.Key, nil)
			if status != http.StatusOK || !strings.Contains(string(raw), w.centerB.Org.ID.String()) ||
				strings.Contains(string(raw), w.centerA.Org.ID.String()) || strings.Contains(string(raw), w.centerARef) ||
				strings.Contains(string(raw), "atlas-scc.pdf") {
				t.Errorf("center B's profile: %d, want B's own, nothing of A's\n%s", status, raw)
			}
		},
		"PATCH /api/v1/center-profile": func(t *testing.T) {
			status, raw := call(t, e, http.MethodPatch, "/api/v1/center-profile", b.Key, map[string]string{"authority_ref": "taken over"})
			wantProblem(t, "client B editing a center profile", status, raw, http.StatusForbidden, "")
			p := must[centerProfile](t, e, http.MethodPatch, "/api/v1/center-profile", w.centerB.Key,
				map[string]any{"authority_ref": "CDP-2026-7", "documents": []string{}}, http.StatusOK)
			if p.OrgID != w.centerB.Org.ID.String() || p.Authority != "CDP" {
				t.Errorf("center B's saved profile: %+v", p)
			}
			w.centerAUnchanged(t)
		},
		"GET /api/v1/audit-events": func(t *testing.T) {
			rows := w.listHasNoneOfA(t, "/api/v1/audit-events")
			for _, r := range rows {
				if slices.Contains(w.aIDs, r.ObjectID) {
					t.Errorf("B's audit trail has an event about A's %s: %+v", r.ObjectID, r)
				}
			}
			// B's refused attempts left nothing in A's trail either: every
			// actor there is one of A's, or center A moving A's campaign X
			// (its confirmation contracted X), which A's trail records too.
			centerA := get[me](t, e, "/api/v1/me", w.centerA.Key).ID
			for _, r := range all(t, e, "/api/v1/audit-events", a.Key, "200") {
				byA := r.ActorID == nil || slices.Contains(w.aIDs, *r.ActorID)
				if !byA && !(*r.ActorID == centerA && r.ObjectID == w.market.x && r.Action == "campaign.contract") {
					t.Errorf("A's audit trail has an event by an actor who is not A's: %+v", r)
				}
			}
		},
	}
	maps.Copy(cases, w.marketCases())
	maps.Copy(cases, w.scriptCases())
	maps.Copy(cases, w.leadCases())
	cases["POST /api/v1/cdrs"] = w.cdrCase
	maps.Copy(cases, w.floorCases())
	maps.Copy(cases, w.trunkCases(w.e.T))
	return cases
}

func TestTwoTenantsOnEveryRoute(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
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
