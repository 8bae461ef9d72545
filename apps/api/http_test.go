package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// The API as RFC 9110 has it: a 401 says how to authenticate, a method an
// address does not take is 405 with the methods it does take, and HEAD is
// GET without the body.

func TestAn401SaysToSendABearerKey(t *testing.T) {
	e := platformtest.New(t)
	for name, auth := range map[string]string{"no key": "", "unknown key": "Bearer plt_live_" + strings.Repeat("a", 32),
		"not a bearer": "Basic YTpi"} {
		resp := e.API(http.MethodGet, "/api/v1/users", "", nil, "Authorization", auth)
		raw := platformtest.ReadJSON(t, resp, nil)
		wantProblem(t, name, resp.StatusCode, raw, http.StatusUnauthorized, "")
		if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("%s: WWW-Authenticate is %q, want a Bearer challenge", name, got)
		}
	}
}

func TestAWrongMethodIs405WithAllow(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	for _, c := range []struct {
		method, path string
		allow        []string
	}{
		{http.MethodDelete, "/api/v1/users", []string{"GET", "HEAD", "POST"}},
		{http.MethodPut, "/api/v1/users/" + ml.Owner.ID.String(), []string{"GET", "HEAD", "PATCH", "DELETE"}},
		{http.MethodPost, "/api/v1/me", []string{"GET", "HEAD"}},
		{http.MethodPatch, "/api/v1/compliance/decisions", []string{"POST"}},
	} {
		resp := e.API(c.method, c.path, ml.Key, nil)
		raw := platformtest.ReadJSON(t, resp, nil)
		wantProblem(t, c.method+" "+c.path, resp.StatusCode, raw, http.StatusMethodNotAllowed, "")
		var allow []string
		for _, m := range strings.Split(resp.Header.Get("Allow"), ",") {
			allow = append(allow, strings.TrimSpace(m))
		}
		slices.Sort(allow)
		slices.Sort(c.allow)
		if !slices.Equal(allow, c.allow) {
			t.Errorf("%s %s: Allow %q, want %v", c.method, c.path, resp.Header.Get("Allow"), c.allow)
		}
	}
	// An address that is not there at all stays 404.
	resp := e.API(http.MethodDelete, "/api/v1/nothing", ml.Key, nil)
	wantProblem(t, "an unknown address", resp.StatusCode, platformtest.ReadJSON(t, resp, nil), http.StatusNotFound, "")
}

func TestHEADIsGETWithoutTheBody(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	for _, c := range []struct{ path, key string }{
		{"/api/v1/users", ml.Key},
		{"/api/v1/me", ml.Key},
		{"/api/v1/openapi.json", ""},
		{"/api/v1/me", ""},                // 401
		{"/api/v1/users/42", ml.Key},      // 404
		{"/api/v1/users?limit=0", ml.Key}, // 422
	} {
		get := e.API(http.MethodGet, c.path, c.key, nil)
		getBody, _ := io.ReadAll(get.Body)
		head := e.API(http.MethodHead, c.path, c.key, nil)
		headBody, _ := io.ReadAll(head.Body)
		if head.StatusCode != get.StatusCode || len(headBody) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes; GET: %d", c.path, head.StatusCode, len(headBody), get.StatusCode)
		}
		for _, h := range []string{"Content-Type", "Content-Length", "WWW-Authenticate", "Cache-Control"} {
			if head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("HEAD %s: %s %q, GET's %q", c.path, h, head.Header.Get(h), get.Header.Get(h))
			}
		}
		if get.Header.Get("Content-Length") == "" && len(getBody) > 0 {
			t.Errorf("GET %s has no Content-Length", c.path)
		}
	}
	// Pages too: the sign-in page, and the redirect to it.
	for _, path := range []string{"/login", "/portal"} {
		get := e.Do(withAccept(httptest.NewRequest(http.MethodGet, path, nil)))
		head := e.Do(withAccept(httptest.NewRequest(http.MethodHead, path, nil)))
		headBody, _ := io.ReadAll(head.Body)
		if head.StatusCode != get.StatusCode || len(headBody) != 0 || head.Header.Get("Location") != get.Header.Get("Location") ||
			head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: %d %q %q; GET: %d %q %q", path, head.StatusCode, head.Header.Get("Location"), head.Header.Get("Content-Type"),
				get.StatusCode, get.Header.Get("Location"), get.Header.Get("Content-Type"))
		}
	}
}

// stamped is a row with when it last changed.
type stamped struct {
	ID        string `json:"id"`
	UpdatedAt string `json:"updated_at"`
}

func withAccept(r *http.Request) *http.Request {
	r.Header.Set("Accept", "text/html")
	return r
}

// TestABodyMustBeAJSONObjectSentAsJSON: a null PATCH changed nothing yet
// touched updated_at and wrote an audit event; application/jsonx passed
// for JSON.
func TestABodyMustBeAJSONObjectSentAsJSON(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		member := e.Member(ml.Org, "camille@maisonlumiere.test", "manager", "correct horse battery")
		campaign := must[stamped](t, e, http.MethodPost, "/api/v1/campaigns", ml.Key, newCampaign("Relance", "FR"), http.StatusCreated)
		before := stateOf(t, e, ml.Key)
		person := "/api/v1/users/" + member.ID.String()
		for _, c := range []struct{ method, path string }{
			{http.MethodPatch, person},
			{http.MethodPatch, "/api/v1/campaigns/" + campaign.ID},
			{http.MethodPost, "/api/v1/api-keys"},
			{http.MethodPost, "/api/v1/users"},
		} {
			status, raw := call(t, e, c.method, c.path, ml.Key, "null")
			if p := wantProblem(t, c.method+" "+c.path+" null", status, raw, http.StatusUnprocessableEntity, ""); !strings.Contains(p.Detail, "the body") {
				t.Errorf("%s %s null: the problem should name the body: %q", c.method, c.path, p.Detail)
			}
		}
		for _, ct := range []string{"application/jsonx", "text/plain", "application/x-www-form-urlencoded"} {
			status, raw := call(t, e, http.MethodPatch, person, ml.Key, `{"name":"Camille"}`, "Content-Type", ct)
			if p := wantProblem(t, ct, status, raw, http.StatusUnsupportedMediaType, ""); !strings.Contains(p.Detail, "application/json") {
				t.Errorf("%s: the problem should say to send application/json: %q", ct, p.Detail)
			}
		}
		status, raw := call(t, e, http.MethodPost, "/api/v1/campaigns/"+campaign.ID+"/script", ml.Key, `{"start":"a","nodes":{}}`, "Content-Type", "application/jsonx")
		wantProblem(t, "a script as application/jsonx", status, raw, http.StatusUnsupportedMediaType, "")
		if got := get[stamped](t, e, "/api/v1/campaigns/"+campaign.ID, ml.Key); got.UpdatedAt != campaign.UpdatedAt {
			t.Errorf("a refused PATCH touched the campaign: updated_at %s, was %s", got.UpdatedAt, campaign.UpdatedAt)
		}
		if after := stateOf(t, e, ml.Key); after != before {
			t.Errorf("refused bodies changed the org: %+v, was %+v", after, before)
		}
		must[user](t, e, http.MethodPatch, person, ml.Key, `{"name":"Camille"}`, http.StatusOK, "Content-Type", "application/json; charset=UTF-8")
	})
}
