package store_test

import (
	"context"
	"slices"
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

func TestMatchingRequestsFilterByKindAndLanguage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		request := func(name, kind string, languages ...string) campaign.Campaign {
			return publish(t, svc, client, campaign.Input{Name: name, Kind: kind, Audience: "b2b", Country: "FR", Languages: languages})
		}
		survey := request("Survey", "survey", "fr", "en")
		meetings := request("Meetings", "appointment_setting", "en")
		wolof := request("Wolof", "survey", "wo")
		draft(t, svc, client, campaign.Input{Name: "Draft", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}}) // a draft is no request
		// The center has answered the survey.
		start := time.Now().AddDate(0, 0, 7)
		_, err := submit(svc, center, survey.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
			Seats: 2, Languages: []string{"fr"}, StartsOn: &start})
		ok(t, err)
		match := func(ctx context.Context, f store.RequestFilter) (ids []uuid.UUID, offered []uuid.UUID) {
			t.Helper()
			list, _, err := svc.CenterViews.MatchingRequests(ctx, f, store.Page{})
			ok(t, err)
			for _, c := range list {
				ids = append(ids, c.ID)
				if c.Offered {
					offered = append(offered, c.ID)
				}
			}
			return ids, offered
		}
		for _, c := range []struct {
			f    store.RequestFilter
			want []uuid.UUID
		}{
			{store.RequestFilter{}, []uuid.UUID{wolof.ID, meetings.ID, survey.ID}},
			{store.RequestFilter{Kind: "survey"}, []uuid.UUID{wolof.ID, survey.ID}},
			{store.RequestFilter{Language: "en"}, []uuid.UUID{meetings.ID, survey.ID}},
			{store.RequestFilter{Language: "fr"}, []uuid.UUID{survey.ID}},
			{store.RequestFilter{Language: "w"}, nil}, // a code, not a prefix
			{store.RequestFilter{Kind: "survey", Language: "en"}, []uuid.UUID{survey.ID}},
			{store.RequestFilter{Kind: "debt_collection"}, nil},
		} {
			if got, _ := match(center, c.f); !slices.Equal(got, c.want) {
				t.Errorf("%+v: %v, want %v", c.f, got, c.want)
			}
		}
		if _, offered := match(center, store.RequestFilter{}); !slices.Equal(offered, []uuid.UUID{survey.ID}) {
			t.Errorf("requests the center answered: %v, want %v", offered, survey.ID)
		}
		if _, _, err := svc.CenterViews.MatchingRequests(center, store.RequestFilter{Language: "%"}, store.Page{}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a pattern for a language: %v", err)
		}
		if got, _ := match(client, store.RequestFilter{}); got != nil {
			t.Errorf("a client browses open requests: %v", got)
		}
	})
}

// TestACenterSeesItsOwnOffersAndTheCampaignsItAnswered: two clients, two
// centers; each center lists only its offers, names only the campaigns it
// answered (still after the request closed), and a client may not ask.
func TestACenterSeesItsOwnOffersAndTheCampaignsItAnswered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		clientA, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		clientB, _ := actingAs(t, d, tenancy.KindClient, "Rival", "FR")
		atlas, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		paris, _ := actingAs(t, d, tenancy.KindCenter, "Paris Appels", "FR") // may take French data without a file
		request := func(ctx context.Context, name string) campaign.Campaign {
			return publish(t, svc, ctx, campaign.Input{Name: name, Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		}
		x, y, z := request(clientA, "X"), request(clientA, "Y"), request(clientB, "Z")
		start := time.Now().AddDate(0, 0, 7)
		offer := func(ctx context.Context, c campaign.Campaign, seats int) market.Offer {
			o, err := submit(svc, ctx, c.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
				Seats: seats, Languages: []string{"fr"}, StartsOn: &start})
			ok(t, err)
			return o
		}
		atlasX, atlasZ := offer(atlas, x, 3), offer(atlas, z, 4)
		parisX := offer(paris, x, 5)
		parisY := offer(paris, y, 6)

		// Paris wins X: the request closes, and Atlas still names it.
		k, err := svc.Market.Accept(clientA, x.ID, parisX.ID)
		ok(t, err)
		_, err = svc.Market.Confirm(paris, k.ID)
		ok(t, err)
		if _, err := svc.Campaigns.Get(atlas, x.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Atlas still sees the contracted campaign: %v", err)
		}

		offers := func(ctx context.Context) map[uuid.UUID]store.CenterOffer {
			t.Helper()
			list, _, err := svc.CenterViews.Offers(ctx, store.Page{})
			ok(t, err)
			out := map[uuid.UUID]store.CenterOffer{}
			for _, o := range list {
				out[o.ID] = o
			}
			return out
		}
		got := offers(atlas)
		if len(got) != 2 || got[atlasX.ID].Campaign.Name != "X" || got[atlasX.ID].Campaign.Status != campaign.Contracted ||
			got[atlasX.ID].Campaign.Client != "Maison Lumière" || got[atlasZ.ID].Campaign.Name != "Z" ||
			got[atlasZ.ID].Campaign.Client != "Rival" || got[atlasZ.ID].Seats != 4 {
			t.Fatalf("Atlas's offers: %+v", got)
		}
		// Names only for campaigns the center answered: Paris answered X
		// and Y, never Z.
		got = offers(paris)
		if len(got) != 2 || got[atlasX.ID].ID != uuid.Nil || got[parisX.ID].Campaign.Name != "X" ||
			got[parisY.ID].Campaign.Kind != "survey" || got[parisY.ID].Campaign.Country != "FR" || got[parisY.ID].Campaign.Status != campaign.Open {
			t.Fatalf("Paris's offers: %+v", got)
		}
		for _, o := range got {
			if o.Campaign.ID == z.ID || o.Campaign.Client == "Rival" {
				t.Fatalf("Paris names a campaign it never answered: %+v", o)
			}
		}

		// Paging: newest first, the cursor goes on.
		first, next, err := svc.CenterViews.Offers(atlas, store.Page{Limit: 1})
		if err != nil || len(first) != 1 || first[0].ID != atlasZ.ID || next == nil {
			t.Fatalf("first page: %+v, %v, %v", first, next, err)
		}
		second, next, err := svc.CenterViews.Offers(atlas, store.Page{Limit: 1, After: first[0].ID})
		if err != nil || len(second) != 1 || second[0].ID != atlasX.ID || next != nil {
			t.Fatalf("second page: %+v, %v, %v", second, next, err)
		}

		// The contracts name their campaigns for the center that holds one.
		contracts, err := svc.CenterViews.Contracts(paris)
		ok(t, err)
		if len(contracts.Contracts) != 1 || contracts.Contracts[0].CampaignName != "X" || contracts.Contracts[0].ClientName != "Maison Lumière" ||
			contracts.Profile.Country != "FR" {
			t.Fatalf("Paris's contracts: %+v", contracts)
		}
		if contracts, err := svc.CenterViews.Contracts(atlas); err != nil || len(contracts.Contracts) != 0 {
			t.Fatalf("Atlas's contracts: %+v %v", contracts, err)
		}

		for _, ctx := range []context.Context{clientA, clientB} {
			if list, _, err := svc.CenterViews.Offers(ctx, store.Page{}); !apperr.Is(err, apperr.Forbidden) || len(list) != 0 {
				t.Errorf("a client asking for a center's offers: %+v %v", list, err)
			}
		}
	})
}
