package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestTheClientIsToldWhichCentersCannotReceiveEUDataYet: on a campaign
// calling France, the client reads, of each offer, whether its center may
// receive EU personal data now — Atlas, whose file is empty, may not;
// Teranga, whose file is complete and verified, may; a center in France
// needs no file — and nothing else of the centers' files. A center reading
// its own offer is not told; another client finds no such campaign; a
// campaign outside the EU raises no question.
func TestTheClientIsToldWhichCentersCannotReceiveEUDataYet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		rival, _ := actingAs(t, d, tenancy.KindClient, "Rival", "FR")
		atlas, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		teranga, terangaOrg := actingAs(t, d, tenancy.KindCenter, "Teranga", "SN")
		lyon, _ := actingAs(t, d, tenancy.KindCenter, "Lyon Appels", "FR")
		platform, _ := actingAs(t, d, tenancy.KindPlatform, "Plateau", "FR")
		signed, expires := time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0)
		_, err := svc.Compliance.SaveCenterProfile(teranga, compliance.CenterProfile{SCCSignedAt: &signed, SCCModule: "2", TIAOnFile: true,
			AuthorityRef: "CDP-2025-17", AuthorityExpiresAt: &expires})
		ok(t, err)
		_, err = svc.Compliance.VerifyCenterProfile(platform, terangaOrg.ID)
		ok(t, err)

		start := time.Now().AddDate(0, 0, 7)
		offerIn := market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerMinute: 420_000, Minimum: 30, Increment: 6},
			Seats: 10, Languages: []string{"fr"}, StartsOn: &start}
		offers := func(ctx context.Context, c campaign.Campaign) map[string]bool {
			t.Helper()
			got, err := svc.Market.Offers(ctx, c.ID)
			ok(t, err)
			out := map[string]bool{}
			for _, o := range got.Offers {
				out[o.CenterName] = o.NoEUDataYet
			}
			return out
		}
		for _, country := range []string{"FR", "US"} {
			x := publish(t, svc, client, campaign.Input{Name: "Prospection " + country, Kind: "prospecting", Audience: "b2c",
				Country: country, Languages: []string{"fr"}})
			for _, center := range []context.Context{atlas, teranga, lyon} {
				_, err := submit(svc, center, x.ID, offerIn)
				ok(t, err)
			}
			got := offers(client, x)
			want := map[string]bool{"Atlas Contact": country == "FR", "Teranga": false, "Lyon Appels": false}
			for name, no := range want {
				if got[name] != no {
					t.Errorf("%s campaign: %s told it cannot receive EU data yet: %v, want %v", country, name, got[name], no)
				}
			}
			if got := offers(atlas, x); len(got) != 1 || got["Atlas Contact"] {
				t.Errorf("Atlas reading its own offer: %v", got)
			}
			if _, err := svc.Market.Offers(rival, x.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("another client reading the offers: %v", err)
			}
		}
	})
}
