package lead

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// Problems of a row that only the campaign reveals, beside leadfile's.
const (
	ProblemInCampaign  leadfile.ProblemCode = "in_campaign"  // the number is already a lead of the campaign
	ProblemConsentDate leadfile.ProblemCode = "consent_date" // the consent date cannot be read
	ProblemTimezone    leadfile.ProblemCode = "timezone"     // the time zone is not an IANA zone
)

// ProblemCodes lists the problems only the campaign reveals.
var ProblemCodes = []leadfile.ProblemCode{ProblemInCampaign, ProblemConsentDate, ProblemTimezone}

// Campaign is what screening needs of the campaign the leads enter.
type Campaign struct {
	ID       uuid.UUID
	OrgID    uuid.UUID
	Country  string // the default region of numbers
	Audience compliance.Audience
	Kind     compliance.Kind
}

// Facts are what the platform knows of the numbers entering a campaign,
// keyed by numberset.Key: the client's and the platform's opt-out lists,
// the client's consent registry, and the numbers already in the campaign.
// The store loads them for a whole file at once, or for one batch.
type Facts struct {
	ClientList   map[uint64]struct{}
	PlatformList map[uint64]struct{}
	Consents     map[uint64][]compliance.Consent
	InCampaign   map[uint64]struct{}
}

// Screener admits leads into one campaign.
type Screener struct {
	Campaign Campaign
	Facts    Facts
	// National says what the national lists held say of a number
	// (nationallist.Registry.Check); nil when none is held.
	National func(e164 string) map[string]compliance.NationalCheck
	Now      time.Time
	// zones caches time.LoadLocation's answers, which are slow.
	zones map[string]bool
}

// Admit makes the row's lead a lead of the campaign, ready or blocked, or
// returns the problem that keeps it out: already in the campaign (or
// earlier in the same import), an unreadable consent date, an unknown
// time zone. A number admitted is remembered, so the next one is a
// duplicate.
func (s *Screener) Admit(raw leadfile.Lead, p leadfile.Phone, line int) (Lead, *leadfile.Problem) {
	problem := func(code leadfile.ProblemCode, column, value string, what apperr.FieldError) *leadfile.Problem {
		p := leadfile.NewProblem(line, column, value, code, what)
		return &p
	}
	if _, in := s.Facts.InCampaign[p.Key]; in {
		return Lead{}, problem(ProblemInCampaign, "phone", raw.Phone, apperr.Field("", "lead.phone.in_campaign", "%s is already a lead of this campaign", p.E164))
	}
	l := Lead{OrgID: s.Campaign.OrgID, CampaignID: s.Campaign.ID, Phone: p.E164, Region: p.Region,
		FirstName: raw.FirstName, LastName: raw.LastName, Company: raw.Company, Email: raw.Email,
		PostalCode: raw.PostalCode, City: raw.City, Country: raw.Country, Timezone: raw.Timezone,
		Custom: raw.Custom, Line: line, CreatedAt: s.Now, UpdatedAt: s.Now}
	if l.Timezone != "" && !s.knownZone(l.Timezone) {
		return Lead{}, problem(ProblemTimezone, "timezone", l.Timezone,
			apperr.Field("", "lead.timezone.unknown", "%q is not a time zone: use an IANA name such as Europe/Paris, or leave it empty", l.Timezone))
	}
	if raw.ConsentSource != "" || raw.ConsentCapturedAt != "" || raw.ConsentProof != "" {
		at, err := ParseConsentDate(raw.ConsentCapturedAt)
		if err != nil {
			p := leadfile.ProblemOf(line, "consent_captured_at", raw.ConsentCapturedAt, ProblemConsentDate, err)
			return Lead{}, &p
		}
		if at.After(s.Now) {
			return Lead{}, problem(ProblemConsentDate, "consent_captured_at", raw.ConsentCapturedAt,
				apperr.Field("", "lead.consent_date.future", "the consent date %s is in the future", at.Format(time.DateOnly)))
		}
		l.Consent = &Consent{Source: raw.ConsentSource, CapturedAt: at, Proof: raw.ConsentProof}
	}
	s.screen(&l, p.Key)
	if s.Facts.InCampaign == nil {
		s.Facts.InCampaign = map[uint64]struct{}{}
	}
	s.Facts.InCampaign[p.Key] = struct{}{}
	return l, nil
}

