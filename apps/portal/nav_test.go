package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestNavigationShowsOnlyWhatTheRoleMayOpen: billing staff, who may not read
// compliance, get no compliance link; a manager gets them all.
func TestNavigationShowsOnlyWhatTheRoleMayOpen(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		e.Member(ml.Org, "manager@ml.test", string(tenancy.RoleManager), "manager password")
		e.Member(ml.Org, "billing@ml.test", string(tenancy.RoleBilling), "billing password")
		links := []string{`href="/portal/compliance"`, `href="/portal/consents"`, `href="/portal/suppressions"`}

		resp, page := signIn(e, "manager@ml.test", "manager password").Get("/portal")
		wantStatus(t, "the manager's portal", resp, page, http.StatusOK)
		for _, link := range append(links, `href="/portal"`) {
			if !strings.Contains(page, link) {
				t.Errorf("the manager's portal has no link %s", link)
			}
		}

		resp, page = signIn(e, "billing@ml.test", "billing password").Get("/portal")
		wantStatus(t, "the billing portal", resp, page, http.StatusOK)
		if !strings.Contains(page, `href="/portal"`) {
			t.Errorf("the billing portal has no link to its overview")
		}
		for _, link := range links {
			if strings.Contains(page, link) {
				t.Errorf("the billing portal links %s, which billing staff may not open", link)
			}
		}
	})
}
