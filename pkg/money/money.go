// Package money is amounts of money as the platform keeps them: integer
// micro-units of a currency (1 EUR = 1 000 000), never floats; read from
// what a person types and written for a reader of French or English.
//
// It imports only the standard library.
package money

import (
	"errors"
	"slices"
	"strconv"
	"strings"
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

// ErrAmount is the reason Parse refuses what a person typed.
var ErrAmount = errors.New("write an amount such as 0,45 or 1 200.50: digits, one decimal comma or point, at most 6 decimals")

// Parse reads an amount a person typed in a form, in units of a
// currency, into exact micro-units: "0,45" and "0.45" are 450 000, "1 200"
// is 1 200 000 000, "-2" is -2 000 000 (the caller's validation names a
// negative price). Spaces (also the no-break ones French formatting writes)
// group thousands; one comma or point separates at most six decimals. It
// never goes through a float. An empty string is an error: the caller
// decides whether a field may be left empty.
func Parse(s string) (int64, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\t':
			return -1
		}
		return r
	}, s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if strings.Count(s, ",")+strings.Count(s, ".") > 1 {
		return 0, ErrAmount
	}
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" && frac == "" || len(whole) > maxAmountDigits || len(frac) > 6 || !digits(whole) || !digits(frac) {
		return 0, ErrAmount
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
