package market_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/market"
)

func TestParseAmountIsExact(t *testing.T) {
	for in, want := range map[string]int64{
		"0,45": 450_000, "0.45": 450_000, "12": 12 * market.Micro, ",5": 500_000, "3.": 3 * market.Micro,
		"1 200,50": 1_200_500_000, "1\u202f200,50": 1_200_500_000, "1\u00a0200": 1_200 * market.Micro,
		" 0,000001 ": 1, "0.1": 100_000, "0.29": 290_000, "-0,45": -450_000, "-2": -2 * market.Micro,
		"999999999999.999999": 999_999_999_999_999_999, "00,10": 100_000,
	} {
		got, err := market.ParseAmount(in)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "-", ".", ",", "1,200.50", "1.200,50", "0,0000001", "12 €", "€12", "1e3",
		"+5", "--1", "0x10", "1_000", "٣", "1000000000000", "NaN", "1,2,3"} {
		if got, err := market.ParseAmount(in); !errors.Is(err, market.ErrAmount) {
			t.Errorf("ParseAmount(%q) = %d, %v; want ErrAmount", in, got, err)
		}
	}
}

// TestParseAmountReadsWhatFormatMoneyWrites: every amount written for a
// French reader reads back to itself once its currency sign is dropped.
func TestParseAmountReadsWhatFormatMoneyWrites(t *testing.T) {
	for _, v := range []int64{0, 1, 10, 450_000, 1_200_500_000, -7_250_000, 123_456_789_012_345} {
		s := market.FormatMoney(v, "EUR", "fr")
		got, err := market.ParseAmount(strings.TrimSuffix(s, "\u00a0€"))
		if err != nil || got != v {
			t.Errorf("%d written %q reads %d, %v", v, s, got, err)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	for _, c := range []struct {
		amount           int64
		currency, locale string
		want             string
	}{
		{450_000, "EUR", "fr", "0,45\u00a0€"},
		{450_000, "EUR", "en", "€0.45"},
		{1_200_500_000, "EUR", "fr", "1\u202f200,50\u00a0€"},
		{1_200_500_000, "USD", "en", "$1,200.50"},
		{12_500, "EUR", "fr", "0,0125\u00a0€"},
		{0, "GBP", "en", "£0.00"},
		{12 * market.Micro, "MAD", "fr", "12,00\u00a0MAD"},
		{12 * market.Micro, "XOF", "en", "XOF\u00a012.00"},
		{-3_100_000, "EUR", "fr", "-3,10\u00a0€"},
		{123_456_789 * market.Micro, "CHF", "en", "CHF\u00a0123,456,789.00"},
	} {
		if got := market.FormatMoney(c.amount, c.currency, c.locale); got != c.want {
			t.Errorf("FormatMoney(%d, %s, %s) = %q, want %q", c.amount, c.currency, c.locale, got, c.want)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0,45", "1 200.50", "-3", ",", "999999999999.999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := market.ParseAmount(s)
		if err != nil {
			return
		}
		// What it reads, French formatting writes back to the same value.
		w := market.FormatMoney(v, "EUR", "fr")
		if again, err := market.ParseAmount(strings.TrimSuffix(w, "\u00a0€")); err != nil || again != v {
			t.Fatalf("%q read %d, written %q, read back %d, %v", s, v, w, again, err)
		}
	})
}

// TestANegativePriceIsNamedInUnits: the message speaks the amount as typed,
// not in micro-units.
func TestANegativePriceIsNamedInUnits(t *testing.T) {
	f := market.RateCard{Currency: "EUR", PerMinute: -450_000, Increment: 6}.Validate("rate_card.")
	if len(f) != 1 || f[0].Path != "rate_card.per_minute" || f[0].Message != "cannot be negative (got -€0.45)" {
		t.Errorf("a negative per-minute price: %+v", f)
	}
}
