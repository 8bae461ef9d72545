package market_test

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
)

func TestBillableSeconds(t *testing.T) {
	card := market.RateCard{Minimum: 30, Increment: 6}
	for talk, want := range map[int]int{0: 0, 1: 30, 30: 30, 31: 36, 36: 36, 37: 42, 600: 600} {
		if got := card.BillableSeconds(talk); got != want {
			t.Errorf("30/6, %d s talk: %d billed, want %d", talk, got, want)
		}
	}
	perSecond := market.RateCard{Increment: 1}
	if got := perSecond.BillableSeconds(47); got != 47 {
		t.Errorf("per second: %d", got)
	}
}

func TestMinutesPriceRoundsHalfToEven(t *testing.T) {
	card := market.RateCard{PerMinute: 30} // 30 micro-units a minute: half a micro-unit a second
	for billed, want := range map[int]int64{1: 0, 3: 2, 5: 2, 7: 4, 60: 30} {
		if got := card.MinutesPrice(billed); got != want {
			t.Errorf("%d s at 30µ/min: %d, want %d", billed, got, want)
		}
	}
}

func TestValidateRefusesBadPrices(t *testing.T) {
	f := market.RateCard{Currency: "EUR", PerMinute: 100, PerAttempt: -1, Increment: 0, PerOutcome: map[string]int64{"bribe": 5}}.Validate("rate_card.")
	paths := map[string]bool{}
	for _, e := range f {
		paths[e.Path] = true
	}
	for _, p := range []string{"rate_card.per_attempt", "rate_card.increment_seconds", "rate_card.per_outcome.bribe"} {
		if !paths[p] {
			t.Errorf("no error at %s: %+v", p, f)
		}
	}
	if f := (market.RateCard{Currency: "EUR"}).Validate(""); len(f) != 1 {
		t.Errorf("an empty rate card: %+v", f)
	}
	good := market.RateCard{Currency: "EUR", PerMinute: 450_000, Minimum: 30, Increment: 6, PerOutcome: map[string]int64{"sale": 12 * money.Micro}}
	if f := good.Validate(""); len(f) != 0 {
		t.Errorf("a good rate card: %+v", f)
	}
}

// TestEstimate works one case by hand: 1 000 leads × 2.5 attempts = 2 500
// attempts; 35 % connected = 875 calls; 150 s talk bills 150 s at 30/6,
// 2.5 min × 0.45 EUR = 1.125 EUR a call; 4 % of connected calls sell = 35
// sales × 12 EUR; 5 seats × 1 month × 300 EUR.
func TestEstimate(t *testing.T) {
	card := market.RateCard{Currency: "EUR", PerMinute: 450_000, Minimum: 30, Increment: 6,
		PerOutcome: map[string]int64{"sale": 12 * money.Micro}, SeatMonthly: 300 * money.Micro}
	e := market.EstimateCost(card, market.DefaultAssumptions("prospecting", 1000))
	want := map[string]int64{"minutes": 875 * 1_125_000, "outcome:sale": 35 * 12 * money.Micro, "seats": 1500 * money.Micro}
	for k, v := range want {
		if e.Components[k] != v {
			t.Errorf("%s: %d, want %d", k, e.Components[k], v)
		}
	}
	if e.Total != 984_375_000+420*money.Micro+1500*money.Micro || len(e.Components) != 3 {
		t.Errorf("estimate: %+v", e)
	}
}

// TestANegativePriceIsNamedInUnits: the message speaks the amount as typed,
// not in micro-units.
func TestANegativePriceIsNamedInUnits(t *testing.T) {
	f := market.RateCard{Currency: "EUR", PerMinute: -450_000, Increment: 6}.Validate("rate_card.")
	if len(f) != 1 || f[0].Path != "rate_card.per_minute" || f[0].Message != "cannot be negative (got -€0.45)" {
		t.Errorf("a negative per-minute price: %+v", f)
	}
}
