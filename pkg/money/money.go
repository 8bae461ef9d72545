// Package money is amounts of money as the platform keeps them: integer
// micro-units of a currency (1 EUR = 1 000 000), never floats; read from
// what a person types and written for a reader of French or English.
//
// It imports only the standard library and pkg/apperr.
package money

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Micro is one millionth of a currency unit.
const Micro = 1_000_000

// Currencies the platform bills in.
var Currencies = []string{"EUR", "USD", "GBP", "MAD", "XOF", "CHF", "CAD"}

// KnownCurrency reports whether the platform bills in c.
func KnownCurrency(c string) bool { return slices.Contains(Currencies, c) }

// maxAmountDigits bounds the whole units of a typed amount: far above any
// price, far below what an int64 of micro-units holds (9.2e12 units).
const maxAmountDigits = 12

// ErrAmount is the reason Parse refuses what a person typed; the error
// Parse returns wraps it in an Invalid *apperr.Error that quotes what was
// typed (money.amount.invalid), for a field's message.
var ErrAmount = errors.New("money: not an amount")

// Parse reads an amount a person typed in a form, in units of a currency,
// into exact micro-units, never going through a float. It reads French
// writing first, and English writing when it cannot be French:
//
//   - spaces (also the no-break ones French formatting writes) group
//     thousands anywhere: "2 500" is 2 500;
//   - a currency sign or code before or after the amount is left out:
//     "2 500 €", "€2,500.00", "2500 EUR" (the caller knows the currency);
//     a minus sign may stand before the amount or after the currency:
//     "-2" is -2 000 000 (the caller's validation names a negative price);
//   - a comma alone is the decimal mark, as in French: "0,45", "2,500" is
//     two and a half;
//   - a dot alone is the decimal point ("0.45", "2.5", "2.50"), except when
//     it is followed by exactly three digits after one to three digits not
//     starting with 0: then it groups thousands, as French invoices write
//     "2.500 €" for two thousand five hundred ("0.125" and "1234.567" are
//     decimals; write "1,125" for one and an eighth);
//   - a mark written more than once groups thousands ("1.234.567",
//     "1,234,567");
//   - when both a dot and a comma are written, the last one is the decimal
//     mark and the other groups thousands: "2.500,00" and "2,500.00" are
//     both 2 500;
//   - a mark that groups thousands has one to three digits before its
//     first use, not starting with 0, and exactly three after each; there
//     are at most six decimals.
//
// An empty string is an error: the caller decides whether a field may be
// left empty.
func Parse(typed string) (int64, error) {
	s := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\t':
			return -1
		case '\u2212': // the minus sign typographers write
			return '-'
		}
		return r
	}, typed)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	s = trimCurrency(s)
	if !neg && strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	whole, frac, ok := split(s)
	if !ok || whole == "" && frac == "" || len(whole) > maxAmountDigits || len(frac) > 6 || !digits(whole) || !digits(frac) {
		return 0, apperr.Wrap(ErrAmount, apperr.Invalid, "money.amount.invalid",
			"write an amount such as 1 200,50 or 0,45: digits, one decimal comma, at most 6 decimals (got %q)", typed)
	}
	var units, micro int64
	if whole != "" {
		units, _ = strconv.ParseInt(whole, 10, 64) // digits only, at most 12: cannot fail
	}
	if frac != "" {
		micro, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	v := units*Micro + micro
	if neg {
		v = -v
	}
	return v, nil
}

// trimCurrency leaves out one currency sign or code the platform bills
// in, before or after s.
func trimCurrency(s string) string {
	for _, c := range Currencies {
		for _, mark := range []string{symbols[c], c} {
			switch {
			case mark == "":
			case len(s) >= len(mark) && strings.EqualFold(s[:len(mark)], mark):
				return s[len(mark):]
			case len(s) >= len(mark) && strings.EqualFold(s[len(s)-len(mark):], mark):
				return s[:len(s)-len(mark)]
			}
		}
	}
	return s
}

