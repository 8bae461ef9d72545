// Package compliance decides whether a number may be dialled now, and if
// not, why and when. Decide is a pure function: the callee, the campaign,
// the client's history with the callee across every center, consent,
// suppression hits and national lists go in, a Decision comes out. No I/O:
// the stores feed it. The rules are data (rulesets.go), keyed by callee
// country × audience × campaign kind, versioned, each with its legal source.
//
// It imports the standard library, pkg/phone, pkg/tenancy, pkg/apperr and
// the holiday calendars of github.com/rickar/cal; no adapter.
package compliance

import (
	"slices"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// Audience is who is called: consumers or professionals.
type Audience string

const (
	B2C Audience = "b2c"
	B2B Audience = "b2b"
)

// TermKey names the audience in the catalogs.
func (a Audience) TermKey() string { return "audience." + string(a) }

// Kind is what a campaign calls for.
type Kind string

const (
	Prospecting        Kind = "prospecting"
	AppointmentSetting Kind = "appointment_setting"
	DebtCollection     Kind = "debt_collection"
	Fundraising        Kind = "fundraising"
	CustomerCare       Kind = "customer_care"
	Survey             Kind = "survey"
)

// TermKey names the kind in the catalogs; out_of_hours, a kind of
// consent, as the consent form says it.
func (k Kind) TermKey() string {
	if k == OutOfHours {
		return "consents.out_of_hours"
	}
	return "campaign_kind." + string(k)
}

// Kinds lists every campaign kind.
var Kinds = []Kind{Prospecting, AppointmentSetting, DebtCollection, Fundraising, CustomerCare, Survey}

// OutOfHours is a kind of consent, not of campaign: the consumer's express
// prior consent to calls outside the decree's days and hours (Code de la
// consommation art. D223-9, second paragraph). It is never implied: a
// consent to every kind of call is not one to out-of-hours calls.
const OutOfHours Kind = "out_of_hours"

// ConsentKinds lists what a consent may cover: the campaign kinds, and
// calls outside the decree's days and hours.
var ConsentKinds = append(Kinds[:len(Kinds):len(Kinds)], OutOfHours)

// ParseAudience checks an audience name; the error is an Invalid
// *apperr.Error, for a field.
func ParseAudience(s string) (Audience, error) {
	switch a := Audience(s); a {
	case B2C, B2B:
		return a, nil
	}
	return "", apperr.New(apperr.Invalid, "compliance.audience.unknown", "audience must be b2c or b2b (got %q)", s)
}

// ParseKind checks a campaign kind name; the error is an Invalid
// *apperr.Error, for a field.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", apperr.New(apperr.Invalid, "compliance.kind.unknown", "kind must be one of prospecting, appointment_setting, debt_collection, fundraising, customer_care, survey (got %q)", s)
}

// ParseConsentKind checks a kind a consent covers: a campaign kind, or
// out_of_hours.
func ParseConsentKind(s string) (Kind, error) {
	if Kind(s) == OutOfHours {
		return OutOfHours, nil
	}
	if k, err := ParseKind(s); err == nil {
		return k, nil
	}
	return "", apperr.New(apperr.Invalid, "compliance.consent_kind.unknown", "kind must be one of prospecting, appointment_setting, debt_collection, fundraising, customer_care, survey, or out_of_hours for calls outside the legal days and hours (got %q)", s)
}

// Outcome of a past attempt, as far as the rules care.
const (
	ResultAnswered  = "answered"
	ResultAbandoned = "abandoned" // answered by the callee, no agent came
)

// Attempt is one past dial of the callee for this client, by any center.
type Attempt struct {
	At     time.Time `json:"at"`
	Result string    `json:"result"`
}

// Consent is a callee's consent to be called by the client.
type Consent struct {
	CapturedAt  time.Time  `json:"captured_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	Kinds       []Kind     `json:"kinds,omitempty"` // empty: every kind
}

// Covers reports whether the consent allows a call of kind at t: it was
// given and not yet withdrawn, and lists the kind, or lists no campaign
// kind at all (every kind). OutOfHours never goes without saying: only a
// consent that lists it covers it.
func (c Consent) Covers(kind Kind, t time.Time) bool {
	if c.CapturedAt.After(t) || (c.WithdrawnAt != nil && !c.WithdrawnAt.After(t)) {
		return false
	}
	if kind == OutOfHours || slices.Contains(c.Kinds, kind) {
		return slices.Contains(c.Kinds, kind)
	}
	return !slices.ContainsFunc(c.Kinds, func(k Kind) bool { return k != OutOfHours })
}

// AllowsOutOfHours reports whether the consent allows a call of kind at t
// outside the decree's days and hours: it covers the call, and lists
// OutOfHours.
func (c Consent) AllowsOutOfHours(kind Kind, t time.Time) bool {
	return c.Covers(kind, t) && c.Covers(OutOfHours, t)
}

// ListKind says whose suppression list a hit is on.
type ListKind string

const (
	ClientList   ListKind = "client"   // the client's own opt-outs ("do not call me")
	PlatformList ListKind = "platform" // numbers no client may call through Plateau
)

// NationalCheck is what a national do-not-call list says of the callee:
// whether the number is on it, and how fresh the copy consulted is.
type NationalCheck struct {
	Listed  bool      `json:"listed"`
	FreshAt time.Time `json:"fresh_at"` // the date of the copy
}

// Input is everything a decision depends on.
type Input struct {
	Number             phone.Number             // the callee, parsed
	LeadZone           string                   // the lead's explicit IANA zone, which wins over the number's
	Audience           Audience                 // of the campaign
	Kind               Kind                     // of the campaign
	Sector             string                   // the client's sector, for banned sectors
	ContractInProgress bool                     // the call is about a contract in progress with the callee
	Attempts           []Attempt                // with this client, across every center
	Refusals           []time.Time              // times the callee refused this client's offer
	Consents           []Consent                // the callee's consent records for this client
	Suppressions       []ListKind               // the client and platform lists the number is on
	National           map[string]NationalCheck // by list code ("US-DNC"); absent: the list is not loaded
	CallerID           string                   // the number presented to the callee, E.164
}

// Text is a sentence in each language of the platform.
type Text struct {
	FR string `json:"fr"`
	EN string `json:"en"`
}

// Decision is the engine's answer.
type Decision struct {
	Allowed       bool       `json:"allowed"`
	Reason        Reason     `json:"reason"`
	Explanation   Text       `json:"explanation"`
	Rule          string     `json:"rule"`
	Source        string     `json:"source"`
	RuleSet       string     `json:"rule_set"` // ID@version of the rule set applied
	NextAllowedAt *time.Time `json:"next_allowed_at"`
	CalleeRegion  string     `json:"callee_region"`
	CalleeZones   []string   `json:"callee_zones"`
}
