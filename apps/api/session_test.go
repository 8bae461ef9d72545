package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func TestSessionCookieWorksForTheAPI(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		k := loadContract(t, e)
		b := e.Browser()
		browse := func(path string, want int) string {
			t.Helper()
			resp, body := b.Get(path)
			if resp.StatusCode != want {
				t.Fatalf("GET %s in the browser: %d, want %d\n%s", path, resp.StatusCode, want, body)
			}
			k.checkBody(t, http.MethodGet, path, resp.StatusCode, resp.Header.Get("Content-Type"), []byte(body))
			return body
		}
		// Signed out, the API answers 401, not the sign-in page.
		browse("/api/v1/me", http.StatusUnauthorized)

		b.Login(ml.Owner.Email, ml.Password)
		var got me
		decodeInto(t, browse("/api/v1/me", http.StatusOK), &got)
		if got.Kind != "user" || got.ID != ml.Owner.ID.String() || got.OrgID != ml.Org.ID.String() ||
			got.User == nil || got.User.Email != ml.Owner.Email {
			t.Errorf("/me with the owner's session: %+v", got)
		}
		if users := browse("/api/v1/users", http.StatusOK); !strings.Contains(users, ml.Owner.ID.String()) {
			t.Errorf("the session's user list lacks the owner:\n%s", users)
		}

		// A change made with the cookie needs the session's CSRF token, which
		// a form on another site cannot have.
		before := stateOf(t, e, ml.Key)
		resp, body := b.Post("/api/v1/api-keys", url.Values{"role": {"owner"}})
		wantProblem(t, "POST with the cookie and no CSRF token", resp.StatusCode, []byte(body), http.StatusForbidden, "")
		if after := stateOf(t, e, ml.Key); after != before {
			t.Errorf("a POST without CSRF token changed the org: %+v, was %+v", after, before)
		}
	})
}
