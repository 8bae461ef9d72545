package console_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// rowOf is the table row of the page that carries testid.
func rowOf(page, testid string) string {
	return regexp.MustCompile(`(?s)<tr data-testid="` + regexp.QuoteMeta(testid) + `">.*?</tr>`).FindString(page)
}

// TestConsoleShowsEveryClientsCampaignsAndContracts: two clients and a
// center; the platform admin lists both clients' campaigns, filters them by
// status, opens one with its offer and contract and lists the contracts;
// clients and centers are refused every page, and see none of the data.
func TestConsoleShowsEveryClientsCampaignsAndContracts(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		admin := e.Org(tenancy.KindPlatform, "Plateau", "FR")
		clientA := e.Org(tenancy.KindClient, "Maison Lumiere", "US")
		clientB := e.Org(tenancy.KindClient, "Rival Shop", "US")
		center := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")

		// Client A publishes a campaign; Atlas offers; A accepts; Atlas
		// confirms (US callees: no EU data to check). Client B keeps a draft.
		start := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		in := campaign.Input{Name: "Abandoned carts", Kind: "customer_care", Audience: "b2c", Country: "US", Languages: []string{"en"},
			StartsOn: &start, Volume: 4000, BudgetCap: 6_000 * money.Micro, Currency: "USD"}
		svc, asA, asB, asCenter := e.P.Services, platformtest.As(clientA.Org), platformtest.As(clientB.Org), platformtest.As(center.Org)
		x := platformtest.Must(svc.Campaigns.Create(asA, in))(t)
		x = platformtest.Must(svc.Campaigns.Move(asA, x.ID, campaign.Publish))(t)
		in.Name = "Secret draft of B"
		y := platformtest.Must(svc.Campaigns.Create(asB, in))(t)
		offerStart := time.Now().AddDate(0, 0, 7)
		sent := platformtest.Must(svc.Market.SubmitOffer(asCenter, x.ID, market.OfferInput{RateCard: market.RateCard{Currency: "USD",
			PerMinute: 450_000, Minimum: 30, Increment: 6}, Seats: 12, Languages: []string{"en"}, StartsOn: &offerStart, Hours: "Mon–Fri 9–20"}))(t)
		contract := platformtest.Must(svc.Market.Accept(asA, x.ID, sent.Offers[0].ID))(t)
		contract = platformtest.Must(svc.Market.Confirm(asCenter, contract.ID))(t)
		confirmedAt := contract.ConfirmedAt.UTC().Format("2006-01-02 15:04 UTC")

		b := e.Browser()
		b.Login(admin.Owner.Email, admin.Password)
		resp, page := b.Get("/console/campaigns")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /console/campaigns: %d\n%s", resp.StatusCode, page)
		}
		rowX, rowY := rowOf(page, "campaign-"+x.ID.String()), rowOf(page, "campaign-"+y.ID.String())
		for _, want := range []string{"Maison Lumiere", `href="/console/campaigns/` + x.ID.String() + `"`, "Abandoned carts",
			`data-status="contracted"`, "Contractualisée", "4\u202f000", "2027-03-01", "US"} {
			if !strings.Contains(rowX, want) {
				t.Errorf("client A's campaign row lacks %q:\n%s", want, rowX)
			}
		}
		if !strings.Contains(rowY, "Rival Shop") || !strings.Contains(rowY, "Secret draft of B") || !strings.Contains(rowY, "Brouillon") {
			t.Errorf("client B's draft is not listed:\n%s", rowY)
		}
		if !strings.Contains(page, `href="/console/campaigns" aria-current="page"`) || !strings.Contains(page, `href="/console/contracts"`) {
			t.Errorf("the navigation does not link the campaigns (current) and the contracts")
		}

		// The status filter.
		_, page = b.Get("/console/campaigns?status=draft")
		if rowOf(page, "campaign-"+y.ID.String()) == "" || rowOf(page, "campaign-"+x.ID.String()) != "" ||
			!strings.Contains(page, `<option value="draft" selected>`) {
			t.Errorf("filtered on drafts, the page shows the wrong campaigns or forgets the filter:\n%s", page)
		}
		if _, page = b.Get("/console/campaigns?status=cancelled"); !strings.Contains(page, `data-testid="no-campaigns"`) {
			t.Errorf("no campaign is cancelled, yet some are listed")
		}
		resp, page = b.Get("/console/campaigns?status=bogus")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(page), `Il n'existe pas de statut de campagne "bogus"`) ||
			rowOf(page, "campaign-"+x.ID.String()) == "" {
			t.Errorf("an unknown status: %d, want 422 with the reason and the whole list\n%s", resp.StatusCode, page)
		}

		// One campaign: its facts, offers and contracts.
		resp, page = b.Get("/console/campaigns/" + x.ID.String())
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET the campaign: %d\n%s", resp.StatusCode, page)
		}
		for _, want := range []string{"<h1>Abandoned carts</h1>", "Une campagne de Maison Lumiere", "6\u202f000,00\u00a0$",
			"Atlas Contact", "0,45\u00a0$ (facturé 30/6 s)", "Mon–Fri 9–20", `data-status="accepted"`, `data-status="active"`,
			confirmedAt} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the campaign page lacks %q", want)
			}
		}
		_, page = b.Get("/console/campaigns/" + y.ID.String())
		if !strings.Contains(page, `data-testid="no-offers"`) || !strings.Contains(page, `data-testid="no-contracts"`) {
			t.Errorf("client B's draft shows offers or contracts:\n%s", page)
		}
		for _, id := range []string{uuid.Must(uuid.NewV7()).String(), "not-an-id"} {
			if resp, _ := b.Get("/console/campaigns/" + id); resp.StatusCode != http.StatusNotFound {
				t.Errorf("campaign %s: %d, want 404", id, resp.StatusCode)
			}
		}

		// Every contract.
		resp, page = b.Get("/console/contracts")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /console/contracts: %d\n%s", resp.StatusCode, page)
		}
		for _, want := range []string{"Maison Lumiere", "Atlas Contact", `href="/console/campaigns/` + x.ID.String() + `">Abandoned carts</a>`,
			"Actif", "USD", confirmedAt} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the contracts page lacks %q", want)
			}
		}

		// Pages keep the filter: 50 more drafts of B make the first of them
		// (y, the oldest) the one draft on the second page.
		for range store.DefaultLimit {
			platformtest.Must(svc.Campaigns.Create(asB, in))(t)
		}
		_, page = b.Get("/console/campaigns?status=draft")
		next := regexp.MustCompile(`href="(/console/campaigns\?[^"]+)" data-testid="next"`).FindStringSubmatch(page)
		if next == nil || rowOf(page, "campaign-"+y.ID.String()) != "" || !strings.Contains(next[1], "status=draft") {
			t.Fatalf("the first page of drafts has no next link keeping the filter, or shows the oldest draft:\n%s", page)
		}
		_, page = b.Get(strings.ReplaceAll(next[1], "&amp;", "&"))
		if n := strings.Count(page, `<tr data-testid="campaign-`); n != 1 || rowOf(page, "campaign-"+y.ID.String()) == "" ||
			strings.Contains(page, `data-testid="next"`) {
			t.Errorf("the second page of drafts shows %d campaigns, want y alone and no next link", n)
		}

		// Clients and centers: refused by the route, nothing of the data.
		for _, tn := range []platformtest.Tenant{clientA, clientB, center} {
			o := e.Browser()
			o.Login(tn.Owner.Email, tn.Password)
			for _, path := range []string{"/console/campaigns", "/console/campaigns/" + x.ID.String(), "/console/campaigns/" + y.ID.String(), "/console/contracts"} {
				resp, page := o.Get(path)
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s on %s: %d, want 403", tn.Org.Name, path, resp.StatusCode)
				}
				if strings.Contains(page, "Abandoned carts") || strings.Contains(page, "Secret draft of B") {
					t.Errorf("%s on %s sees a campaign", tn.Org.Name, path)
				}
			}
		}
	})
}
