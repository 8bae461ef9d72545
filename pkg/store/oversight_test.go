package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestPlatformOverseesEveryOrgsCampaignsAndOnlyThePlatform: with two
// clients and a center, the platform reads every campaign, offer and
// contract with the names of their orgs; a client, a center, a context
// without a principal and a principal claiming to be the platform in a
// client's org are refused.
func TestPlatformOverseesEveryOrgsCampaignsAndOnlyThePlatform(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		platform, _ := actingAs(t, d, tenancy.KindPlatform, "Plateau", "FR")
		clientA, orgA := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		clientB, orgB := actingAs(t, d, tenancy.KindClient, "Rival", "FR")
		atlas, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")

		svc := services(d)
		in := campaign.Input{Name: "Relance paniers", Kind: "customer_care", Audience: "b2c", Country: "FR", Languages: []string{"fr"}, Volume: 5000}
		x := publish(t, svc, clientA, in)
		in.Name = "Brouillon A"
		draft(t, svc, clientA, in)
		in.Name = "Campagne B"
		y := draft(t, svc, clientB, in)

		start := time.Now().AddDate(0, 0, 7)
		offer, err := submit(svc, atlas, x.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerMinute: 420_000, Minimum: 30, Increment: 6},
			Seats: 10, Languages: []string{"fr"}, StartsOn: &start})
		ok(t, err)
		contract, err := svc.Market.Accept(clientA, x.ID, offer.ID)
		ok(t, err)

		// Every client's campaigns, newest first, with the client's name.
		all, next, err := svc.Oversight.Campaigns(platform, "", store.Page{})
		if err != nil || next != nil {
			t.Fatalf("all campaigns: %v (next %v)", err, next)
		}
		clients := map[string]string{}
		for _, c := range all {
			clients[c.Name] = c.ClientName
		}
		if len(all) != 3 || all[0].ID != y.ID || clients["Relance paniers"] != orgA.Name || clients["Campagne B"] != orgB.Name {
			t.Fatalf("the platform sees %+v", clients)
		}
		open, _, err := svc.Oversight.Campaigns(platform, campaign.Open, store.Page{})
		if err != nil || len(open) != 1 || open[0].ID != x.ID {
			t.Fatalf("open campaigns: %v %v", open, err)
		}
		first, next, err := svc.Oversight.Campaigns(platform, "", store.Page{Limit: 2})
		if err != nil || len(first) != 2 || next == nil {
			t.Fatalf("a page of two: %d, next %v, %v", len(first), next, err)
		}
		rest, last, err := svc.Oversight.Campaigns(platform, "", store.Page{Limit: 2, After: *next})
		if err != nil || len(rest) != 1 || last != nil || rest[0].ID != x.ID {
			t.Fatalf("the second page: %v, next %v, %v", rest, last, err)
		}

		file, err := svc.Oversight.Campaign(platform, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if file.Campaign.ClientName != orgA.Name || len(file.Offers) != 1 || file.Offers[0].CenterName != "Atlas Contact" ||
			len(file.Contracts) != 1 || file.Contracts[0].ID != contract.ID || file.Contracts[0].RateCard.Currency != "EUR" {
			t.Fatalf("campaign file: %+v", file)
		}
		if file, err := svc.Oversight.Campaign(platform, y.ID); err != nil || len(file.Offers) != 0 || len(file.Contracts) != 0 {
			t.Fatalf("campaign B's file: %+v %v", file, err)
		}
		if _, err := svc.Oversight.Campaign(platform, uuid.Must(uuid.NewV7())); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("an unknown campaign: %v", err)
		}

		contracts, next, err := svc.Oversight.Contracts(platform, store.Page{})
		if err != nil || next != nil || len(contracts) != 1 {
			t.Fatalf("contracts: %v %v", contracts, err)
		}
		if c := contracts[0]; c.ClientName != orgA.Name || c.CenterName != "Atlas Contact" || c.CampaignName != "Relance paniers" ||
			c.Status != market.ContractPending {
			t.Fatalf("contract: %+v", c)
		}

		// Fail closed: nobody but the platform reads across orgs.
		impostor := tenancy.WithPrincipal(context.Background(), tenancy.Principal{Kind: tenancy.ActorUser, Label: "x",
			OrgID: orgB.ID, OrgKind: tenancy.KindPlatform, Role: tenancy.RolePlatformAdmin})
		for name, tc := range map[string]struct {
			ctx  context.Context
			kind apperr.Kind
		}{
			"client A":     {clientA, apperr.Forbidden},
			"client B":     {clientB, apperr.Forbidden},
			"center":       {atlas, apperr.Forbidden},
			"impostor":     {impostor, apperr.Forbidden},
			"no principal": {context.Background(), apperr.Unauthorized},
		} {
			list, _, err := svc.Oversight.Campaigns(tc.ctx, "", store.Page{})
			if !apperr.Is(err, tc.kind) || len(list) != 0 {
				t.Errorf("%s lists campaigns: %d, %v", name, len(list), err)
			}
			if file, err := svc.Oversight.Campaign(tc.ctx, y.ID); !apperr.Is(err, tc.kind) || file.Campaign.Name != "" {
				t.Errorf("%s reads a campaign file: %+v, %v", name, file, err)
			}
			if list, _, err := svc.Oversight.Contracts(tc.ctx, store.Page{}); !apperr.Is(err, tc.kind) || len(list) != 0 {
				t.Errorf("%s lists contracts: %d, %v", name, len(list), err)
			}
		}
	})
}
