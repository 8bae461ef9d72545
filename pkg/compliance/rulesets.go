package compliance

import (
	"time"
	_ "time/tzdata" // the engine must know every zone, even on a host without a zone database
)

// The rule sets, as data. Values and sources are those of COMPLIANCE.md;
// where the law is silent or unsure, the platform takes the stricter side
// and the rule set's Note says so. A new version of a rule set is a new
// entry with a later InForce date: decisions before that date keep the old.

const day = 24 * time.Hour

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// frenchDate is midnight in Paris: French laws come into force at French midnight.
func frenchDate(y int, m time.Month, d int) time.Time {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err) // time/tzdata is embedded: this cannot fail
	}
	return time.Date(y, m, d, 0, 0, 0, 0, paris)
}

func weekdays(spans ...Span) map[time.Weekday][]Span {
	return days([]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, spans...)
}

func days(ds []time.Weekday, spans ...Span) map[time.Weekday][]Span {
	m := map[time.Weekday][]Span{}
	for _, d := range ds {
		m[d] = spans
	}
	return m
}

var everyDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
var mondayToSaturday = everyDay[1:]

const (
	srcDecree      = "Décret n° 2022-1313 (Code de la consommation art. D223-9), since 1 March 2023"
	srcLoi2025     = "Loi n° 2025-594 du 30 juin 2025, in force 11 August 2026"
	srcBloctel     = "Code de la consommation art. L223-1 (Bloctel), until 10 August 2026"
	srcARCEP       = "ARCEP numbering decision (NPV ranges for prospecting), 1 January 2023"
	srcConsumerB2B = "Code de la consommation (consumer scope): B2B calls are outside the decree; platform business hours"
	srcCollection  = "Conservative platform default for amicable debt collection"
	srcTCPA        = "TCPA 47 CFR 64.1200(c)(1)"
	srcFlorida     = "Florida Telemarketing Act 2021 (Fla. Stat. 501.616)"
	srcTSR         = "FTC Telemarketing Sales Rule 16 CFR 310.4(b)(3)"
	srcTSRAbandon  = "FTC Telemarketing Sales Rule 16 CFR 310.4(b)(4)"
	srcFRAbandon   = "Conservative platform default: no statutory French abandon rate (FTC and Ofcom practice)"
	srcPECR        = "PECR regulation 21 (TPS) / 21B (CTPS)"
	srcOfcom       = "Ofcom persistent misuse policy (abandoned calls)"
	srcDefault     = "Conservative platform default"
	srcGDPR21      = "GDPR art. 21 (opposition), honoured by every center"
	srcCoverage    = "Plateau's rule sets (pkg/compliance/rulesets.go) start on the date each came into force"
)

// frenchPrefixes are France's NPV ranges for prospecting calls.
var frenchPrefixes = []string{"+33162", "+33163", "+33270", "+33271", "+33377", "+33378",
	"+33424", "+33425", "+33568", "+33569", "+33948", "+33949"}

// frDecreeHours are the decree's days and hours. Its second paragraph lets
// a consumer's express prior consent allow calls "en dehors de ces jours et
// de ces plages horaires": the days are Monday to Friday except the public
// holidays, so the consent lifts weekends, hours and the decree's holidays
// alike — and Plateau's own holiday extension with them, which only stands
// in for a holiday the callee may have where they live. The cap and the
// cooling-off after a refusal are other paragraphs: they still hold.
var frDecreeHours = Hours{Name: "FR decree days and hours", Source: srcDecree,
	Days: weekdays(At(10, 0, 13, 0), At(14, 0, 20, 0)), Holidays: true, ConsentLifts: true}
var frDecreeCap = Cap{Name: "FR: 4 attempts per rolling 30 days per client", Source: srcDecree, Max: 4, Window: 30 * day}
var frRefusal = &Cooldown{Name: "FR: 60 calendar days after a refusal", Source: srcDecree, Days: 60}
var frCallerID = &CallerIDRule{Rule: Rule{Name: "FR: caller ID from the NPV ranges", Source: srcARCEP}, Prefixes: frenchPrefixes}

