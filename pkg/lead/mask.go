package lead

import (
	"strings"
	"unicode/utf8"

	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// minMaskedDigits is the fewest digits a run of text needs to be taken for
// a phone number: 7, the shortest national numbers (a few countries have
// 7-digit ones), so that a postal code (69002), a year or a reference
// (A-1234) stays as it is.
const minMaskedDigits = 7

// maskValue hides the phone numbers in v, a text of a lead a center reads:
// a value that is a number, as the platform masks numbers (+33 6 •• •• ••
// 78); in a text, each run of digits that may be a phone number (see
// maskText).
func maskValue(v, region string) string {
	if t := strings.TrimSpace(v); numberOnly(t) {
		if masked := maskText(t); masked != t {
			if p, err := leadfile.NormalizePhone(t, region); err == nil {
				return phone.Mask(p.E164)
			}
			return masked
		}
	}
	return maskText(v)
}

// numberOnly reports whether s has digits and only the characters numbers
// are written with.
func numberOnly(s string) bool {
	digits := false
	for i, r := range s {
		switch {
		case isDigit(r):
			digits = true
		case r == '+' && i == 0, separator(r):
		default:
			return false
		}
	}
	return digits
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// separator reports whether r may stand between the digits of a phone
// number: spaces (no-break and thin ones too), dots, dashes, slashes and
// parentheses, "+33 (0)6 12-34-56.78".
func separator(r rune) bool {
	switch r {
	case ' ', '.', '-', '/', '(', ')', '\u00a0', '\u202f', '\u2009':
		return true
	}
	return false
}

// span is a run of digits in a text, s[from:to].
type span struct{ from, to int }

// maskText replaces the digits of every run of s that may be a phone
// number with •, all but the last two, keeping the separators: "rappeler
// au 06 12 34 56 78" → "rappeler au •• •• •• •• 78". A run is digits
// joined by up to three separators, with an optional leading +; it may be
// a number when it has at least minMaskedDigits digits once its dates
// (2026-09-15, 15/09/2026, 15.09.2026) are set apart, and it is not an
// amount (1 250 000 €, 1 250 000,00). Two numbers joined by separators
// ("06… / 07…") make one run, masked as one: more hidden, nothing shown.
func maskText(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		if s[i] == '+' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			i++
		}
		if s[i] < '0' || s[i] > '9' {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		var digits []span
		for {
			d := span{from: i}
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			d.to = i
			digits = append(digits, d)
			j, n := i, 0
			for ; n < 3 && j < len(s); n++ {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !separator(r) {
					break
				}
				j += size
			}
			if n == 0 || j == len(s) || s[j] < '0' || s[j] > '9' {
				break
			}
			i = j
		}
		if amount(s, digits) {
			continue
		}
		for _, run := range undated(s, digits) {
			if count(run) < minMaskedDigits {
				continue
			}
			if done == 0 {
				b.Grow(len(s) + 16)
			}
			b.WriteString(s[done:run[0].from])
			keep := 2
			for k := len(run) - 1; k >= 0; k-- { // the last two digits stay
				if keep == 0 {
					break
				}
				take := min(keep, run[k].to-run[k].from)
				run[k].to -= take
				keep -= take
			}
			end := run[len(run)-1].to
			for k, d := range run {
				if k > 0 {
					b.WriteString(s[run[k-1].to:d.from]) // separators, or visible digits
				}
				b.WriteString(strings.Repeat("•", d.to-d.from))
			}
			done = end
		}
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

func count(run []span) int {
	n := 0
	for _, d := range run {
		n += d.to - d.from
	}
	return n
}

// undated splits a run of digit groups at its dates: the groups before,
// between and after them.
func undated(s string, digits []span) [][]span {
	var out [][]span
	from := 0
	for k := 0; k+3 <= len(digits); {
		if date(s, digits[k:k+3]) {
			if k > from {
				out = append(out, digits[from:k])
			}
			k += 3
			from = k
			continue
		}
		k++
	}
	if from < len(digits) {
		out = append(out, digits[from:])
	}
	return out
}

// date reports whether three digit groups are a date: 2026-09-15,
// 2026/09/15, 15/09/2026, 15.09.2026 or 15-09-2026, one same separator
// between them.
func date(s string, g []span) bool {
	sep := s[g[0].to:g[1].from]
	if len(sep) != 1 || !strings.Contains("-/.", sep) || s[g[1].to:g[2].from] != sep {
		return false
	}
	n := func(d span) int {
		v := 0
		for _, c := range s[d.from:d.to] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	size := func(d span) int { return d.to - d.from }
	year := func(d span) bool { return size(d) == 4 && n(d) >= 1900 && n(d) <= 2199 }
	month := func(d span) bool { return size(d) <= 2 && n(d) >= 1 && n(d) <= 12 }
	day := func(d span) bool { return size(d) <= 2 && n(d) >= 1 && n(d) <= 31 }
	return year(g[0]) && month(g[1]) && day(g[2]) || day(g[0]) && month(g[1]) && year(g[2])
}

// amount reports whether a run of digit groups is an amount written with
// thousands apart (1 250 000), followed by decimals (,00) or a currency.
func amount(s string, digits []span) bool {
	if len(digits) < 2 || digits[0].to-digits[0].from > 3 {
		return false
	}
	sep := s[digits[0].to:digits[1].from]
	for k := 1; k < len(digits); k++ {
		if digits[k].to-digits[k].from != 3 || s[digits[k-1].to:digits[k].from] != sep {
			return false
		}
	}
	if sep != " " && sep != "\u00a0" && sep != "\u202f" && sep != "." {
		return false
	}
	rest := strings.TrimLeft(s[digits[len(digits)-1].to:], " \u00a0\u202f")
	if len(rest) >= 2 && (rest[0] == ',' || rest[0] == '.' && sep != ".") && rest[1] >= '0' && rest[1] <= '9' {
		return true
	}
	for _, currency := range []string{"€", "$", "£", "EUR", "eur", "USD", "CHF", "MAD", "XOF", "TND", "DH"} {
		if strings.HasPrefix(rest, currency) {
			return true
		}
	}
	return false
}
