// Package phone parses callee numbers into E.164 and tells where a callee
// is: the region of the number and the time zones it may ring in. It wraps
// libphonenumber (github.com/nyaruka/phonenumbers) with the corrections the
// calling rules need: Moroccan numbers ring in Africa/Casablanca (not
// Atlantic/Canary), and French overseas numbers written the French way
// ("06 96 …") belong to their department, with its own zone and holidays.
//
// It imports the standard library and phonenumbers only.
package phone

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Number is a parsed, valid phone number.
type Number struct {
	E164   string   `json:"e164"`   // "+33612345678"
	Region string   `json:"region"` // ISO 3166-1 alpha-2 of the number: FR, MQ, US…
	Mobile bool     `json:"mobile"` // mobile, or fixed-line-or-mobile
	Zones  []string `json:"zones"`  // IANA zones the number may ring in, most likely first
}

// frenchPlan lists the regions that share France's national dialing plan:
// a number written "0696 12 34 56" is Martinique's, not metropolitan.
var frenchPlan = []string{"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"}

// zoneOverrides corrects libphonenumber's zone for a region.
var zoneOverrides = map[string]string{
	"MA": "Africa/Casablanca", // libphonenumber says Atlantic/Canary
	"EH": "Africa/El_Aaiun",
}

// Parse reads a number written in international format, or in the national
// format of defaultRegion, and checks it is a possible and valid number.
// Errors say what is wrong, for a person to fix.
func Parse(raw, defaultRegion string) (Number, error) {
	trimmed := strings.TrimSpace(raw)
	if trimmed == "" {
		return Number{}, fmt.Errorf("the phone number is empty")
	}
	if len(trimmed) > 40 {
		return Number{}, fmt.Errorf("%q is too long to be a phone number", trimmed[:40]+"…")
	}
	digits := 0
	for _, r := range trimmed {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune("+()-./ \u00a0", r):
		default:
			return Number{}, fmt.Errorf("%q is not a phone number: unexpected %q", trimmed, r)
		}
	}
	if digits < 6 {
		return Number{}, fmt.Errorf("%q is too short to be a phone number", trimmed)
	}
	defaultRegion = strings.ToUpper(strings.TrimSpace(defaultRegion))
	if !strings.HasPrefix(trimmed, "+") &&
		!phonenumbers.GetSupportedRegions()[defaultRegion] {
		return Number{}, fmt.Errorf("%q has no country code and %q is not a known country to read it in", trimmed, defaultRegion)
	}
	n, err := phonenumbers.Parse(trimmed, defaultRegion)
	if err != nil {
		return Number{}, fmt.Errorf("%q is not a phone number: %v", trimmed, err)
	}
	if !phonenumbers.IsValidNumber(n) && slices.Contains(frenchPlan, defaultRegion) && !strings.HasPrefix(trimmed, "+") {
		for _, region := range frenchPlan {
			if m, err := phonenumbers.Parse(trimmed, region); err == nil && phonenumbers.IsValidNumber(m) {
				n = m
				break
			}
		}
	}
	if !phonenumbers.IsPossibleNumber(n) {
		return Number{}, fmt.Errorf("%q cannot be a phone number: wrong length for %s", trimmed, regionName(n))
	}
	if !phonenumbers.IsValidNumber(n) {
		return Number{}, fmt.Errorf("%q is not a number in use in %s (no such range)", trimmed, regionName(n))
	}
	region := phonenumbers.GetRegionCodeForNumber(n)
	kind := phonenumbers.GetNumberType(n)
	out := Number{
		E164:   phonenumbers.Format(n, phonenumbers.E164),
		Region: region,
		Mobile: kind == phonenumbers.MOBILE || kind == phonenumbers.FIXED_LINE_OR_MOBILE,
	}
	if z, ok := zoneOverrides[region]; ok {
		out.Zones = []string{z}
	} else if zones, err := phonenumbers.GetTimezonesForNumber(n); err == nil {
		out.Zones = knownZones(zones)
	}
	return out, nil
}

func regionName(n *phonenumbers.PhoneNumber) string {
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "" {
		return r
	}
	return fmt.Sprintf("country code +%d", n.GetCountryCode())
}

// knownZones keeps the zones this binary can load, dropping libphonenumber's
// "Etc/Unknown".
func knownZones(zones []string) []string {
	out := make([]string, 0, len(zones))
	for _, z := range zones {
		if _, err := time.LoadLocation(z); err == nil && z != "Etc/Unknown" {
			out = append(out, z)
		}
	}
	return out
}

// Locations returns where the callee may be: the explicit zone of a lead
// when given, else the number's zones.
func (n Number) Locations(explicit string) ([]*time.Location, error) {
	names := n.Zones
	if explicit != "" {
		names = []string{explicit}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no time zone is known for %s; give the lead's time zone", n.E164)
	}
	out := make([]*time.Location, 0, len(names))
	for _, name := range names {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, fmt.Errorf("unknown time zone %q (use an IANA name such as Europe/Paris)", name)
		}
		out = append(out, loc)
	}
	return out, nil
}

// Mask hides the middle of a number for agents: +33 6 •• •• •• 78.
func Mask(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return "•••"
	}
	formatted := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
	cc := fmt.Sprintf("+%d ", n.GetCountryCode())
	rest := []rune(strings.TrimPrefix(formatted, cc))
	digitsSeen, total := 0, 0
	for _, r := range rest {
		if unicode.IsDigit(r) {
			total++
		}
	}
	for i, r := range rest {
		if !unicode.IsDigit(r) {
			continue
		}
		digitsSeen++
		if digitsSeen > 1 && digitsSeen <= total-2 {
			rest[i] = '•'
		}
	}
	return cc + string(rest)
}
