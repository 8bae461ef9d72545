package center

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// What the marketplace pages show, in the reader's words: campaigns, rate
// cards, amounts and days.

// line is a labelled value.
type line struct{ Label, Value string }

// option is a choice of a select or a set of boxes.
type option struct {
	Value, Label string
	Selected     bool
}

// campaignView is a campaign's request as a center reads it: its name,
// where it stands, and its facts, labelled.
type campaignView struct {
	ID     string
	Name   string
	Status string
	Facts  []line
}

func (ce *Center) campaignView(c *fiber.Ctx, k campaign.Campaign) campaignView {
	volume, outcome := ce.t(c, "center.unspecified"), ce.t(c, "center.unspecified")
	if k.Volume > 0 {
		volume = ce.t(c, "center.leads_count", i18n.Number(fiberhttp.LocaleOf(c), k.Volume))
	}
	if k.TargetOutcome != "" {
		outcome = ce.t(c, "campaigns.outcome."+k.TargetOutcome)
	}
	recording := ce.t(c, "campaigns.detail.not_recorded")
	if k.RecordCalls {
		recording = ce.t(c, "campaigns.detail.recorded")
	}
	return campaignView{ID: k.ID.String(), Name: k.Name, Status: ce.t(c, "campaigns.status."+string(k.Status)),
		Facts: []line{
			{ce.t(c, "center.fact.kind"), ce.t(c, "campaign_kind."+string(k.Kind))},
			{ce.t(c, "center.fact.audience"), ce.t(c, "audience."+string(k.Audience))},
			{ce.t(c, "center.fact.country"), k.Country},
			{ce.t(c, "center.fact.languages"), ce.languages(c, k.Languages)},
			{ce.t(c, "center.fact.dates"), ce.dates(c, k.StartsOn, k.EndsOn)},
			{ce.t(c, "center.fact.volume"), volume},
			{ce.t(c, "center.fact.target_outcome"), outcome},
			{ce.t(c, "center.fact.dialing_mode"), ce.t(c, "campaigns.dialing."+string(k.DialingMode))},
			{ce.t(c, "center.fact.recording"), recording},
		}}
}

// languages names language codes ("fr, en" reads "French, English").
func (ce *Center) languages(c *fiber.Ctx, codes []string) string {
	names := make([]string, len(codes))
	for i, l := range codes {
		names[i] = ce.t(c, "campaigns.language."+l)
	}
	return strings.Join(names, ", ")
}

// dates words a campaign's period, either end of which may be open.
func (ce *Center) dates(c *fiber.Ctx, from, to *time.Time) string {
	switch {
	case from != nil && to != nil:
		return ce.t(c, "center.dates.from_to", day(from), day(to))
	case from != nil:
		return ce.t(c, "center.dates.from", day(from))
	case to != nil:
		return ce.t(c, "center.dates.to", day(to))
	}
	return ce.t(c, "center.unspecified")
}

// dayOf writes the day a moment fell on in the reader's zone, as the
// date inputs write dates.
func dayOf(c *fiber.Ctx, t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(fiberhttp.ZoneOf(c)).Format(time.DateOnly)
}

// day writes a date (a calendar day, kept as midnight UTC) as the date
// inputs take it.
func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// rateLines shows a rate card's priced components in a fixed order; a
// component at zero is not charged and not shown.
func (ce *Center) rateLines(c *fiber.Ctx, r market.RateCard) []line {
	locale := fiberhttp.LocaleOf(c)
	amount := func(v int64) string { return money.Format(v, r.Currency, locale) }
	var out []line
	add := func(v int64, label, value string) {
		if v != 0 {
			out = append(out, line{label, value})
		}
	}
	add(r.PerConnectedCall, ce.t(c, "center.rate.per_connected_call"), amount(r.PerConnectedCall))
	add(r.PerMinute, ce.t(c, "center.rate.per_minute"), ce.t(c, "center.rate.per_minute_value", amount(r.PerMinute), r.Minimum, r.Increment))
	for _, o := range campaign.Outcomes {
		add(r.PerOutcome[o], ce.t(c, "center.rate.per_outcome", ce.t(c, "campaigns.outcome."+o)), amount(r.PerOutcome[o]))
	}
	add(r.PerAttempt, ce.t(c, "center.rate.per_attempt"), amount(r.PerAttempt))
	add(r.SeatMonthly, ce.t(c, "center.rate.seat_monthly"), amount(r.SeatMonthly))
	return out
}

// pricedLines is a rate card's lines for a reader who may read prices
// (prices:read), none for anyone else (quality staff read a contract's
// terms without its prices).
func (ce *Center) pricedLines(c *fiber.Ctx, r market.RateCard) ([]line, error) {
	ok, err := ce.can(c, tenancy.PermPricesRead)
	if err != nil || !ok {
		return nil, err
	}
	return ce.rateLines(c, r), nil
}
