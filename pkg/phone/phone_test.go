package phone_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

func TestParse(t *testing.T) {
	parses(t, []parsed{
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
	})
}

// parsed is what Parse(raw, region) must answer.
type parsed struct{ raw, region, e164, callee, zone string }

func parses(t *testing.T, cases []parsed) {
	t.Helper()
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
		{"+690 2200", "", "8 to 15 digits"},
	}
	for _, c := range cases {
		if _, err := phone.Parse(c.raw, c.region); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q, %q): got %v, want an error saying %q", c.raw, c.region, err, c.want)
		}
	}
}

// TestParseErrorsAreCoded: what Parse says is an Invalid error with a
// code and parameters, for a person to read it in their language; the
// number as written comes first, for the messages that quote it.
func TestParseErrorsAreCoded(t *testing.T) {
	cases := []struct{ raw, region, code string }{
		{"", "FR", "phone.empty"},
		{strings.Repeat("1", 50), "FR", "phone.too_long"},
		{"06 12 34 56 7x", "FR", "phone.unexpected"},
		{"12345", "FR", "phone.too_short"},
		{"0612345678", "ZZ", "phone.no_country"},
		{"+999 1234 5678", "", "phone.invalid_country_code"},
		{"06 12 34 56 78 90 12", "FR", "phone.wrong_length"},
		{"+690 2200", "", "phone.too_few_digits"},
		{"+49 30 123456789012", "", "phone.too_many_digits"},
		{"+1 123 456 7890", "", "phone.no_such_range_code"},
		{"05 96 12 34 56", "FR", "phone.no_such_range"},
	}
	for _, c := range cases {
		_, err := phone.Parse(c.raw, c.region)
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Invalid || e.Code != c.code {
			t.Errorf("Parse(%q, %q) = %#v; want an Invalid %s error", c.raw, c.region, err, c.code)
			continue
		}
		if c.code != "phone.empty" && c.code != "phone.too_long" && (len(e.Args) == 0 || e.Args[0] != strings.TrimSpace(c.raw)) {
			t.Errorf("Parse(%q, %q): args %v do not start with the number as written", c.raw, c.region, e.Args)
		}
	}
	n, _ := phone.Parse("+33 6 12 34 56 78", "")
	n.Zones = []string{"Mars/Olympus"}
	if _, err := n.Locations(""); apperr.As(err) == nil || apperr.As(err).Code != "phone.unknown_zone" {
		t.Errorf("Locations with an unknown zone = %v; want a phone.unknown_zone error", err)
	}
	if _, err := (phone.Number{E164: "+33612345678"}).Locations(""); apperr.As(err) == nil || apperr.As(err).Code != "phone.no_zone" {
		t.Errorf("Locations without a zone = %v; want a phone.no_zone error", err)
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

// TestParseFrenchOverseas: every overseas block of the French plan, fixed
// and mobile, written the French way ("05 96 …", "+33 5 96 …") or as Excel
// leaves it ("596…"), belongs to its territory, with its zone — never to
// metropolitan France. Blocks: ARCEP's plan (0262/0263 RE, 0269 YT, 0508 PM,
// 0590 GP/BL/MF, 0594 GF, 0596 MQ; 0639 YT, 0690/0691 GP/BL/MF, 0692/0693
// RE, 0694 GF, 0696/0697 MQ) and libphonenumber's (05987 GP, 05988 GF,
// 05989 MQ, 02688 RE, 02689 YT, 0708 PM, 07090–07093 …).
func TestParseFrenchOverseas(t *testing.T) {
	cases := []struct{ raw, e164, region, zone string }{
		{"0590 12 34 56", "+590590123456", "GP", "America/Guadeloupe"},
		{"0590 27 12 34", "+590590271234", "BL", "America/St_Barthelemy"},
		{"0590 58 12 34", "+590590581234", "MF", "America/Marigot"},
		{"0598 71 23 45", "+590598712345", "GP", "America/Guadeloupe"},
		{"0594 12 34 56", "+594594123456", "GF", "America/Cayenne"},
		{"0598 81 23 45", "+594598812345", "GF", "America/Cayenne"},
		{"05 96 30 12 34", "+596596301234", "MQ", "America/Martinique"},
		{"0598 91 23 45", "+596598912345", "MQ", "America/Martinique"},
		{"0262 12 34 56", "+262262123456", "RE", "Indian/Reunion"},
		{"0263 01 23 45", "+262263012345", "RE", "Indian/Reunion"},
		{"0268 81 23 45", "+262268812345", "RE", "Indian/Reunion"},
		{"02 69 61 23 45", "+262269612345", "YT", "Indian/Mayotte"},
		{"0268 91 23 45", "+262268912345", "YT", "Indian/Mayotte"},
		{"05 08 41 23 45", "+508412345", "PM", "America/Miquelon"},
		{"0690 12 34 56", "+590690123456", "GP", "America/Guadeloupe"},
		{"0691 22 34 56", "+590691223456", "GP", "America/Guadeloupe"},
		{"0694 20 12 34", "+594694201234", "GF", "America/Cayenne"},
		{"0696 12 34 56", "+596696123456", "MQ", "America/Martinique"},
		{"0697 12 34 56", "+596697123456", "MQ", "America/Martinique"},
		{"0692 12 34 56", "+262692123456", "RE", "Indian/Reunion"},
		{"0693 01 23 45", "+262693012345", "RE", "Indian/Reunion"},
		{"0639 01 23 45", "+262639012345", "YT", "Indian/Mayotte"},
		{"07 08 45 12 34", "+508708451234", "PM", "America/Miquelon"},
		{"07 09 00 12 34", "+590709001234", "GP", "America/Guadeloupe"},
		{"07 09 10 12 34", "+596709101234", "MQ", "America/Martinique"},
		{"07 09 20 12 34", "+262709201234", "RE", "Indian/Reunion"},
		{"07 09 30 12 34", "+594709301234", "GF", "America/Cayenne"},
		{"07 09 35 12 34", "+262709351234", "YT", "Indian/Mayotte"},
		{"+33 5 96 30 12 34", "+596596301234", "MQ", "America/Martinique"},
		{"0033 2 69 61 23 45", "+262269612345", "YT", "Indian/Mayotte"},
		{"+33 5 08 41 23 45", "+508412345", "PM", "America/Miquelon"},
		{"596301234", "+596596301234", "MQ", "America/Martinique"}, // Excel dropped the 0
	}
	for _, c := range cases {
		for _, region := range []string{"FR", "MQ", "RE"} {
			n, err := phone.Parse(c.raw, region)
			if err != nil {
				t.Errorf("Parse(%q, %q): %v", c.raw, region, err)
				continue
			}
			zones, _ := n.Locations("")
			if n.E164 != c.e164 || n.Region != c.region || len(zones) != 1 || !sameClock(zones[0], c.zone) {
				t.Errorf("Parse(%q, %q) = %+v, want %s %s %s", c.raw, region, n, c.e164, c.region, c.zone)
			}
		}
	}
	// A metropolitan number stays metropolitan, whatever region of the
	// plan reads it; an unassigned range of an overseas block is refused
	// in the territory's name, not read as metropolitan.
	for _, region := range []string{"FR", "GP", "MQ", "YT", "PM"} {
		if n, err := phone.Parse("05 56 12 34 56", region); err != nil || n.E164 != "+33556123456" || n.Region != "FR" {
			t.Errorf("Parse(05 56 12 34 56, %s) = %+v %v", region, n, err)
		}
	}
	if _, err := phone.Parse("05 96 12 34 56", "FR"); err == nil || !strings.Contains(err.Error(), "not a number in use in MQ") {
		t.Errorf("an unassigned Martinique range: %v", err)
	}
}

// sameClock reports whether loc keeps the clock of the zone named want,
// from 2024 to 2030 (America/St_Barthelemy is a link to another zone).
func sameClock(loc *time.Location, want string) bool {
	w, err := time.LoadLocation(want)
	if err != nil {
		return false
	}
	for at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2031; at = at.AddDate(0, 0, 15) {
		_, a := at.In(loc).Zone()
		_, b := at.In(w).Zone()
		if a != b {
			return false
		}
	}
	return true
}

// TestParseFrenchOverseasMetadata holds the overseas blocks to
// libphonenumber's metadata: every five-digit range where the metadata has
// fixed or mobile numbers of an overseas territory, written the French way,
// parses into a number of that territory (Guadeloupe, Saint-Barthélemy and
// Saint-Martin share some ranges: any of them that the metadata gives the
// number to will do).
func TestParseFrenchOverseasMetadata(t *testing.T) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, m := range coll.GetMetadata() {
		region := m.GetId()
		if !slices.Contains([]string{"GP", "BL", "MF", "GF", "MQ", "RE", "YT", "PM"}, region) {
			continue
		}
		for _, desc := range []*phonenumbers.PhoneNumberDesc{m.GetFixedLine(), m.GetMobile()} {
			re := regexp.MustCompile(`^(?:` + desc.GetNationalNumberPattern() + `)$`)
			for p := 10000; p <= 79999; p++ { // 08 numbers are the whole plan's, not a territory's
				for _, tail := range []string{"0000", "5555", "9999"} {
					nsn := fmt.Sprint(p) + tail
					if !re.MatchString(nsn) {
						continue
					}
					checked++
					n, err := phone.Parse("0"+nsn, "FR")
					if err != nil {
						t.Errorf("%s: Parse(0%s, FR): %v", region, nsn, err)
						break
					}
					num, _ := phonenumbers.Parse(n.E164, "")
					if !phonenumbers.IsValidNumberForRegion(num, region) {
						t.Errorf("%s: Parse(0%s, FR) = %+v, want a number of %s", region, nsn, n, region)
					}
					break
				}
			}
		}
	}
	// Saint-Pierre-et-Miquelon's six-digit numbers are "05 08" and the number.
	for _, nsn := range []string{"412345", "551234", "430123"} {
		if n, err := phone.Parse("0508"+nsn, "FR"); err != nil || n.Region != "PM" || n.E164 != "+508"+nsn {
			t.Errorf("Parse(0508%s, FR) = %+v %v", nsn, n, err)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d ranges checked", checked)
	}
}

// TestParseZones: libphonenumber's zone is wrong by an hour or more for
// some countries; the callee's clock is the country's own.
func TestParseZones(t *testing.T) {
	for _, c := range []struct{ raw, zone string }{
		{"+213 21 12 34 56", "Africa/Algiers"},
		{"+213 551 23 45 67", "Africa/Algiers"},
		{"+218 21 234 5678", "Africa/Tripoli"},
		{"+505 2123 4567", "America/Managua"},
		{"+211 977 123 456", "Africa/Juba"},
		{"+970 2 223 4567", "Asia/Hebron"},
		{"+212 5 20 12 34 56", "Africa/Casablanca"},
	} {
		n, err := phone.Parse(c.raw, "")
		if err != nil {
			t.Errorf("Parse(%q): %v", c.raw, err)
			continue
		}
		if len(n.Zones) == 0 || n.Zones[0] != c.zone {
			t.Errorf("Parse(%q) zones %v, want %s", c.raw, n.Zones, c.zone)
		}
	}
}

// TestParseAtMost15Digits: E.164 numbers have at most 15 digits, whatever
// libphonenumber's patterns allow.
func TestParseAtMost15Digits(t *testing.T) {
	if n, err := phone.Parse("+49 30 123456789012", ""); err == nil || !strings.Contains(err.Error(), "at most 15 digits") {
		t.Errorf("a 16-digit number: %+v %v", n, err)
	}
	if n, err := phone.Parse("+49 30 12345678901", ""); err != nil || n.E164 != "+493012345678901" {
		t.Errorf("a 15-digit number: %+v %v", n, err)
	}
}

// TestParseRangesTheMetadataLacks: ranges in service that libphonenumber's
// metadata (nyaruka/phonenumbers v1.8.1) does not know.
func TestParseRangesTheMetadataLacks(t *testing.T) {
	parses(t, []parsed{
		{"+221 33 123 45 67", "", "+221331234567", "SN", "Africa/Dakar"},
		{"33 123 45 67", "SN", "+221331234567", "SN", "Africa/Dakar"},
		{"07 31 23 45 67", "MA", "+212731234567", "MA", "Africa/Casablanca"},
		{"+212 7 31 23 45 67", "", "+212731234567", "MA", "Africa/Casablanca"},
		{"+1 472 555 1234", "", "+14725551234", "US", "America/New_York"},
		{"(472) 655-1234", "US", "+14726551234", "US", "America/New_York"},
	})
	// The overrides are ranges, not anything: beside them, unassigned
	// numbers stay refused.
	for _, raw := range []string{"+221 34 123 45 67", "+1 472 155 1234", "+212 7 41 23 45 67"} {
		if _, err := phone.Parse(raw, ""); err == nil {
			t.Errorf("Parse(%q) accepted an unassigned range", raw)
		}
	}
}

// TestParseWrittenForms: a tel: URI (RFC 3966) and the forms Excel leaves
// ('0612…, ="0612…") are read as the number they hold.
func TestParseWrittenForms(t *testing.T) {
	for _, raw := range []string{"tel:+33612345678", "TEL:+33-6-12-34-56-78", "'0612345678", "'06 12 34 56 78",
		`="0612345678"`, `="06 12 34 56 78"`, ` ="0612345678" `} {
		if n, err := phone.Parse(raw, "FR"); err != nil || n.E164 != "+33612345678" {
			t.Errorf("Parse(%q, FR) = %+v %v", raw, n, err)
		}
	}
	for _, c := range []struct{ raw, want string }{
		{"tel:", "too short"},
		{`="06123`, "unexpected"},
		{"tel:+33612345678;ext=12", "unexpected ';'"},
		{"''0612345678", "unexpected"},
	} {
		if _, err := phone.Parse(c.raw, "FR"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): %v, want an error saying %q", c.raw, err, c.want)
		}
	}
}
