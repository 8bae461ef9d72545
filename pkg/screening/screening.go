// Package screening puts the compliance engine to work: for a number and a
// campaign it gathers what the stores know (the client's consents and
// opt-outs, the platform's list) and what the national lists say, runs
// compliance.Decide, and keeps the evidence of decisions that mattered.
// Every dial, callback and lead import asks it first.
//
// It composes pkg/store and pkg/nationallist with the domain packages.
package screening

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// Screener decides for the principal's org.
type Screener struct {
	db    *store.DB
	lists *nationallist.Registry

	mu     sync.Mutex
	loaded map[string]uuid.UUID // list code → the copy held
}

// New makes a screener; call Reload to load the national lists.
func New(db *store.DB) *Screener {
	return &Screener{db: db, lists: nationallist.NewRegistry(), loaded: map[string]uuid.UUID{}}
}

// Lists is the in-memory registry of national lists.
func (s *Screener) Lists() *nationallist.Registry { return s.lists }

// Reload loads the national lists whose latest copy changed since the last
// load. It is cheap when nothing changed: one small query.
func (s *Screener) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	heads, err := s.db.NationalLists(ctx, false)
	if err != nil {
		return err
	}
	stale := false
	for _, h := range heads {
		stale = stale || s.loaded[h.Code] != h.ID
	}
	if !stale {
		return nil
	}
	copies, err := s.db.NationalLists(ctx, true)
	if err != nil {
		return err
	}
	for _, c := range copies {
		if s.loaded[c.Code] == c.ID {
			continue
		}
		set := &numberset.Set{}
		if err := set.UnmarshalBinary(c.Snapshot); err != nil {
			return apperr.Wrap(err, apperr.Internal, "national list %s (copy %s) cannot be read", c.Code, c.ID)
		}
		s.lists.Put(nationallist.Copy{Code: c.Code, FreshAt: c.FreshAt, Set: set})
		s.loaded[c.Code] = c.ID
	}
	return nil
}

// Request is one question to the engine.
type Request struct {
	Number             string               `json:"number"`
	Country            string               `json:"country"` // the campaign's callee country: the default region of the number
	Audience           string               `json:"audience"`
	Kind               string               `json:"kind"`
	At                 *time.Time           `json:"at"` // default: now
	LeadZone           string               `json:"lead_timezone"`
	Sector             string               `json:"sector"`
	CallerID           string               `json:"caller_id"`
	ContractInProgress bool                 `json:"contract_in_progress"`
	Attempts           []compliance.Attempt `json:"attempts"` // this client's attempts across centers
	Refusals           []time.Time          `json:"refusals"`

	// Evidence: a dial or callback refused is kept with its reason, an
	// allowed one with the rule set that allowed it.
	Purpose    string     `json:"-"`
	CampaignID *uuid.UUID `json:"-"`
	LeadID     *uuid.UUID `json:"-"`
}

// input validates the request into the engine's input, naming each bad
// field.
func (r Request) input() (compliance.Input, time.Time, error) {
	var f apperr.Fields
	in := compliance.Input{LeadZone: strings.TrimSpace(r.LeadZone), Sector: r.Sector, CallerID: strings.TrimSpace(r.CallerID),
		ContractInProgress: r.ContractInProgress, Attempts: r.Attempts, Refusals: r.Refusals}
	country := strings.ToUpper(strings.TrimSpace(r.Country))
	if !phonenumbers.GetSupportedRegions()[country] {
		f.Add("country", "must be an ISO country code such as FR, US or GB (got %q)", r.Country)
	}
	n, err := phone.Parse(r.Number, country)
	if err != nil {
		f.Add("number", "%s", err.Error())
	}
	in.Number = n
	if in.Audience, err = compliance.ParseAudience(r.Audience); err != nil {
		f.Add("audience", "%s", err.Error())
	}
	if in.Kind, err = compliance.ParseKind(r.Kind); err != nil {
		f.Add("kind", "%s", err.Error())
	}
	if in.LeadZone != "" {
		if _, err := time.LoadLocation(in.LeadZone); err != nil {
			f.Add("lead_timezone", "must be an IANA time zone such as Europe/Paris (got %q)", in.LeadZone)
		}
	}
	if in.CallerID != "" {
		if id, err := phone.Parse(in.CallerID, country); err != nil {
			f.Add("caller_id", "%s", err.Error())
		} else {
			in.CallerID = id.E164
		}
	}
	at := time.Now()
	if r.At != nil {
		at = *r.At
	}
	if len(f) == 0 {
		if first := compliance.Earliest(in); at.Before(first) {
			f.Add("at", "is before %s, when the first calling rules for this callee (%s, %s, %s) came into force: ask about a later time",
				first.Format(time.RFC3339), in.Number.Region, in.Audience, in.Kind)
		}
	}
	return in, at, f.Err("the question is not valid")
}

// Decide answers a request for the principal's org in ctx.
func (s *Screener) Decide(ctx context.Context, r Request) (compliance.Decision, error) {
	in, at, err := r.input()
	if err != nil {
		return compliance.Decision{}, err
	}
	in.National = s.lists.Check(in.Number.E164)
	var d compliance.Decision
	err = s.db.InTenant(ctx, func(t *store.Tenant) error {
		facts, err := t.Screen(ctx, in.Number.E164)
		if err != nil {
			return err
		}
		in.Consents, in.Suppressions = facts.Consents, facts.Suppressions
		d = compliance.Decide(in, at)
		if r.Purpose == store.PurposeDial || r.Purpose == store.PurposeCallback {
			_, err = t.RecordDecision(ctx, store.Evidence{CampaignID: r.CampaignID, LeadID: r.LeadID,
				Phone: in.Number.E164, Purpose: r.Purpose, DecidedAt: at, Decision: d})
		}
		return err
	})
	return d, err
}
