// Package market owns the marketplace between clients and centers: a
// center's rate card and offer for a published campaign, the estimate of
// what the campaign would cost under each rate card, and the contract that
// freezes an accepted offer's rate card. Money is integer micro-units of a
// currency (1 EUR = 1 000 000), never floats.
//
// It imports the standard library and domain packages only.
package market

import (
	"slices"
	"strings"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/money"
)

// RateCard is how a center prices a campaign. Every amount is in micro-units
// of Currency; a zero amount is a component not charged.
type RateCard struct {
	Currency         string           `json:"currency"`
	PerConnectedCall int64            `json:"per_connected_call"`
	PerMinute        int64            `json:"per_minute"`
	Increment        int              `json:"increment_seconds"` // billed in steps of this many seconds after the minimum
	Minimum          int              `json:"minimum_seconds"`   // the first billed period ("30/6": 30 s, then 6 s steps)
	PerOutcome       map[string]int64 `json:"per_outcome"`
	PerAttempt       int64            `json:"per_attempt"`
	SeatMonthly      int64            `json:"seat_monthly"`
}

// maxAmount bounds one price: ten thousand units.
const maxAmount = 10_000 * money.Micro

// Validate checks a rate card; path prefixes its fields ("rate_card.").
func (r RateCard) Validate(path string) apperr.Fields {
	var f apperr.Fields
	if !money.KnownCurrency(r.Currency) {
		f.Add(path+"currency", "market.currency.unknown", "must be one of %s (got %q)", strings.Join(money.Currencies, ", "), r.Currency)
	}
	amount := func(field string, v int64) {
		switch {
		case v < 0:
			f.Add(path+field, "market.amount.negative", "cannot be negative (got %s)", money.Format(v, r.Currency, "en"))
		case v > maxAmount:
			f.Add(path+field, "market.amount.too_large", "is over %d units", maxAmount/money.Micro)
		}
	}
	amount("per_connected_call", r.PerConnectedCall)
	amount("per_minute", r.PerMinute)
	amount("per_attempt", r.PerAttempt)
	amount("seat_monthly", r.SeatMonthly)
	if r.PerMinute > 0 && (r.Increment < 1 || r.Increment > 60) {
		f.Add(path+"increment_seconds", "market.increment.out_of_range", "must be 1 to 60 seconds when minutes are billed (got %d)", r.Increment)
	}
	if r.Minimum < 0 || r.Minimum > 600 {
		f.Add(path+"minimum_seconds", "market.minimum.out_of_range", "must be 0 to 600 seconds (got %d)", r.Minimum)
	}
	for outcome, v := range r.PerOutcome {
		if !slices.Contains(campaign.Outcomes, outcome) {
			f.Add(path+"per_outcome."+outcome, "market.outcome.unknown", "is not an outcome: use %s", strings.Join(campaign.Outcomes, ", "))
			continue
		}
		amount("per_outcome."+outcome, v)
	}
	if r.PerConnectedCall == 0 && r.PerMinute == 0 && r.PerAttempt == 0 && r.SeatMonthly == 0 && len(r.PerOutcome) == 0 {
		f.Add(path+"per_minute", "market.rate_card.empty", "a rate card must price at least one component")
	}
	return f
}

// BillableSeconds applies the minimum and the increment to a talk time:
// with 30/6, a 10 s call bills 30 s and a 31 s call 36 s.
func (r RateCard) BillableSeconds(talk int) int {
	if talk <= 0 {
		return 0
	}
	if talk <= r.Minimum {
		return r.Minimum
	}
	if r.Increment <= 1 {
		return talk
	}
	over := talk - r.Minimum
	steps := (over + r.Increment - 1) / r.Increment
	return r.Minimum + steps*r.Increment
}

// MinutesPrice is the price of billable seconds at PerMinute, rounded half
// to even to the micro-unit.
func (r RateCard) MinutesPrice(billable int) int64 {
	return divRound(int64(billable)*r.PerMinute, 60)
}

// divRound divides rounding half to even.
func divRound(n, d int64) int64 {
	q, rem := n/d, n%d
	switch {
	case 2*rem > d, 2*rem == d && q%2 == 1:
		q++
	}
	return q
}