// The abandon caps. The US rate is the law's; the French and British ones
// are platform defaults: France names no rate, and Ofcom withdrew its 3 %
// safe harbour in 2017 (UK abandons should be near zero), so 1 % over the
// 24 hours its former policy measured. Elsewhere, the strictest: 1 % a day.
var (
	usAbandonCap = &AbandonCap{Name: "US: at most 3% of live-answered calls abandoned, per campaign per 30 days",
		Source: srcTSRAbandon, Rate: 0.03, Window: 30 * day, PerCampaign: true}
	frAbandonCap = &AbandonCap{Name: "FR: at most 3% of live-answered calls abandoned, per campaign per 30 days (platform default)",
		Source: srcFRAbandon, Rate: 0.03, Window: 30 * day, PerCampaign: true}
	ukAbandonCap = &AbandonCap{Name: "UK: at most 1% of live-answered calls abandoned, per campaign per 24 hours (platform default)",
		Source: srcOfcom, Rate: 0.01, Window: day, PerCampaign: true}
	defaultAbandonCap = &AbandonCap{Name: "Default: at most 1% of live-answered calls abandoned, per campaign per 24 hours",
		Source: srcDefault, Rate: 0.01, Window: day, PerCampaign: true}
)

var telemarketing = []Kind{Prospecting, AppointmentSetting, Fundraising}

// floridaAreaCodes are the area codes of Florida.
var floridaAreaCodes = []string{"+1239", "+1305", "+1321", "+1324", "+1352", "+1386", "+1407", "+1448", "+1561",
	"+1645", "+1656", "+1689", "+1727", "+1728", "+1754", "+1772", "+1786", "+1813", "+1850", "+1863",
	"+1904", "+1941", "+1954"}

var usHours = Hours{Name: "US: 08:00–21:00 callee local time", Source: srcTCPA, Days: days(everyDay, At(8, 0, 21, 0))}

