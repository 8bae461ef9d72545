package portal

// The offers comparison: the centers' answers to a published campaign side
// by side, each with what the campaign's volume would cost under its rate
// card (market.EstimateCost on the platform's default assumptions for the
// campaign's kind, as the API estimates), the cheapest marked; the client
// accepts one or several, each acceptance a pending contract holding a
// copy of the rate card (Market.Accept).

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
)

// line is a labelled value of a card.
type line struct{ Label, Value string }

// rateLines shows a rate card's priced components, in a fixed order.
func (pt *Portal) rateLines(c *fiber.Ctx, r market.RateCard) []line {
	locale := fiberhttp.LocaleOf(c)
	price := func(v int64) string { return money.Format(v, r.Currency, locale) }
	var out []line
	add := func(v int64, label, value string) {
		if v > 0 {
			out = append(out, line{label, value})
		}
	}
	add(r.PerConnectedCall, pt.s.T(c, "campaigns.rate.per_connected_call"), price(r.PerConnectedCall))
	add(r.PerMinute, pt.s.T(c, "campaigns.rate.per_minute"), pt.s.T(c, "campaigns.rate.per_minute_value", price(r.PerMinute), r.Minimum, r.Increment))
	for _, o := range campaign.Outcomes {
		add(r.PerOutcome[o], pt.s.T(c, "campaigns.rate.per_outcome", pt.s.T(c, "campaigns.outcome."+o)), price(r.PerOutcome[o]))
	}
	add(r.PerAttempt, pt.s.T(c, "campaigns.rate.per_attempt"), price(r.PerAttempt))
	add(r.SeatMonthly, pt.s.T(c, "campaigns.rate.seat_monthly"), price(r.SeatMonthly))
	return out
}

// estimateLines shows an estimate's components in the rate card's order.
func (pt *Portal) estimateLines(c *fiber.Ctx, e market.Estimate) []line {
	locale := fiberhttp.LocaleOf(c)
	var out []line
	add := func(component, label string) {
		if v, ok := e.Components[component]; ok {
			out = append(out, line{label, money.FormatTotal(v, e.Currency, locale)})
		}
	}
	add("attempt", pt.s.T(c, "campaigns.estimate.attempt"))
	add("connected_call", pt.s.T(c, "campaigns.estimate.connected_call"))
	add("minutes", pt.s.T(c, "campaigns.estimate.minutes"))
	for _, o := range campaign.Outcomes {
		add("outcome:"+o, pt.s.T(c, "campaigns.estimate.outcome", pt.s.T(c, "campaigns.outcome."+o)))
	}
	add("seats", pt.s.T(c, "campaigns.estimate.seats"))
	return out
}

// ratio writes n/per as a decimal in locale ("2,5" for 2500/1000 in French).
func ratio(n, per int, locale string) string {
	s := strconv.Itoa(n / per)
	scale := len(strconv.Itoa(per)) - 1
	if frac := strings.TrimRight(strconv.Itoa(per + n%per)[1:], "0"); scale > 0 && frac != "" {
		point := "."
		if locale == "fr" {
			point = ","
		}
		s += point + frac
	}
	return s
}

type offerCard struct {
	ID          string
	Center      string
	Status      string
	StatusLabel string
	Acceptable  bool // still submitted, on a campaign that takes acceptances
	Total       string
	Estimate    []line
	Compared    bool // in the campaign's currency: part of the comparison
	Cheapest    bool
	OverBudget  bool
	RateCard    []line
	Seats       int
	Hours       string
	Languages   string
	StartsOn    string
	Message     string
	// NoEUDataYet: the center may not receive the campaign's EU personal
	// data yet, said before the client accepts.
	NoEUDataYet bool
}

type offersData struct {
	Campaign    campaignView
	Assumptions string
	Offers      []offerCard
	TakesOffers bool   // the campaign is open or contracted
	Error       string // an acceptance refused
}

func (pt *Portal) offersPage(c *fiber.Ctx) error {
	return pt.renderOffers(c, "")
}

func (pt *Portal) renderOffers(c *fiber.Ctx, refused string) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	found, err := pt.d.Market.Offers(c.UserContext(), id)
	if err != nil {
		return err
	}
	k, offers := found.Campaign, found.Offers
	locale := fiberhttp.LocaleOf(c)
	a := market.DefaultAssumptions(string(k.Kind), k.Volume)
	d := offersData{Campaign: pt.campaignView(c, k, loc), Error: refused,
		TakesOffers: k.Status.TakesOffers(),
		Assumptions: pt.s.T(c, "campaigns.offers.assumptions", i18n.Number(locale, k.Volume), ratio(a.AttemptsPerLead, 1000, locale),
			ratio(a.ConnectRate, 10, locale), a.TalkSeconds, a.Seats, a.Months)}
	var outcomes []string
	for _, o := range campaign.Outcomes {
		if rate, ok := a.OutcomeRates[o]; ok {
			outcomes = append(outcomes, pt.s.T(c, "campaigns.offers.outcome_rate", pt.s.T(c, "campaigns.outcome."+o), ratio(rate, 10, locale)))
		}
	}
	if len(outcomes) > 0 {
		d.Assumptions += " " + pt.s.T(c, "campaigns.offers.outcome_rates", strings.Join(outcomes, ", "))
	}
	cheapest, compared := int64(-1), 0
	totals := make([]int64, len(offers))
	for i, o := range offers {
		e := market.EstimateCost(o.RateCard, a)
		totals[i] = e.Total
		live := o.Status == market.OfferSubmitted || o.Status == market.OfferAccepted
		card := offerCard{ID: o.ID.String(), Center: o.CenterName, Status: string(o.Status),
			StatusLabel: pt.s.T(c, "campaigns.offer_status."+string(o.Status)),
			Acceptable:  d.TakesOffers && o.Status == market.OfferSubmitted,
			Total:       money.FormatTotal(e.Total, e.Currency, locale), Estimate: pt.estimateLines(c, e),
			Compared: live && e.Currency == k.Currency, OverBudget: e.Currency == k.Currency && k.BudgetCap > 0 && e.Total > k.BudgetCap,
			RateCard: pt.rateLines(c, o.RateCard), Seats: o.Seats, Hours: o.Hours, Languages: pt.languages(c, o.Languages),
			StartsOn: day(&o.StartsOn), Message: o.Message, NoEUDataYet: o.NoEUDataYet && live}
		if card.Compared {
			compared++
			if cheapest < 0 || e.Total < cheapest {
				cheapest = e.Total
			}
		}
		d.Offers = append(d.Offers, card)
	}
	for i := range d.Offers {
		d.Offers[i].Cheapest = compared > 1 && d.Offers[i].Compared && totals[i] == cheapest
	}
	return pt.render(c, "offers", "campaigns.offers.title", d)
}

// acceptOffer accepts an offer made for the campaign of the address. A
// campaign that takes no acceptance (cancelled, completed…) or an offer
// no longer open is refused on the page, and nothing changes.
func (pt *Portal) acceptOffer(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	offerID, err := fiberhttp.PathID(c, "offer", "offer")
	if err != nil {
		return err
	}
	made, err := pt.d.Market.Accept(c.UserContext(), id, offerID)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Conflict {
		c.Status(fiber.StatusConflict)
		return pt.renderOffers(c, pt.s.Localize(c, err).Message)
	} else if err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "campaigns.offers.accepted", made.CenterName)); err != nil {
		return err
	}
	return c.Redirect("/portal/campaigns/"+id.String()+"/offers", fiber.StatusSeeOther)
}
