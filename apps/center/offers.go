package center

// The center's offers on every campaign, newest first, with where each
// stands: submitted (the client may accept it), accepted (a contract holds
// its rate card), declined or withdrawn.

import (
	"html/template"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// offerView is an offer as the center reads it back: its rate card and
// its other terms, labelled.
type offerView struct {
	Status    string // the market.OfferStatus, for the badge's class
	StatusTxt string
	Rate      []line
	Terms     []line
	Message   string
}

func (ce *Center) offerView(c *fiber.Ctx, o market.Offer) offerView {
	terms := []line{
		{ce.t(c, "center.offer.seats"), strconv.Itoa(o.Seats)},
		{ce.t(c, "center.offer.languages"), ce.languages(c, o.Languages)},
		{ce.t(c, "center.offer.starts_on"), day(&o.StartsOn)},
	}
	if o.Hours != "" {
		terms = append(terms, line{ce.t(c, "center.offer.hours"), o.Hours})
	}
	terms = append(terms, line{ce.t(c, "center.offer.sent_on"), dayOf(c, &o.CreatedAt)})
	return offerView{Status: string(o.Status), StatusTxt: ce.t(c, "campaigns.offer_status."+string(o.Status)),
		Rate: ce.rateLines(c, o.RateCard), Terms: terms, Message: o.Message}
}

type offerRow struct {
	offerView
	Campaign     string
	Client       string
	CampaignLink string // where the campaign can be opened, if anywhere
	Closed       bool   // still submitted, but the request took no more offers
}

type offersData struct {
	Offers    []offerRow
	NextQuery template.URL // a query made here, not to be escaped again
}

func (ce *Center) offersPage(c *fiber.Ctx) error {
	list, next, err := ce.d.Views.Offers(c.UserContext(), store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	var d offersData
	for _, o := range list {
		row := offerRow{offerView: ce.offerView(c, o.Offer), Campaign: o.Campaign.Name, Client: o.Campaign.Client}
		switch {
		case o.Status == market.OfferAccepted:
			row.CampaignLink = "/center/contracts"
		case o.Status == market.OfferSubmitted && o.Campaign.Status == campaign.Open:
			row.CampaignLink = "/center/requests/" + o.CampaignID.String()
		case o.Status == market.OfferSubmitted:
			row.Closed = true
		}
		d.Offers = append(d.Offers, row)
	}
	if next != nil {
		d.NextQuery = template.URL(url.Values{"after": {next.String()}}.Encode())
	}
	return ce.s.Render(c, "center/offers", "center", ce.t(c, "center.offers.title"), d)
}