// RuleSets holds every rule set, every version.
var RuleSets = []*RuleSet{
	{
		ID: "FR-B2C-PROSPECTING", Version: "2023-03-01", InForce: frenchDate(2023, time.March, 1),
		Country: "FR", Audiences: []Audience{B2C}, Kinds: telemarketing,
		Note:  "Appointment setting and fundraising calls to consumers are treated as prospecting.",
		Hours: frDecreeHours, Caps: []Cap{frDecreeCap}, Refusal: frRefusal,
		National:      []ListRule{{Code: "FR-BLOCTEL", Name: "FR: Bloctel opposition list", Source: srcBloctel, MaxAge: 30 * day}},
		BannedSectors: []string{"energy_renovation"}, BannedSource: "Loi n° 2020-901 (energy renovation)",
		CallerID:   frCallerID,
		AbandonCap: frAbandonCap,
	},
	{
		ID: "FR-B2C-PROSPECTING", Version: "2026-08-11", InForce: frenchDate(2026, time.August, 11),
		Country: "FR", Audiences: []Audience{B2C}, Kinds: telemarketing,
		Note:  "Appointment setting and fundraising calls to consumers are treated as prospecting.",
		Hours: frDecreeHours, Caps: []Cap{frDecreeCap}, Refusal: frRefusal,
		Consent:         &Rule{Name: "FR: prior consent (opt-in) to prospecting calls", Source: srcLoi2025},
		ContractExempts: true,
		BannedSectors:   []string{"energy_renovation", "housing_adaptation"}, BannedSource: srcLoi2025,
		CallerID:   frCallerID,
		AbandonCap: frAbandonCap,
	},
	{
		ID: "FR-B2C-SERVICE", Version: "2023-03-01", InForce: frenchDate(2023, time.March, 1),
		Country: "FR", Audiences: []Audience{B2C}, Kinds: []Kind{CustomerCare, Survey},
		Note:  "Not prospecting; the platform applies the decree's days, hours, cap and cooling-off all the same.",
		Hours: frDecreeHours, Caps: []Cap{frDecreeCap}, Refusal: frRefusal,
		AbandonCap: frAbandonCap,
	},
	{
		ID: "FR-B2B", Version: "2023-03-01", InForce: frenchDate(2023, time.March, 1),
		Country: "FR", Audiences: []Audience{B2B}, Kinds: []Kind{Prospecting, AppointmentSetting, Fundraising, CustomerCare, Survey},
		Note: "Business hours are a platform default; public holidays are avoided.",
		Hours: Hours{Name: "FR B2B: business hours 09:00–18:00, Monday to Friday", Source: srcConsumerB2B,
			Days: weekdays(At(9, 0, 18, 0)), Holidays: true},
		AbandonCap: frAbandonCap,
	},
	{
		ID: "FR-COLLECTION", Version: "2023-03-01", InForce: frenchDate(2023, time.March, 1),
		Country: "FR", Audiences: []Audience{B2C, B2B}, Kinds: []Kind{DebtCollection},
		Note: "A conservative platform default: amicable collection is not prospecting.",
		Hours: Hours{Name: "FR collection: 08:00–20:00, Monday to Saturday, no public holidays", Source: srcCollection,
			Days: days(mondayToSaturday, At(8, 0, 20, 0)), Holidays: true},
		Caps:       []Cap{{Name: "FR collection: at most 3 attempts a day (harassment guard)", Source: srcCollection, Max: 3, PerDay: true}},
		AbandonCap: frAbandonCap,
	},
	{
		ID: "US-TELEMARKETING", Version: "2024-01-01", InForce: date(2024, time.January, 1),
		Country: "US", Audiences: []Audience{B2C}, Kinds: telemarketing,
		Hours:      usHours,
		National:   []ListRule{{Code: "US-DNC", Name: "US: National Do Not Call Registry, copy at most 31 days old", Source: srcTSR, MaxAge: 31 * day}},
		AbandonCap: usAbandonCap,
	},
	{
		ID: "US-FL-TELEMARKETING", Version: "2024-01-01", InForce: date(2024, time.January, 1),
		Country: "US", Prefixes: floridaAreaCodes, Audiences: []Audience{B2C}, Kinds: telemarketing,
		Note:       "Applied by area code: a Florida number is treated as a Florida resident.",
		Hours:      Hours{Name: "Florida: 08:00–20:00 callee local time", Source: srcFlorida, Days: days(everyDay, At(8, 0, 20, 0))},
		Caps:       []Cap{{Name: "Florida: at most 3 calls per 24 hours on the same subject", Source: srcFlorida, Max: 3, Window: day}},
		National:   []ListRule{{Code: "US-DNC", Name: "US: National Do Not Call Registry, copy at most 31 days old", Source: srcTSR, MaxAge: 31 * day}},
		AbandonCap: usAbandonCap,
	},
	{
		ID: "US-OTHER", Version: "2024-01-01", InForce: date(2024, time.January, 1),
		Country: "US", Audiences: []Audience{B2C, B2B}, Kinds: Kinds,
		Note:       "Calls outside consumer telemarketing keep the TCPA hours and the TSR's 3% abandon cap.",
		Hours:      usHours,
		AbandonCap: usAbandonCap,
	},
	{
		ID: "UK-MARKETING", Version: "2024-01-01", InForce: date(2024, time.January, 1),
		Country: "GB", Audiences: []Audience{B2C}, Kinds: telemarketing,
		Note: "UK law sets no calling hours: 09:00–20:00 Monday to Saturday, no bank holidays, is a platform default.",
		Hours: Hours{Name: "UK: 09:00–20:00, Monday to Saturday (platform default)", Source: srcDefault,
			Days: days(mondayToSaturday, At(9, 0, 20, 0)), Holidays: true},
		Abandon:    &Cooldown{Name: "UK: no redial within 72 hours of an abandoned call", Source: srcOfcom, For: 72 * time.Hour},
		National:   []ListRule{{Code: "UK-TPS", Name: "UK: Telephone Preference Service, copy at most 28 days old", Source: srcPECR, MaxAge: 28 * day}},
		AbandonCap: ukAbandonCap,
	},
	{
		ID: "UK-B2B-MARKETING", Version: "2024-01-01", InForce: date(2024, time.January, 1),
		Country: "GB", Audiences: []Audience{B2B}, Kinds: telemarketing,
		Note: "Business hours are a platform default.",
		Hours: Hours{Name: "UK B2B: 09:00–18:00, Monday to Friday (platform default)", Source: srcDefault,
			Days: weekdays(At(9, 0, 18, 0)), Holidays: true},
		Abandon:    &Cooldown{Name: "UK: no redial within 72 hours of an abandoned call", Source: srcOfcom, For: 72 * time.Hour},
		National:   []ListRule{{Code: "UK-CTPS", Name: "UK: Corporate TPS, copy at most 28 days old", Source: srcPECR, MaxAge: 28 * day}},
		AbandonCap: ukAbandonCap,
	},
	{
		ID: "UK-OTHER", Version: "2024-01-01", InForce: date(2024, time.January, 1),
		Country: "GB", Audiences: []Audience{B2C, B2B}, Kinds: Kinds,
		Note: "Hours are a platform default.",
		Hours: Hours{Name: "UK: 09:00–20:00, Monday to Saturday (platform default)", Source: srcDefault,
			Days: days(mondayToSaturday, At(9, 0, 20, 0)), Holidays: true},
		Abandon:    &Cooldown{Name: "UK: no redial within 72 hours of an abandoned call", Source: srcOfcom, For: 72 * time.Hour},
		AbandonCap: ukAbandonCap,
	},
	{
		ID: "DEFAULT", Version: "2024-01-01", InForce: date(2024, time.January, 1),
		Country: "*", Audiences: []Audience{B2C, B2B}, Kinds: Kinds,
		Note: "No rule set for this country yet: the platform's conservative default applies.",
		Hours: Hours{Name: "Default: 09:00–19:00, Monday to Friday, no public holidays", Source: srcDefault,
			Days: weekdays(At(9, 0, 19, 0)), Holidays: true},
		Caps:       []Cap{{Name: "Default: at most 3 attempts per rolling 7 days", Source: srcDefault, Max: 3, Window: 7 * day}},
		Refusal:    &Cooldown{Name: "Default: 60 calendar days after a refusal", Source: srcDefault, Days: 60},
		Abandon:    &Cooldown{Name: "Default: no redial within 72 hours of an abandoned call", Source: srcDefault, For: 72 * time.Hour},
		AbandonCap: defaultAbandonCap,
	},
}

