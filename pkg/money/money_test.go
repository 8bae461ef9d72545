package money_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
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
	for _, in := range []string{"", " ", "-", ".", ",", "0,0000001", "1e3",
		"+5", "--1", "0x10", "1_000", "٣", "1000000000000", "NaN", "1,2,3"} {
		if got, err := money.Parse(in); !errors.Is(err, money.ErrAmount) {
			t.Errorf("Parse(%q) = %d, %v; want ErrAmount", in, got, err)
		}
	}
}

// TestParseReadsFrenchBudgets: what a French person types for a budget,
// and the ambiguous cases, each decided.
func TestParseReadsFrenchBudgets(t *testing.T) {
	const refused = math.MinInt64
	for _, c := range []struct {
		in   string
		want int64 // micro-units, or refused
		why  string
	}{
		{"2.500,00 €", 2_500 * money.Micro, "French writing: dot groups thousands, comma is the decimal mark, € after"},
		{"2 500 €", 2_500 * money.Micro, "spaces group thousands"},
		{"2500", 2_500 * money.Micro, "plain digits"},
		{"2 500,5", 2_500_500_000, "one decimal"},
		{"€2,500.00", 2_500 * money.Micro, "English writing: both marks, the last one is the decimal mark"},
		{"2 500,00 €", 2_500 * money.Micro, "what Format writes for a French reader"},
		{"2500 EUR", 2_500 * money.Micro, "a currency code after"},
		{"eur 12,5", 12_500_000, "a currency code before, any case"},
		{"-2 €", -2 * money.Micro, "a sign before the amount"},
		{"€-2", -2 * money.Micro, "a sign after the currency"},
		{"1.234.567,89", 1_234_567_890_000, "several dot groups and decimals"},
		{"1,234,567", 1_234_567 * money.Micro, "several comma groups: thousands"},
		{"1,234,567.5", 1_234_567_500_000, "comma groups then a decimal point"},
		// Ambiguous: one mark, three digits after it.
		{"2.500", 2_500 * money.Micro, "a dot then exactly three digits after 1 to 3 digits groups thousands (French: 2.500 € is two thousand five hundred)"},
		{"2,500", 2_500_000, "a lone comma is always the decimal mark (French: 2,500 is two and a half)"},
		{"1.125", 1_125 * money.Micro, "even for a rate: write 1,125 for one and an eighth"},
		{"0.125", 125_000, "a group cannot follow a lone 0: decimals"},
		{".125", 125_000, "nor nothing: decimals"},
		{"1234.567", 1_234_567_000, "nor four digits: a thousands group has at most three"},
		{"2.5", 2_500_000, "a dot then other than three digits is the decimal point"},
		{"2.50", 2_500_000, "idem"},
		{"2.5000", 2_500_000, "idem"},
		// Refused: marks that cannot be read one way.
		{"2.500.5", refused, "after dot groups, a group of one digit"},
		{"1,2,3", refused, "comma groups of one digit"},
		{"1.000,5.5", refused, "the decimal mark twice"},
		{"1,5.000", refused, "a comma group of one digit before the decimal point"},
		{"2.500,00 $", 2_500 * money.Micro, "any currency sign the platform bills in; the caller knows the currency"},
		{"€€2", refused, "two currencies"},
		{"12 € EUR", refused, "two currencies"},
		{"0.500.000", refused, "a group after a lone 0"},
	} {
		got, err := money.Parse(c.in)
		switch {
		case c.want == refused:
			if !errors.Is(err, money.ErrAmount) {
				t.Errorf("Parse(%q) = %d, %v; want ErrAmount (%s)", c.in, got, err, c.why)
			}
		case err != nil || got != c.want:
			t.Errorf("Parse(%q) = %d, %v; want %d (%s)", c.in, got, err, c.want, c.why)
		}
	}
}

// TestParseSaysWhatWasTyped: a person who typed a wrong amount is told in
// their language, with what they typed.
func TestParseSaysWhatWasTyped(t *testing.T) {
	_, err := money.Parse("12 euros")
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.Invalid || e.Code != "money.amount.invalid" || len(e.Args) != 1 || e.Args[0] != "12 euros" {
		t.Fatalf("Parse(\"12 euros\") = %#v; want an Invalid money.amount.invalid error quoting what was typed", err)
	}
	if !strings.Contains(e.Message, `"12 euros"`) {
		t.Errorf("message %q does not quote what was typed", e.Message)
	}
}

// TestFormatTotal: a total is read to the cent, rounded half to even;
// a currency without cents to the unit.
func TestFormatTotal(t *testing.T) {
	for _, c := range []struct {
		amount           int64
		currency, locale string
		want             string
	}{
		{354_375_000, "EUR", "fr", "354,38\u00a0€"}, // half: 37 is odd, up to 38
		{354_385_000, "EUR", "fr", "354,38\u00a0€"}, // half: 38 is even, stays
		{354_385_001, "EUR", "fr", "354,39\u00a0€"},
		{354_374_999, "EUR", "en", "€354.37"},
		{12_500, "EUR", "fr", "0,01\u00a0€"}, // 1,25 cents: below the half
		{-354_375_000, "EUR", "fr", "-354,38\u00a0€"},
		{1_200_500_000, "EUR", "fr", "1\u202f200,50\u00a0€"},
		{1_500_500_000, "XOF", "fr", "1\u202f500\u00a0XOF"}, // 1 500,5: 1 500 is even, stays
		{1_501_500_000, "XOF", "en", "XOF\u00a01,502"},
		{0, "EUR", "fr", "0,00\u00a0€"},
	} {
		if got := money.FormatTotal(c.amount, c.currency, c.locale); got != c.want {
			t.Errorf("FormatTotal(%d, %s, %s) = %q, want %q", c.amount, c.currency, c.locale, got, c.want)
		}
	}
	for in, want := range map[int64]int64{5_000: 0, 15_000: 20_000, 25_000: 20_000, 25_001: 30_000, -5_000: 0, -15_000: -20_000, -14_999: -10_000} {
		if got := money.RoundCents(in); got != want {
			t.Errorf("RoundCents(%d) = %d, want %d", in, got, want)
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
