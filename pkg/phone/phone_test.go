package phone_test

import (
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/phone"
)

func TestParse(t *testing.T) {
	cases := []struct {
		raw, region, e164, callee, zone string
	}{
		{"06 12 34 56 78", "FR", "+33612345678", "FR", "Europe/Paris"},
		{"+33 (0)6 12 34 56 78", "", "+33612345678", "FR", "Europe/Paris"},
		{"0033612345678", "SN", "+33612345678", "FR", "Europe/Paris"},
		{"06 96 12 34 56", "FR", "+596696123456", "MQ", "America/Martinique"},
		{"0690 12 34 56", "FR", "+590690123456", "GP", "America/Guadeloupe"},
		{"0692 12 34 56", "FR", "+262692123456", "RE", "Indian/Reunion"},
		{"0694 20 12 34", "FR", "+594694201234", "GF", "America/Cayenne"},
		{"+212 6 12 34 56 78", "", "+212612345678", "MA", "Africa/Casablanca"},
		{"0612345678", "MA", "+212612345678", "MA", "Africa/Casablanca"},
		{"(310) 555-1234", "US", "+13105551234", "US", "America/Los_Angeles"},
		{"+1 212 555 0123", "", "+12125550123", "US", "America/New_York"},
		{"+221 77 123 45 67", "", "+221771234567", "SN", "Africa/Dakar"},
		{"+44 20 7946 0018", "", "+442079460018", "GB", "Europe/London"},
	}
	for _, c := range cases {
		n, err := phone.Parse(c.raw, c.region)
		if err != nil {
			t.Errorf("Parse(%q, %q): %v", c.raw, c.region, err)
			continue
		}
		if n.E164 != c.e164 || n.Region != c.callee || len(n.Zones) == 0 || n.Zones[0] != c.zone {
			t.Errorf("Parse(%q, %q) = %+v, want %s %s %s", c.raw, c.region, n, c.e164, c.callee, c.zone)
		}
	}
}

func TestParseSaysWhatIsWrong(t *testing.T) {
	cases := []struct{ raw, region, want string }{
		{"", "FR", "empty"},
		{"   ", "FR", "empty"},
		{"06 12 34 56 7x", "FR", "unexpected 'x'"},
		{"12345", "FR", "too short"},
		{"06 12 34 56 78 90 12", "FR", "wrong length"},
		{"+1 123 456 7890", "", "not a number in use"},
		{"0612345678", "ZZ", "not a known country"},
		{strings.Repeat("1", 50), "FR", "too long"},
	}
	for _, c := range cases {
		if _, err := phone.Parse(c.raw, c.region); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q, %q): got %v, want an error saying %q", c.raw, c.region, err, c.want)
		}
	}
}

func TestLocationsPreferTheLeadsZone(t *testing.T) {
	n, err := phone.Parse("+33612345678", "")
	if err != nil {
		t.Fatal(err)
	}
	locs, err := n.Locations("America/Montreal")
	if err != nil || len(locs) != 1 || locs[0].String() != "America/Montreal" {
		t.Fatalf("explicit zone: %v %v", locs, err)
	}
	if _, err := n.Locations("Mars/Olympus"); err == nil {
		t.Fatal("an unknown zone was accepted")
	}
}

func TestMask(t *testing.T) {
	if got := phone.Mask("+33612345678"); got != "+33 6 •• •• •• 78" {
		t.Fatalf("Mask: %q", got)
	}
	if got := phone.Mask("garbage"); got != "•••" {
		t.Fatalf("Mask(garbage): %q", got)
	}
}

// FuzzParse: any input either fails with an error or yields a valid E.164
// number that parses back to itself; nothing panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"06 12 34 56 78", "+212612345678", "0696123456", "(310) 555-1234", "+", "00", "0", "+1 800 555 1234"} {
		f.Add(s, "FR")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		n, err := phone.Parse(raw, region)
		if err != nil {
			return
		}
		if !strings.HasPrefix(n.E164, "+") || len(n.E164) < 8 || len(n.E164) > 16 {
			t.Fatalf("Parse(%q, %q) = %q: not E.164", raw, region, n.E164)
		}
		again, err := phone.Parse(n.E164, "")
		if err != nil || again.E164 != n.E164 {
			t.Fatalf("E.164 %q does not parse back to itself: %+v %v", n.E164, again, err)
		}
	})
}
