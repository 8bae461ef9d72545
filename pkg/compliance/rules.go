package compliance

import "time"

// Reason is why a call is allowed or blocked.
type Reason string

const (
	Allowed Reason = "allowed"

	// Blocks that last until something changes (consent given, list
	// refreshed…): they carry no next allowed time.
	NoConsent          Reason = "no_consent"
	ConsentWithdrawn   Reason = "consent_withdrawn" // an objection: see lasting
	SuppressedClient   Reason = "suppressed_client"
	SuppressedPlatform Reason = "suppressed_platform"
	NationalList       Reason = "national_list"
	ListStale          Reason = "national_list_stale"
	ListMissing        Reason = "national_list_missing"
	BannedSector       Reason = "banned_sector"
	CallerIDMissing    Reason = "caller_id_missing"
	CallerIDNotAllow   Reason = "caller_id_not_allowed"
	NoZone             Reason = "unknown_time_zone"
	NotCovered         Reason = "not_covered" // a time before any rule set for the callee is in force

	// Blocks that pass with time: they carry the next allowed time.
	DayNotAllowed   Reason = "day_not_allowed"
	Holiday         Reason = "holiday"
	OutsideHours    Reason = "outside_hours"
	AttemptCap      Reason = "attempt_cap"
	RefusalCooldown Reason = "refusal_cooldown"
	AbandonCooldown Reason = "abandon_cooldown"
	NoWindowSoon    Reason = "no_window_soon"
)

// Reasons lists every reason, the call allowed first.
var Reasons = []Reason{Allowed, NoConsent, ConsentWithdrawn, SuppressedClient, SuppressedPlatform, NationalList, ListStale,
	ListMissing, BannedSector, CallerIDMissing, CallerIDNotAllow, NoZone, NotCovered, DayNotAllowed, Holiday, OutsideHours,
	AttemptCap, RefusalCooldown, AbandonCooldown, NoWindowSoon}

// TermKey names the reason in the catalogs.
func (r Reason) TermKey() string { return "reason." + string(r) }

// OfTheCaller reports whether a block is about the number the dialer
// presents, not about the callee: the dialer's setting to fix, which no
// lead may pay for.
func (r Reason) OfTheCaller() bool { return r == CallerIDMissing || r == CallerIDNotAllow }

// Span is a period of a day, in minutes after local midnight, end excluded.
type Span struct{ From, To int }

// At builds a span from hours and minutes: At(10, 0, 13, 0) is 10:00–13:00.
func At(fromH, fromM, toH, toM int) Span { return Span{fromH*60 + fromM, toH*60 + toM} }

// Hours is when calls may ring, in the callee's local time.
type Hours struct {
	Name     string
	Source   string
	Days     map[time.Weekday][]Span // a weekday absent is not allowed
	Holidays bool                    // no calls on the callee region's public holidays
	// ConsentLifts: the callee's express prior consent to out-of-hours
	// calls (a consent listing OutOfHours) lifts these days, hours and
	// holidays — the decree's second paragraph. Nothing else is lifted.
	ConsentLifts bool
}

// Cap limits attempts per callee and client.
type Cap struct {
	Name   string
	Source string
	Max    int
	Window time.Duration // rolling window; 0 with PerDay
	PerDay bool          // per calendar day in the callee's time
}

// Cooldown keeps a callee from being called for a while after an event:
// a duration from its instant (For), or whole calendar days in the
// callee's zone counted from the day after it (Days: the event's day does
// not count, and the call may be made from the first open hour of day
// Days+1 — the decree's « jours calendaires révolus »).
type Cooldown struct {
	Name   string
	Source string
	For    time.Duration
	Days   int
}

// ListRule makes a national list govern the calls of a rule set: a listed
// number is blocked, and so is every call when the copy is older than MaxAge
// or not loaded at all.
type ListRule struct {
	Code   string // "US-DNC", "UK-TPS", "UK-CTPS", "FR-BLOCTEL"
	Name   string
	Source string
	MaxAge time.Duration
}

// AbandonCap limits the calls a person answered and no agent took within
// dialing.AbandonDelay, as a fraction of the live-answered calls (answered
// plus abandoned) over a rolling window. The pacing controller keeps a
// campaign under it.
type AbandonCap struct {
	Name        string
	Source      string
	Rate        float64       // 0.03: at most 3 abandons per 100 live-answered calls
	Window      time.Duration // the rolling window the rate is measured over
	PerCampaign bool          // measured per campaign (else over every campaign of the client)
}

// CampaignAbandonCap is the cap a campaign runs under: the rule set's, or
// the campaign's own rate when the client asked for a lower one (campaign
// nil or not lower: the rule set's). A campaign never loosens the rule.
func CampaignAbandonCap(rule AbandonCap, campaign *float64) AbandonCap {
	if campaign != nil && *campaign >= 0 && *campaign < rule.Rate {
		rule.Rate = *campaign
	}
	return rule
}

// Rule is a requirement that is met or not, with its source.
type Rule struct {
	Name   string
	Source string
}

// CallerIDRule restricts the numbers that may be presented.
type CallerIDRule struct {
	Rule
	Prefixes []string // E.164 prefixes allowed; empty: any valid number
}

// RuleSet is the law (or the platform's conservative default) for one
// callee country × audience × kinds, from a date.
type RuleSet struct {
	ID        string
	Version   string    // the date it is in force from, as written
	InForce   time.Time // from
	Country   string    // ISO country whose callees it governs ("*" for the default)
	Prefixes  []string  // E.164 prefixes it narrows to (Florida's area codes); empty: the whole country
	Audiences []Audience
	Kinds     []Kind
	Note      string // where a value is a platform default rather than the law

	Hours           Hours
	Consent         *Rule // consent required (a contract in progress is the exception)
	Caps            []Cap
	Refusal         *Cooldown
	Abandon         *Cooldown
	National        []ListRule
	BannedSectors   []string
	BannedSource    string
	CallerID        *CallerIDRule
	ContractExempts bool // a contract in progress waives the consent rule
	// AbandonCap bounds a predictive campaign's abandoned calls. Every
	// rule set has one: where the law names no rate, a platform default.
	AbandonCap *AbandonCap
}

// Name is ID@Version, recorded on every decision.
func (r *RuleSet) Name() string { return r.ID + "@" + r.Version }

func (r *RuleSet) covers(a Audience, k Kind) bool {
	return contains(r.Audiences, a) && contains(r.Kinds, k)
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// CountryAbandonCap is the abandon cap of the rule set that governs a
// campaign calling country's audience for kind at t: the cap the campaign's
// pacer keeps under (with CampaignAbandonCap for a stricter campaign).
// A country without a rule set of its own takes the default's.
func CountryAbandonCap(country string, a Audience, k Kind, t time.Time) AbandonCap {
	if r := Lookup("", country, a, k, t); r != nil && r.AbandonCap != nil {
		return *r.AbandonCap
	}
	return *defaultAbandonCap
}
