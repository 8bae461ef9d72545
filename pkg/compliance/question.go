package compliance

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Question is one question to the engine as a person or a client system
// asks it: "may this number be called at this time?".
type Question struct {
	Number             string      `json:"number"`
	Country            string      `json:"country"` // the campaign's callee country: the default region of the number
	Audience           string      `json:"audience"`
	Kind               string      `json:"kind"`
	At                 *time.Time  `json:"at"` // default: now
	LeadZone           string      `json:"lead_timezone"`
	Sector             string      `json:"sector"`
	CallerID           string      `json:"caller_id"`
	ContractInProgress bool        `json:"contract_in_progress"`
	Attempts           []Attempt   `json:"attempts"` // this client's attempts across centers
	Refusals           []time.Time `json:"refusals"`

	// Evidence: a dial or callback refused is kept with its reason, an
	// allowed one with the rule set that allowed it.
	Purpose    Purpose    `json:"-"`
	CampaignID *uuid.UUID `json:"-"`
	LeadID     *uuid.UUID `json:"-"`
}

// Input validates the question into the engine's input and the time asked
// about (now when it names none), naming each bad field. What the stores
// know of the number (consents, opt-outs, national lists) is the asker's
// to add.
func (q Question) Input(now time.Time) (Input, time.Time, error) {
	var f apperr.Fields
	in := Input{LeadZone: strings.TrimSpace(q.LeadZone), Sector: q.Sector, CallerID: strings.TrimSpace(q.CallerID),
		ContractInProgress: q.ContractInProgress, Attempts: q.Attempts, Refusals: q.Refusals}
	country := strings.ToUpper(strings.TrimSpace(q.Country))
	if !phonenumbers.GetSupportedRegions()[country] {
		f.Add("country", "compliance.country.unknown", "must be an ISO country code such as FR, US or GB (got %q)", q.Country)
	}
	n, err := phone.Parse(q.Number, country)
	if err != nil {
		f.AddError("number", err)
	}
	in.Number = n
	if in.Audience, err = ParseAudience(q.Audience); err != nil {
		f.AddError("audience", err)
	}
	if in.Kind, err = ParseKind(q.Kind); err != nil {
		f.AddError("kind", err)
	}
	if in.LeadZone != "" {
		if _, err := time.LoadLocation(in.LeadZone); err != nil {
			f.Add("lead_timezone", "compliance.timezone.unknown", "must be an IANA time zone such as Europe/Paris (got %q)", in.LeadZone)
		}
	}
	if in.CallerID != "" {
		if id, err := phone.Parse(in.CallerID, country); err != nil {
			f.AddError("caller_id", err)
		} else {
			in.CallerID = id.E164
		}
	}
	at := now
	if q.At != nil {
		at = *q.At
	}
	if len(f) == 0 {
		if first := Earliest(in); at.Before(first) {
			f.Add("at", "compliance.at.before_rules", "is before %s, when the first calling rules for this callee (%s, %s, %s) came into force: ask about a later time",
				first.Format(time.RFC3339), in.Number.Region, in.Audience, in.Kind)
		}
	}
	return in, at, f.Err("compliance.question.invalid", "the question is not valid")
}

// ListOf is the suppression list an org of kind keeps: the platform's
// list, shared by every client, for the platform; its own for a client.
func ListOf(kind tenancy.OrgKind) ListKind {
	if kind == tenancy.KindPlatform {
		return PlatformList
	}
	return ClientList
}
