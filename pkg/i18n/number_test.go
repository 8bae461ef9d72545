package i18n_test

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/i18n"
)

// TestNumber: a count reads as its reader writes it, its thousands grouped
// with a narrow no-break space in French and a comma in English.
func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		locale string
		n      int64
		want   string
	}{
		{"fr", 0, "0"},
		{"fr", 999, "999"},
		{"fr", 4000, "4\u202f000"},
		{"fr", 50000000, "50\u202f000\u202f000"},
		{"fr", -1234, "-1\u202f234"},
		{"en", 4000, "4,000"},
		{"en", 1234567, "1,234,567"},
		{"de", 4000, "4,000"},
	} {
		if got := i18n.Number(tc.locale, tc.n); got != tc.want {
			t.Errorf("Number(%q, %d) = %q, want %q", tc.locale, tc.n, got, tc.want)
		}
	}
}