// Rescreen screens a lead of the campaign again with the facts as they
// stand now — a consent recorded since, an opt-out lifted or added, a
// national list reloaded — and reports whether its status or its block
// changed. Only a lead that no call touched yet (new, ready or blocked)
// is screened again: the others are the dialler's to decide.
func (s *Screener) Rescreen(l Lead, key uint64) (Lead, bool) {
	if !l.Status.Untouched() {
		return l, false
	}
	was := l
	s.screen(&l, key)
	changed := l.Status != was.Status
	switch {
	case changed:
	case l.Block == nil || was.Block == nil:
	default: // blocked still: changed when for another rule
		changed = l.Block.Reason != was.Block.Reason || l.Block.Rule != was.Block.Rule
	}
	if !changed {
		return was, false
	}
	l.UpdatedAt = s.Now
	return l, true
}

// screen sets the lead's status, ready or blocked with why, from the
// engine's import-time Screen of the lead's Input, the opt-out lists and
// the national lists.
func (s *Screener) screen(l *Lead, key uint64) {
	in := l.Input(s.Campaign, s.Facts.Consents[key])
	if _, on := s.Facts.ClientList[key]; on {
		in.Suppressions = append(in.Suppressions, compliance.ClientList)
	}
	if _, on := s.Facts.PlatformList[key]; on {
		in.Suppressions = append(in.Suppressions, compliance.PlatformList)
	}
	if s.National != nil {
		in.National = s.National(l.Phone)
	}
	if d := compliance.Screen(in, s.Now); d.Allowed {
		l.Status, l.Block = Ready, nil
	} else {
		l.Status = Blocked
		l.Block = &Block{Reason: d.Reason, Rule: d.Rule, Source: d.Source, RuleSet: d.RuleSet, Explanation: d.Explanation, CheckedAt: s.Now}
	}
}

func (s *Screener) knownZone(name string) bool {
	ok, seen := s.zones[name]
	if !seen {
		_, err := time.LoadLocation(name)
		ok = err == nil && name != "Local"
		if s.zones == nil {
			s.zones = map[string]bool{}
		}
		s.zones[name] = ok
	}
	return ok
}

// consentLayouts are the ways a consent date is written in files and by
// client systems, day before month as in France.
var consentLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
	"02/01/2006 15:04:05", "02/01/2006 15:04", "02/01/2006", "2/1/2006"}

// ParseConsentDate reads when consent was given, in UTC when no zone is
// written; an empty date is an error, since consent without a date proves
// nothing. The error is an Invalid *apperr.Error, for a field or a row.
func ParseConsentDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, apperr.New(apperr.Invalid, "lead.consent_date.missing", "consent needs the date it was given (31/12/2026 or 2026-12-31)")
	}
	for _, layout := range consentLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, apperr.New(apperr.Invalid, "lead.consent_date.unreadable", "%q is not a date: write it as 31/12/2026 or 2026-12-31, with the time if known (31/12/2026 14:30)", s)
}

// Input is what the compliance engine is asked about calling the lead in
// campaign c: its number and zone, the campaign's audience and kind, and
// its consents — the client's registry's, and the lead's own (brought by
// its file or batch, for the campaign's kind of call; a withdrawal the
// registry holds from after it still stands). The lists, the history and
// the caller id are the asker's to add.
func (l Lead) Input(c Campaign, registry []compliance.Consent) compliance.Input {
	consents := registry
	if l.Consent != nil {
		at := l.Consent.CapturedAt
		own := compliance.Consent{CapturedAt: at, Kinds: []compliance.Kind{c.Kind}}
		for _, r := range registry {
			if w := r.WithdrawnAt; w != nil && w.After(at) && (own.WithdrawnAt == nil || w.Before(*own.WithdrawnAt)) {
				own.WithdrawnAt = w
			}
		}
		consents = append(registry[:len(registry):len(registry)], own)
	}
	return compliance.Input{Number: phone.Number{E164: l.Phone, Region: l.Region}, LeadZone: l.Timezone,
		Audience: c.Audience, Kind: c.Kind, Consents: consents}
}