// split cuts s, spaces and currency left out, into its whole units and its
// decimals, reading its dots and commas as Parse says; ok is false when
// they cannot be read one way.
func split(s string) (whole, frac string, ok bool) {
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dots == 0 && commas == 0:
		return s, "", true
	case dots > 0 && commas > 0:
		point, group := ".", ","
		if strings.LastIndex(s, ",") > strings.LastIndex(s, ".") {
			point, group = ",", "."
		}
		whole, frac, _ = strings.Cut(s, point)
		if strings.Contains(frac, point) || strings.Contains(frac, group) {
			return "", "", false
		}
		whole, ok = grouped(whole, group)
		return whole, frac, ok
	case commas > 1:
		whole, ok = grouped(s, ",")
		return whole, "", ok
	case dots > 1:
		whole, ok = grouped(s, ".")
		return whole, "", ok
	case commas == 1:
		whole, frac, _ = strings.Cut(s, ",")
		return whole, frac, true
	}
	whole, frac, _ = strings.Cut(s, ".")
	if g, ok := grouped(s, "."); ok && len(frac) == 3 {
		return g, "", true
	}
	return whole, frac, true
}

// grouped reads s as digits grouped in thousands by mark: one to three
// digits not starting with 0, then groups of exactly three.
func grouped(s, mark string) (string, bool) {
	groups := strings.Split(s, mark)
	if n := len(groups[0]); n < 1 || n > 3 || groups[0][0] == '0' {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// symbols are the currencies written with a sign rather than their code.
var symbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£"}

// Format writes micro-units of currency for a reader of locale ("fr"
// or "en"): "0,45 €" and "1 200,50 €" in French (no-break spaces), "€0.45"
// and "€1,200.50" in English, "12,00 MAD" or "MAD 12.00" for currencies
// without a sign. Cents are always shown; smaller digits only when the
// amount has them ("0,0125 €"), since a per-minute price may.
func Format(amount int64, currency, locale string) string {
	neg := amount < 0
	if neg {
		amount = -amount
	}
	units, micro := amount/Micro, amount%Micro
	frac := strings.TrimRight(strconv.FormatInt(Micro+micro, 10)[1:], "0")
	for len(frac) < 2 {
		frac += "0"
	}
	group, point := ",", "."
	if locale == "fr" {
		group, point = "\u202f", ","
	}
	whole := strconv.FormatInt(units, 10)
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	sym, signed := symbols[currency]
	if locale != "fr" {
		if signed {
			b.WriteString(sym)
		} else {
			b.WriteString(currency + "\u00a0")
		}
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	b.WriteString(point + frac)
	if locale == "fr" {
		if !signed {
			sym = currency
		}
		b.WriteString("\u00a0" + sym)
	}
	return b.String()
}

// minorDigits are the decimals of a currency's smallest coin, where it
// is not the cent (ISO 4217).
var minorDigits = map[string]int{"XOF": 0}

// RoundCents rounds micro-units to the cent, half to even (banker's
// rounding: 0,125 is 0,12 and 0,135 is 0,14), so that totals added up
// from rounded lines do not drift one way.
func RoundCents(amount int64) int64 { return roundTo(amount, Micro/100) }

func roundTo(amount, unit int64) int64 {
	neg := amount < 0
	if neg {
		amount = -amount
	}
	q, r := amount/unit, amount%unit
	if 2*r > unit || 2*r == unit && q%2 == 1 {
		q++
	}
	if neg {
		return -q * unit
	}
	return q * unit
}

// FormatTotal writes an amount a person reads as money paid or to pay — a
// total, an estimate, a budget, an invoice line — rounded half to even to
// the cent (to the unit for a currency without cents, such as XOF):
// "354,38 €" where Format writes "354,375 €". Unit prices, which may have
// more decimals (a per-minute price of 0,0125 €), are written by Format.
func FormatTotal(amount int64, currency, locale string) string {
	minor, ok := minorDigits[currency]
	if !ok {
		minor = 2
	}
	unit := int64(Micro)
	for range minor {
		unit /= 10
	}
	s := Format(roundTo(amount, unit), currency, locale)
	if minor == 0 {
		point := "."
		if locale == "fr" {
			point = ","
		}
		s = strings.Replace(s, point+"00", "", 1)
	}
	return s
}
