package money_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/money"
)

func TestParseIsExact(t *testing.T) {
	for in, want := range map[string]int64{
		"0,45": 450_000, "0.45": 450_000, "12": 12 * money.Micro, ",5": 500_000, "3.": 3 * money.Micro,
		"1 200,50": 1_200_500_000, "1\u202f200,50": 1_200_500_000, "1\u00a0200": 1_200 * money.Micro,
		" 0,000001 ": 1, "0.1": 100_000, "0.29": 290_000, "-0,45": -450_000, "-2": -2 * money.Micro,
		"999999999999.999999": 999_999_999_999_999_999, "00,10": 100_000,
	} {
		got, err := money.Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "-", ".", ",", "1,200.50", "1.200,50", "0,0000001", "12 €", "€12", "1e3",
		"+5", "--1", "0x10", "1_000", "٣", "1000000000000", "NaN", "1,2,3"} {
		if got, err := money.Parse(in); !errors.Is(err, money.ErrAmount) {
			t.Errorf("Parse(%q) = %d, %v; want ErrAmount", in, got, err)
		}
	}
}

// TestParseReadsWhatFormatWrites: every amount written for a
// French reader reads back to itself once its currency sign is dropped.
func TestParseReadsWhatFormatWrites(t *testing.T) {
	for _, v := range []int64{0, 1, 10, 450_000, 1_200_500_000, -7_250_000, 123_456_789_012_345} {
		s := money.Format(v, "EUR", "fr")
		got, err := money.Parse(strings.TrimSuffix(s, "\u00a0€"))
		if err != nil || got != v {
			t.Errorf("%d written %q reads %d, %v", v, s, got, err)
		}
	}
}

func TestFormat(t *testing.T) {
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
		{12 * money.Micro, "MAD", "fr", "12,00\u00a0MAD"},
		{12 * money.Micro, "XOF", "en", "XOF\u00a012.00"},
		{-3_100_000, "EUR", "fr", "-3,10\u00a0€"},
		{123_456_789 * money.Micro, "CHF", "en", "CHF\u00a0123,456,789.00"},
	} {
		if got := money.Format(c.amount, c.currency, c.locale); got != c.want {
			t.Errorf("Format(%d, %s, %s) = %q, want %q", c.amount, c.currency, c.locale, got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0,45", "1 200.50", "-3", ",", "999999999999.999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := money.Parse(s)
		if err != nil {
			return
		}
		// What it reads, French formatting writes back to the same value.
		w := money.Format(v, "EUR", "fr")
		if again, err := money.Parse(strings.TrimSuffix(w, "\u00a0€")); err != nil || again != v {
			t.Fatalf("%q read %d, written %q, read back %d, %v", s, v, w, again, err)
		}
	})
}
