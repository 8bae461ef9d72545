// Package phone parses callee numbers into E.164 and tells where a callee
// is: the region of the number and the time zones it may ring in. It wraps
// libphonenumber (github.com/nyaruka/phonenumbers) with the corrections the
// calling rules need: numbers of the French plan belong to their territory
// by their first digits ("05 96 …" is Martinique's, with its own zone and
// holidays), a few countries get their own clock back (Morocco in
// Africa/Casablanca, not Atlantic/Canary; Algeria in Africa/Algiers, not
// Europe/Paris…), ranges in service the metadata lacks are added, and a
// number has 8 to 15 digits (E.164; pkg/numberset keys no other).
//
// It imports the standard library, phonenumbers and pkg/apperr only.
package phone

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"

	"github.com/plateau-bpo/plateau/pkg/apperr"
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

// overseas are the blocks of the French plan that belong to an overseas
// territory, by the first digits of the national significant number: a
// number in one is the territory's, whether written "05 96 …", "+33 5 96 …"
// or "596…", and libphonenumber — whose pattern for metropolitan France
// takes in 0263, 0268, 0269, 0508, 0596 and 0598 — is asked about it with
// the territory's country code only. The blocks are ARCEP's national plan
// (fixed 0262/0263 RE, 0269 YT, 0508 PM, 0590 GP/BL/MF, 0594 GF, 0596 MQ;
// mobile 0639 YT, 0690/0691 GP/BL/MF, 0692/0693 RE, 0694 GF, 0696/0697 MQ)
// and the newer ranges of libphonenumber's metadata for the territories
// (fixed 02688 RE, 02689 YT, 05987 GP/BL/MF, 05988 GF, 05989 MQ; mobile
// 0708 PM, 07090 GP/BL/MF, 07091 MQ, 07092 RE, 07093 GF or YT). 0700 is
// ARCEP's block of 14-digit machine-to-machine numbers, no one's to call.
// The 08 and 09 numbers are the whole plan's: they stay French.
var overseas = []struct {
	prefix string
	codes  []int32 // the country codes to try, in order
	name   string  // in messages, when the number is in no range of them
}{
	{"262", []int32{262}, "RE"}, {"263", []int32{262}, "RE"}, {"2688", []int32{262}, "RE"},
	{"2689", []int32{262}, "YT"}, {"269", []int32{262}, "YT"},
	{"508", []int32{508}, "PM"},
	{"590", []int32{590}, "GP"}, {"5987", []int32{590}, "GP"},
	{"594", []int32{594}, "GF"}, {"5988", []int32{594}, "GF"},
	{"596", []int32{596}, "MQ"}, {"5989", []int32{596}, "MQ"},
	{"639", []int32{262}, "YT"},
	{"690", []int32{590}, "GP"}, {"691", []int32{590}, "GP"},
	{"692", []int32{262}, "RE"}, {"693", []int32{262}, "RE"},
	{"694", []int32{594}, "GF"},
	{"696", []int32{596}, "MQ"}, {"697", []int32{596}, "MQ"},
	{"708", []int32{508}, "PM"},
	{"7090", []int32{590}, "GP"}, {"7091", []int32{596}, "MQ"}, {"7092", []int32{262}, "RE"},
	{"7093", []int32{594, 262}, "GF"},
}

// pmFixed is Saint-Pierre-et-Miquelon's block: "05 08 41 23 45" is
// +508 41 23 45, its six-digit number behind the block.
const pmFixed = "508"

// zoneOverrides corrects libphonenumber's zone for a region whose clock it
// gets wrong (checked against the tz database's zone.tab, 2025–2030).
var zoneOverrides = map[string][]string{
	"MA": {"Africa/Casablanca"}, // libphonenumber says Atlantic/Canary
	"EH": {"Africa/El_Aaiun"},
	"DZ": {"Africa/Algiers"},           // Europe/Paris: an hour off in summer
	"LY": {"Africa/Tripoli"},           // Europe/Bucharest: an hour off in summer
	"NI": {"America/Managua"},          // America/Chicago: an hour off in summer
	"SS": {"Africa/Juba"},              // Africa/Nairobi: an hour off since 2021
	"PS": {"Asia/Hebron", "Asia/Gaza"}, // Europe/Bucharest: other summer-time dates
}

