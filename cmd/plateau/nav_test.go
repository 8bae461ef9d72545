package main

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

var (
	navBlock = regexp.MustCompile(`(?s)<nav class="sections".*?</nav>`)
	navLink  = regexp.MustCompile(`<a href="([^"]+)"`)
)

// TestNavigationLinksOnlyWhatTheViewerMayOpen signs in with every role of
// every org kind, all front doors mounted, and opens each link of the
// navigation on the role's home page: none may be refused.
func TestNavigationLinksOnlyWhatTheViewerMayOpen(t *testing.T) {
	e := platformtest.New(t)
	for _, kind := range []tenancy.OrgKind{tenancy.KindClient, tenancy.KindCenter, tenancy.KindPlatform} {
		org := e.Org(kind, "Org "+string(kind), "FR")
		for _, role := range tenancy.RolesOf(kind) {
			t.Run(string(kind)+"/"+string(role), func(t *testing.T) {
				email := string(role) + "@" + string(kind) + ".test"
				e.Member(org.Org, email, string(role), "role password")
				b := e.Browser()
				b.Login(email, "role password")
				home := tenancy.HomePath(kind, role)
				resp, page := b.Get(home)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d", home, resp.StatusCode)
				}
				links := navLink.FindAllStringSubmatch(navBlock.FindString(page), -1)
				if len(links) == 0 {
					t.Fatalf("the navigation on %s links nothing:\n%s", home, page)
				}
				for _, l := range links {
					if resp, _ := b.Get(l[1]); resp.StatusCode != http.StatusOK {
						t.Errorf("the navigation links %s, which answers %d", l[1], resp.StatusCode)
					}
				}
			})
		}
	}
}