// countryOf maps a callee's region to the country whose rules apply:
// French overseas departments follow French law (with their own zone and
// holidays).
func countryOf(region string) string {
	switch region {
	case "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF":
		return "FR"
	}
	return region
}

// Lookup returns the rule set for a callee in force at t: the latest
// version, the narrowest prefix, and the default when no country matches.
func Lookup(e164, region string, a Audience, k Kind, t time.Time) *RuleSet {
	var best *RuleSet
	bestPrefix := -1
	for _, country := range []string{countryOf(region), "*"} {
		for _, r := range RuleSets {
			if r.Country != country || !r.covers(a, k) || r.InForce.After(t) {
				continue
			}
			p := matchPrefix(r.Prefixes, e164)
			if p < 0 {
				continue
			}
			if best == nil || p > bestPrefix || (p == bestPrefix && r.InForce.After(best.InForce)) {
				best, bestPrefix = r, p
			}
		}
		if best != nil {
			return best
		}
	}
	return best
}

// Earliest is when the first rule set that can govern in's callee,
// audience and kind came into force: the engine answers nothing before.
func Earliest(in Input) time.Time {
	var first time.Time
	for _, r := range RuleSets {
		if r.covers(in.Audience, in.Kind) && (r.Country == countryOf(in.Number.Region) || r.Country == "*") &&
			matchPrefix(r.Prefixes, in.Number.E164) >= 0 && (first.IsZero() || r.InForce.Before(first)) {
			first = r.InForce
		}
	}
	return first
}

// matchPrefix returns the length of the prefix of list that e164 starts
// with, 0 for an empty list (the whole country), -1 for no match.
func matchPrefix(list []string, e164 string) int {
	if len(list) == 0 {
		return 0
	}
	longest := -1
	for _, p := range list {
		if len(e164) >= len(p) && e164[:len(p)] == p && len(p) > longest {
			longest = len(p)
		}
	}
	return longest
}

// generalRules apply to every call, whatever the rule set.
var (
	clientListRule   = Rule{Name: "The client's opt-out list", Source: srcGDPR21}
	platformListRule = Rule{Name: "The platform's do-not-call list", Source: srcDefault}
	withdrawalRule   = Rule{Name: "Consent withdrawn: an objection to this client's calls",
		Source: "GDPR art. 7(3) and 21(3): a withdrawal of consent is also an objection"}
	noZoneRule     = Rule{Name: "The callee's time zone", Source: srcDefault}
	notCoveredRule = Rule{Name: "Rules in force for the callee", Source: srcCoverage}
)
