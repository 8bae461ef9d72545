package campaign

import (
	"fmt"
	"slices"
	"strings"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Event is a move in a campaign's life.
type Event string

const (
	Publish   Event = "publish"   // draft → open: the request goes on the marketplace
	Unpublish Event = "unpublish" // open → draft: back to editing, no offer accepted yet
	Contract  Event = "contract"  // open → contracted: a contract became active
	Start     Event = "start"     // contracted → running
	Pause     Event = "pause"     // running → paused
	Resume    Event = "resume"    // paused → running
	Complete  Event = "complete"  // running | paused → completed
	Cancel    Event = "cancel"    // any state but completed and cancelled → cancelled
)

// Events lists every move, in the order pages show them.
var Events = []Event{Publish, Unpublish, Contract, Start, Pause, Resume, Complete, Cancel}

// TermKey names the move in the catalogs, as its button says it.
func (e Event) TermKey() string { return "campaigns.move." + string(e) }

// move is one allowed transition and the permission it needs. Who holds
// the permission is tenancy.Policy's to say, not the state machine's.
type move struct {
	from  []Status
	to    Status
	needs tenancy.Permission
}

// moves is the state machine: each event, the states it leaves, the state
// it reaches, and the permission it needs.
var moves = map[Event]move{
	Publish:   {from: []Status{Draft}, to: Open, needs: tenancy.PermCampaignsPublish},
	Unpublish: {from: []Status{Open}, to: Draft, needs: tenancy.PermCampaignsPublish},
	Contract:  {from: []Status{Open, Contracted}, to: Contracted, needs: tenancy.PermContractsConfirm},
	Start:     {from: []Status{Contracted}, to: Running, needs: tenancy.PermCampaignsRun},
	Pause:     {from: []Status{Running}, to: Paused, needs: tenancy.PermCampaignsRun},
	Resume:    {from: []Status{Paused}, to: Running, needs: tenancy.PermCampaignsRun},
	Complete:  {from: []Status{Running, Paused}, to: Completed, needs: tenancy.PermCampaignsComplete},
	Cancel:    {from: []Status{Draft, Open, Contracted, Running, Paused}, to: Cancelled, needs: tenancy.PermCampaignsCancel},
}

// May answers whether the principal acting holds a permission (the RBAC
// enforcer, or tenancy.Holds for a role of a kind).
type May func(tenancy.Permission) bool

// Next is the state event leads to from status for someone who may do
// what may says, or an error that says why not: an unknown event (listing
// the moves open to them now), a move the state does not allow
// (Conflict), or a principal without the move's permission (Forbidden).
func Next(status Status, event Event, may May) (Status, error) {
	m, ok := moves[event]
	if !ok {
		open := slices.DeleteFunc(Allowed(status, may), func(e Event) bool { return e == Contract }) // confirmed, not asked for
		why := apperr.Field("event", "campaign.move.none_open", "no move is open to you on a campaign that is %s", status)
		if len(open) > 0 {
			why = apperr.Field("event", "campaign.move.unknown", "must be one of %s (got %q)", joinEvents(open), string(event))
		}
		return status, apperr.InvalidFields("campaign.move.invalid", "unknown move", why)
	}
	if !slices.Contains(m.from, status) {
		return status, apperr.New(apperr.Conflict, "campaign.move.not_from", "a campaign that is %s cannot be %s (only from %s)",
			status, done(event), terms[Status](m.from))
	}
	if !may(m.needs) {
		return status, apperr.New(apperr.Forbidden, "campaign.move.forbidden", "your role cannot %s a campaign; %s can", event, holders(m.needs))
	}
	return m.to, nil
}

// Allowed lists the events someone who may do what may says can make from
// status, for the buttons a page shows.
func Allowed(status Status, may May) []Event {
	var out []Event
	for _, e := range Events {
		if _, err := Next(status, e, may); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// Editable reports whether the campaign's request may still be changed.
func Editable(s Status) bool { return s == Draft }

// RecordingSettable reports whether the client may still turn the
// recording of the campaign's calls on or off: in every status until the
// campaign ends, the request being frozen once published. A change takes
// effect on the calls placed after it (the engine reads it at each roll
// call); a call in progress keeps what it was dialled with.
func RecordingSettable(s Status) bool { return !s.Ended() }

// TakesOffers reports whether centers may still answer the request and
// its client accept their offers.
func (s Status) TakesOffers() bool { return s == Open || s == Contracted }

// Ended reports whether the campaign is over: it takes no more leads,
// and its contracts end with it.
func (s Status) Ended() bool { return s == Completed || s == Cancelled }

// done is a move as a message says it was made: "published" in English;
// in another language, the move's name (its TermKey).
type done Event

var pastTense = map[Event]string{Publish: "published", Unpublish: "unpublished", Contract: "contracted",
	Start: "started", Pause: "paused", Resume: "resumed", Complete: "completed", Cancel: "cancelled"}

func (d done) String() string  { return pastTense[Event(d)] }
func (d done) TermKey() string { return Event(d).TermKey() }

// terms is a list of words of the domain in a message: in English, its
// words joined by commas; in the reader's language, each said by its
// TermKey (Say).
type terms[T apperr.Term] []T

func (l terms[T]) String() string {
	names := make([]string, len(l))
	for i, t := range l {
		names[i] = fmt.Sprint(t)
	}
	return strings.Join(names, ", ")
}

// Say is the list in tr's language: each word by its TermKey, as it is
// written when tr's catalog lacks it.
func (l terms[T]) Say(tr apperr.Translator) string {
	names := make([]string, len(l))
	for i, t := range l {
		names[i] = fmt.Sprint(t)
		if said, ok := tr(t.TermKey()); ok {
			names[i] = said
		}
	}
	return strings.Join(names, ", ")
}

func joinEvents(list []Event) string {
	names := make([]string, len(list))
	for i, e := range list {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}

// holder is a role of an org kind, as a message names who may do
// something: "a client owner" in English, the role's name otherwise.
type holder struct {
	kind tenancy.OrgKind
	role tenancy.Role
}

func (h holder) String() string  { return fmt.Sprintf("a %s %s", h.kind, h.role) }
func (h holder) TermKey() string { return h.role.TermKey() }

// holders names who holds perm, from the policy table.
func holders(perm tenancy.Permission) terms[holder] {
	var out terms[holder]
	for _, row := range tenancy.Policy {
		if row.Permission != perm {
			continue
		}
		for _, kind := range []tenancy.OrgKind{tenancy.KindClient, tenancy.KindCenter, tenancy.KindPlatform} {
			for _, role := range row.Holders[kind] {
				out = append(out, holder{kind, role})
			}
		}
	}
	return out
}
