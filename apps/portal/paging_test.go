package portal_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestNextPageLinksWork follows the "next page" links of the campaigns,
// consents and opt-out lists: the query they carry must reach the server as written.
func TestNextPageLinksWork(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		org, owner := parisClient(t, e, "Maison Lumiere")
		ctx := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(org, "test"))
		consents := make([]compliance.NewConsent, 60)
		suppressions := make([]compliance.NewSuppression, 60)
		at := time.Now().AddDate(0, -1, 0)
		for i := range consents {
			n := fmt.Sprintf("06 12 34 56 %02d", i)
			consents[i] = compliance.NewConsent{Phone: n, Source: "web", CapturedAt: &at}
			suppressions[i] = compliance.NewSuppression{Phone: n, Reason: "stop"}
		}
		svc := e.P.Services
		for i := range 55 {
			platformtest.Must(svc.Campaigns.Create(ctx, campaign.Input{Name: fmt.Sprintf("Campagne %02d", i), Kind: "survey",
				Audience: "b2b", Country: "FR", Languages: []string{"fr"}}))(t)
		}
		platformtest.Must(svc.Compliance.RecordConsents(ctx, "FR", consents))(t)
		platformtest.Must(svc.Compliance.AddSuppressions(ctx, "FR", suppressions))(t)
		b := signIn(e, owner, "paris password")
		next := regexp.MustCompile(`href="(/portal/[a-z]+\?after=[^"]+)"`)
		_, first := b.Get("/portal/campaigns")
		if m := next.FindStringSubmatch(first); m == nil {
			t.Errorf("campaigns: no next-page link")
		} else if _, second := b.Get(html.UnescapeString(m[1])); !strings.Contains(second, "Campagne 00") || strings.Contains(second, "Campagne 54") {
			t.Errorf("campaigns: the next page (%s) is not the older campaigns", m[1])
		}
		for _, path := range []string{"/portal/consents", "/portal/suppressions"} {
			_, first := b.Get(path)
			m := next.FindStringSubmatch(first)
			if m == nil {
				t.Fatalf("%s: no next-page link", path)
			}
			resp, second := b.Get(html.UnescapeString(m[1]))
			if resp.StatusCode != 200 || !regexp.MustCompile(`\+3361234560[0-9]`).MatchString(text(second)) ||
				regexp.MustCompile(`\+336123456(59|58)\b`).MatchString(text(second)) {
				t.Errorf("%s: the next page (%s) is not the older entries", path, m[1])
			}
		}
	})
}