// rangeOverrides are ranges in service that libphonenumber's metadata
// (nyaruka/phonenumbers v1.8.1) lacks: a number of one is valid, of its
// region, type and zone.
var rangeOverrides = []struct {
	code    int32
	pattern *regexp.Regexp // the whole national significant number
	region  string
	mobile  bool
	zone    string
}{
	{221, regexp.MustCompile(`^33\d{7}$`), "SN", false, "Africa/Dakar"},        // Sonatel fixed lines, 33 …
	{212, regexp.MustCompile(`^73\d{7}$`), "MA", true, "Africa/Casablanca"},    // mobiles 07 3…
	{1, regexp.MustCompile(`^472[2-9]\d{6}$`), "US", true, "America/New_York"}, // North Carolina, overlay of 910
}

// maxDigits is E.164's limit: country code and number, 15 digits at most.
// minDigits is the platform's (pkg/numberset keys numbers of 8 to 15
// digits): the few countries of seven-digit numbers (Saint Helena, Niue,
// Tokelau) are out of reach.
const maxDigits, minDigits = 15, 8

// Unwrap takes a number out of the forms it is found in: a tel: URI
// (RFC 3966: "tel:+33-6-12-34-56-78") and the ones Excel leaves to keep a
// number as text ("'0612345678", ="0612345678"). s is trimmed; anything
// else comes back as it is.
func Unwrap(s string) string {
	switch {
	case len(s) >= 3 && strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`):
		return strings.TrimSpace(s[2 : len(s)-1])
	case strings.HasPrefix(s, "'"):
		return strings.TrimSpace(s[1:])
	case len(s) >= 4 && strings.EqualFold(s[:4], "tel:"):
		return strings.TrimSpace(s[4:])
	}
	return s
}

// Parse reads a number written in international format, or in the national
// format of defaultRegion, and checks it is a possible and valid number.
// Errors say what is wrong, for a person to fix, quoting what was written:
// each is an Invalid *apperr.Error whose code ("phone.too_short"…) and
// parameters say it in the reader's language, the number as written (its
// spaces trimmed) first among them but for phone.empty and phone.too_long.
func Parse(raw, defaultRegion string) (Number, error) {
	trimmed := strings.TrimSpace(raw)
	if trimmed == "" {
		return Number{}, apperr.New(apperr.Invalid, "phone.empty", "the phone number is empty")
	}
	if len(trimmed) > 40 {
		return Number{}, apperr.New(apperr.Invalid, "phone.too_long", "%q is too long to be a phone number", trimmed[:40]+"…")
	}
	number := Unwrap(trimmed)
	digits := 0
	for _, r := range number {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune("+()-./ \u00a0", r):
		default:
			return Number{}, apperr.New(apperr.Invalid, "phone.unexpected", "%q is not a phone number: unexpected %q", trimmed, r)
		}
	}
	if digits < 6 {
		return Number{}, apperr.New(apperr.Invalid, "phone.too_short", "%q is too short to be a phone number", trimmed)
	}
	defaultRegion = strings.ToUpper(strings.TrimSpace(defaultRegion))
	if !strings.HasPrefix(number, "+") &&
		!phonenumbers.GetSupportedRegions()[defaultRegion] {
		return Number{}, apperr.New(apperr.Invalid, "phone.no_country", "%q has no country code and %q is not a known country to read it in", trimmed, defaultRegion)
	}
	n, err := phonenumbers.ParseAndKeepRawInput(number, defaultRegion)
	if err != nil {
		return Number{}, unreadable(trimmed, err)
	}
	national := n.GetCountryCodeSource() == phonenumbers.PhoneNumber_FROM_DEFAULT_COUNTRY
	// What the raw input was kept for is read: forget it, for it changes
	// how libphonenumber formats some numbers.
	n.RawInput, n.CountryCodeSource, n.PreferredDomesticCarrierCode = nil, nil, nil
	where := ""
	if n.GetCountryCode() == 33 || national && slices.Contains(frenchPlan, defaultRegion) {
		n, where = frenchTerritory(n)
	}
	if where == "" {
		where = phonenumbers.GetRegionCodeForNumber(n)
	}
	if !phonenumbers.IsPossibleNumber(n) {
		if where == "" {
			return Number{}, apperr.New(apperr.Invalid, "phone.wrong_length_code", "%q cannot be a phone number: wrong length for country code +%d", trimmed, n.GetCountryCode())
		}
		return Number{}, apperr.New(apperr.Invalid, "phone.wrong_length", "%q cannot be a phone number: wrong length for %s", trimmed, where)
	}
	out := Number{E164: phonenumbers.Format(n, phonenumbers.E164)}
	switch d := len(out.E164) - 1; {
	case d > maxDigits:
		return Number{}, apperr.New(apperr.Invalid, "phone.too_many_digits", "%q has %d digits: an international number has at most 15 digits (E.164)", trimmed, d)
	case d < minDigits:
		return Number{}, apperr.New(apperr.Invalid, "phone.too_few_digits", "%q has %d digits: Plateau calls international numbers of 8 to 15 digits", trimmed, d)
	}
	if phonenumbers.IsValidNumber(n) {
		out.Region = phonenumbers.GetRegionCodeForNumber(n)
		kind := phonenumbers.GetNumberType(n)
		out.Mobile = kind == phonenumbers.MOBILE || kind == phonenumbers.FIXED_LINE_OR_MOBILE
		if z, ok := zoneOverrides[out.Region]; ok {
			out.Zones = slices.Clone(z)
		} else if zones, err := phonenumbers.GetTimezonesForNumber(n); err == nil {
			out.Zones = knownZones(zones)
		}
		return out, nil
	}
	nsn := phonenumbers.GetNationalSignificantNumber(n)
	for _, o := range rangeOverrides {
		if o.code == n.GetCountryCode() && o.pattern.MatchString(nsn) {
			out.Region, out.Mobile, out.Zones = o.region, o.mobile, []string{o.zone}
			return out, nil
		}
	}
	if where == "" {
		return Number{}, apperr.New(apperr.Invalid, "phone.no_such_range_code", "%q is not a number in use in country code +%d (no such range)", trimmed, n.GetCountryCode())
	}
	return Number{}, apperr.New(apperr.Invalid, "phone.no_such_range", "%q is not a number in use in %s (no such range)", trimmed, where)
}

// unreadable is what libphonenumber's refusal of trimmed says.
func unreadable(trimmed string, err error) error {
	switch err {
	case phonenumbers.ErrInvalidCountryCode:
		return apperr.Wrap(err, apperr.Invalid, "phone.invalid_country_code", "%q is not a phone number: invalid country code", trimmed)
	case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD:
		return apperr.Wrap(err, apperr.Invalid, "phone.too_short", "%q is too short to be a phone number", trimmed)
	case phonenumbers.ErrNumTooLong:
		return apperr.Wrap(err, apperr.Invalid, "phone.too_long", "%q is too long to be a phone number", trimmed)
	}
	return apperr.Wrap(err, apperr.Invalid, "phone.not_a_number", "%q is not a phone number", trimmed)
}

// frenchTerritory reads a number of the French plan, n as libphonenumber
// took it, in the territory its first digits give (see overseas), and
// names the territory for messages; a metropolitan number is +33. Numbers
// of another length than the plan's nine digits are left as they are.
func frenchTerritory(n *phonenumbers.PhoneNumber) (*phonenumbers.PhoneNumber, string) {
	nsn := phonenumbers.GetNationalSignificantNumber(n)
	if len(nsn) != 9 || nsn[0] == '0' {
		return n, ""
	}
	best := -1
	for i, o := range overseas {
		if strings.HasPrefix(nsn, o.prefix) && (best < 0 || len(o.prefix) > len(overseas[best].prefix)) {
			best = i
		}
	}
	if best < 0 {
		return number(33, nsn), ""
	}
	o := overseas[best]
	national := nsn
	if o.prefix == pmFixed {
		national = nsn[len(pmFixed):]
	}
	for _, code := range o.codes {
		if m := number(code, national); phonenumbers.IsValidNumber(m) {
			return m, ""
		}
	}
	return number(o.codes[0], national), o.name
}

func number(code int32, nsn string) *phonenumbers.PhoneNumber {
	v, _ := strconv.ParseUint(nsn, 10, 64) // nsn is digits, at most 17 of them
	return &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &v}
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
		return nil, apperr.New(apperr.Invalid, "phone.no_zone", "no time zone is known for %s; give the lead's time zone", n.E164)
	}
	out := make([]*time.Location, 0, len(names))
	for _, name := range names {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "phone.unknown_zone", "unknown time zone %q (use an IANA name such as Europe/Paris)", name)
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
