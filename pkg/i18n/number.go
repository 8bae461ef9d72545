package i18n

import (
	"strconv"
	"strings"
)

// Number writes a count for a reader of locale, its thousands grouped:
// "4 000" in French (a narrow no-break space, which never breaks the
// number across lines), "4,000" in English and any other locale.
func Number[N ~int | ~int64](locale string, n N) string {
	s := strconv.FormatInt(int64(n), 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	sep := ","
	if locale == "fr" {
		sep = "\u202f"
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}
