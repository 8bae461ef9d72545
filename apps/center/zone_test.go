package center_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestTheCenterReadsTimesInItsZone: an offer sent and accepted at 23:30
// UTC on 4 January was sent and accepted on 5 January in Paris, where
// the center works; its profile was saved at 00:30 there. The pages say
// so, the zone shown with the time.
func TestTheCenterReadsTimesInItsZone(t *testing.T) {
	e := platformtest.New(t)
	at := time.Date(2027, 1, 4, 23, 30, 0, 0, time.UTC)
	e.P.DB.Now = func() time.Time { return at }
	client := e.Org(tenancy.KindClient, "Maison Lumiere", "US")
	org, err := e.P.DB.CreateOrg(context.Background(), tenancy.NewOrgInput{Kind: tenancy.KindCenter, Name: "Atlas Paris",
		Country: "FR", Timezone: "Europe/Paris"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	e.Member(org, "owner@atlas.test", string(tenancy.RoleOwner), "owner password")
	asClient, asCenter := platformtest.As(client.Org), platformtest.As(org)
	start := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	svc := e.P.Services
	k := platformtest.Must(svc.Campaigns.Create(asClient, campaign.Input{Name: "Relance", Kind: "customer_care", Audience: "b2c",
		Country: "US", Languages: []string{"en"}, StartsOn: &start, Volume: 100, Currency: "USD"}))(t)
	platformtest.Must(svc.Campaigns.Move(asClient, k.ID, campaign.Publish))(t)
	offerStart := at.AddDate(0, 0, 7)
	sent := platformtest.Must(svc.Market.SubmitOffer(asCenter, k.ID, market.OfferInput{RateCard: market.RateCard{Currency: "USD",
		PerMinute: 450_000, Minimum: 30, Increment: 6}, Seats: 3, Languages: []string{"en"}, StartsOn: &offerStart}))(t)
	platformtest.Must(svc.Market.Accept(asClient, k.ID, sent.Offers[0].ID))(t)
	platformtest.Must(svc.Compliance.SaveCenterProfile(asCenter, compliance.CenterProfile{SCCModule: "2", Documents: []string{}}))(t)

	b := e.Browser()
	b.Login("owner@atlas.test", "owner password")
	for path, want := range map[string]string{
		"/center/contracts":       "accepté le 2027-01-05",
		"/center/offers":          "2027-01-05",
		"/center/data-protection": "enregistré le 2027-01-05 00:30 CET",
	} {
		_, page := b.Get(path)
		if !strings.Contains(text(page), want) {
			t.Errorf("%s lacks %q", path, want)
		}
	}
}
