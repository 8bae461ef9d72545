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
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		publish := func(name, kind string, languages ...string) campaign.Campaign {
			c := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
				return tx.CreateCampaign(client, campaign.Input{Name: name, Kind: kind, Audience: "b2b", Country: "FR", Languages: languages})
			})
			return mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(client, c.ID, campaign.Publish) })
		}
		survey := publish("Survey", "survey", "fr", "en")
		meetings := publish("Meetings", "appointment_setting", "en")
		wolof := publish("Wolof", "survey", "wo")
		mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) { // a draft is no request
			return tx.CreateCampaign(client, campaign.Input{Name: "Draft", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		})
		match := func(ctx context.Context, f store.RequestFilter) []uuid.UUID {
			list := mustDo(t, d, ctx, func(tx *store.Tenant) ([]campaign.Campaign, error) {
				l, _, err := tx.MatchingRequests(ctx, f, store.Page{})
				return l, err
			})
			var ids []uuid.UUID
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			return ids
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
			if got := match(center, c.f); !slices.Equal(got, c.want) {
				t.Errorf("%+v: %v, want %v", c.f, got, c.want)
			}
		}
		if _, err := do(t, d, center, func(tx *store.Tenant) ([]campaign.Campaign, error) {
			l, _, err := tx.MatchingRequests(center, store.RequestFilter{Language: "%"}, store.Page{})
			return l, err
		}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a pattern for a language: %v", err)
		}
		if got := match(client, store.RequestFilter{}); got != nil {
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
		clientA, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		clientB, _ := actingAs(t, d, tenancy.KindClient, "Rival", "FR")
		atlas, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		paris, _ := actingAs(t, d, tenancy.KindCenter, "Paris Appels", "FR") // may take French data without a file
		publish := func(ctx context.Context, name string) campaign.Campaign {
			c := mustDo(t, d, ctx, func(tx *store.Tenant) (campaign.Campaign, error) {
				return tx.CreateCampaign(ctx, campaign.Input{Name: name, Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
			})
			return mustDo(t, d, ctx, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(ctx, c.ID, campaign.Publish) })
		}
		x, y, z := publish(clientA, "X"), publish(clientA, "Y"), publish(clientB, "Z")
		start := time.Now().AddDate(0, 0, 7)
		offer := func(ctx context.Context, c campaign.Campaign, seats int) market.Offer {
			return mustDo(t, d, ctx, func(tx *store.Tenant) (market.Offer, error) {
				return tx.SubmitOffer(ctx, c.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
					Seats: seats, Languages: []string{"fr"}, StartsOn: &start})
			})
		}
		atlasX, atlasZ := offer(atlas, x, 3), offer(atlas, z, 4)
		parisX := offer(paris, x, 5)
		offer(paris, y, 6)

		// Paris wins X: the request closes, and Atlas still names it.
		k := mustDo(t, d, clientA, func(tx *store.Tenant) (market.Contract, error) { return tx.AcceptOffer(clientA, parisX.ID) })
		mustDo(t, d, paris, func(tx *store.Tenant) (market.Contract, error) { return tx.ConfirmContract(paris, k.ID, time.Now()) })
		if _, err := do(t, d, atlas, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Campaign(atlas, x.ID) }); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Atlas still sees the contracted campaign: %v", err)
		}

		offers := func(ctx context.Context) map[uuid.UUID]store.CenterOffer {
			list := mustDo(t, d, ctx, func(tx *store.Tenant) ([]store.CenterOffer, error) {
				l, _, err := tx.CenterOffers(ctx, store.Page{})
				return l, err
			})
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
		if got := offers(paris); len(got) != 2 || got[atlasX.ID].ID != uuid.Nil {
			t.Fatalf("Paris's offers: %+v", got)
		}

		// Paging: newest first, the cursor goes on.
		first, next, err := do2(t, d, atlas, func(tx *store.Tenant) ([]store.CenterOffer, *uuid.UUID, error) {
			return tx.CenterOffers(atlas, store.Page{Limit: 1})
		})
		if err != nil || len(first) != 1 || first[0].ID != atlasZ.ID || next == nil {
			t.Fatalf("first page: %+v, %v, %v", first, next, err)
		}
		second, next, err := do2(t, d, atlas, func(tx *store.Tenant) ([]store.CenterOffer, *uuid.UUID, error) {
			return tx.CenterOffers(atlas, store.Page{Limit: 1, After: first[0].ID})
		})
		if err != nil || len(second) != 1 || second[0].ID != atlasX.ID || next != nil {
			t.Fatalf("second page: %+v, %v, %v", second, next, err)
		}

		// Names only for campaigns the center answered: Atlas never answered Y.
		named := func(ctx context.Context) map[uuid.UUID]store.OfferedCampaign {
			return mustDo(t, d, ctx, func(tx *store.Tenant) (map[uuid.UUID]store.OfferedCampaign, error) {
				return tx.OfferedCampaigns(ctx, []uuid.UUID{x.ID, y.ID, z.ID, uuid.New()})
			})
		}
		if got := named(atlas); len(got) != 2 || got[x.ID].Name != "X" || got[z.ID].Name != "Z" {
			t.Fatalf("Atlas names %+v", got)
		}
		if got := named(paris); len(got) != 2 || got[y.ID].Kind != "survey" || got[y.ID].Country != "FR" || got[z.ID].Name != "" {
			t.Fatalf("Paris names %+v", got)
		}
		for _, ctx := range []context.Context{clientA, clientB} {
			if _, err := do(t, d, ctx, func(tx *store.Tenant) (map[uuid.UUID]store.OfferedCampaign, error) {
				return tx.OfferedCampaigns(ctx, []uuid.UUID{x.ID})
			}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("a client asking for offered campaigns: %v", err)
			}
			if _, _, err := do2(t, d, ctx, func(tx *store.Tenant) ([]store.CenterOffer, *uuid.UUID, error) {
				return tx.CenterOffers(ctx, store.Page{})
			}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("a client asking for a center's offers: %v", err)
			}
		}
	})
}

func do2[A, B any](t *testing.T, db *store.DB, ctx context.Context, fn func(*store.Tenant) (A, B, error)) (A, B, error) {
	t.Helper()
	var a A
	var b B
	err := db.InTenant(ctx, func(tx *store.Tenant) error {
		var err error
		a, b, err = fn(tx)
		return err
	})
	return a, b, err
}
