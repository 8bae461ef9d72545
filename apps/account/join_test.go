package account_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestAPersonOfAnotherOrgIsInvitedJoinsAndSwitches: a client adds, through
// the API, an address that already has an account in a center. The answer
// is the one a new person's invitation gets (201, invited: nothing tells
// the client the address exists elsewhere); the person accepts with the
// password they have, lands in the client's portal, and switches back to
// their center from the same session.
func TestAPersonOfAnotherOrgIsInvitedJoinsAndSwitches(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Appels", "MA")

		answers := map[string]map[string]any{}
		for _, email := range []string{atlas.Owner.Email, "nobody@ml.test"} {
			resp := e.API(http.MethodPost, "/api/v1/users", ml.Key, map[string]any{"email": email, "name": "Sara", "role": "analyst"})
			var got map[string]any
			body := platformtest.ReadJSON(t, resp, &got)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST /users %s: %d %s", email, resp.StatusCode, body)
			}
			answers[email] = got
		}
		existing, fresh := answers[atlas.Owner.Email], answers["nobody@ml.test"]
		if existing["status"] != "invited" || fresh["status"] != "invited" || existing["name"] != "Sara" {
			t.Fatalf("the two invitations differ: %v vs %v", existing, fresh)
		}
		for key := range fresh {
			if _, ok := existing[key]; !ok {
				t.Errorf("the answer for a new person has %q, the one for an existing account not", key)
			}
		}

		invited, err := e.P.Services.Tenancy.Member(platformtest.As(ml.Org), atlas.Owner.ID)
		if err != nil {
			t.Fatalf("the client reads its invited member: %v", err)
		}
		token := invitationToken(t, e, ml.Org, invited)
		b := e.Browser()
		_, page := b.Get("/invitation/" + token)
		if !strings.Contains(page, `name="joining"`) || !strings.Contains(page, "Maison Lumiere") {
			t.Fatalf("the invitation page does not ask to join Maison Lumiere with the password held:\n%s", page)
		}
		csrf := platformtest.CSRF(t, page)
		resp, _ := b.Post("/invitation", url.Values{"_csrf": {csrf}, "token": {token}, "joining": {"1"}, "password": {"not the password"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("joining with a wrong password: %d", resp.StatusCode)
		}
		resp, _ = b.Post("/invitation", url.Values{"_csrf": {csrf}, "token": {token}, "joining": {"1"}, "password": {atlas.Password}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portal" {
			t.Fatalf("joining with the password held: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, page := b.Get("/portal"); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Maison Lumiere") {
			t.Fatalf("after joining the portal answers %d", resp.StatusCode)
		}

		// Both orgs are offered; switching moves the session to the center.
		_, page = b.Get("/portal")
		resp, _ = b.Post("/org", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "org": {atlas.Org.ID.String()}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/center") {
			t.Fatalf("switch to the center: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := b.Get("/center"); resp.StatusCode != http.StatusOK {
			t.Fatalf("after the switch the center answers %d", resp.StatusCode)
		}
		// An org the person does not belong to cannot be switched to.
		stranger := e.Org(tenancy.KindClient, "Autre Client", "FR")
		_, page = b.Get("/center")
		if resp, _ := b.Post("/org", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "org": {stranger.Org.ID.String()}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("switch to a stranger's org: %d", resp.StatusCode)
		}
	})
}
