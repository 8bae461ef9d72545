package phone_test

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/phone"
)

// TestDisplay: a number reads as its reader writes it, the national way
// when it is of the reader's country, the international way otherwise.
func TestDisplay(t *testing.T) {
	for _, tc := range []struct{ e164, reader, want string }{
		{"+33612345678", "FR", "06 12 34 56 78"},
		{"+33140000000", "FR", "01 40 00 00 00"},
		{"+33612345678", "MA", "+33 6 12 34 56 78"},
		{"+212612345678", "MA", "06 12 34 56 78"},
		{"+212612345678", "FR", "+212 6 12 34 56 78"},
		{"+14155550123", "US", "(415) 555-0123"},
		{"+14155550123", "", "+1 415-555-0123"},
		{"+596696123456", "FR", "+596 696 12 34 56"},
		{"not a number", "FR", "not a number"},
		{"", "FR", ""},
	} {
		if got := phone.Display(tc.e164, tc.reader); got != tc.want {
			t.Errorf("Display(%q, %q) = %q, want %q", tc.e164, tc.reader, got, tc.want)
		}
	}
}
