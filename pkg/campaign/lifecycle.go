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

// Actor is who asks for a move: the side of the marketplace and the role.
// The system (a contract's activation) acts as the platform.
type Actor struct {
	Side tenancy.OrgKind
	Role tenancy.Role
}

// move is one allowed transition and who may make it.
type move struct {
	from []Status
	to   Status
	who  []Actor
}

var (
	clientLead   = []Actor{{tenancy.KindClient, tenancy.RoleOwner}, {tenancy.KindClient, tenancy.RoleManager}}
	centerLead   = []Actor{{tenancy.KindCenter, tenancy.RoleOwner}, {tenancy.KindCenter, tenancy.RoleSupervisor}}
	platformSide = []Actor{{tenancy.KindPlatform, tenancy.RolePlatformAdmin}}
)

func who(groups ...[]Actor) []Actor { return slices.Concat(groups...) }

// moves is the state machine: each event, the states it leaves, the state
// it reaches, and who may make it.
var moves = map[Event]move{
	Publish:   {from: []Status{Draft}, to: Open, who: clientLead},
	Unpublish: {from: []Status{Open}, to: Draft, who: clientLead},
	Contract:  {from: []Status{Open, Contracted}, to: Contracted, who: who(centerLead[:1], platformSide)},
	Start:     {from: []Status{Contracted}, to: Running, who: who(clientLead, centerLead, platformSide)},
	Pause:     {from: []Status{Running}, to: Paused, who: who(clientLead, centerLead, platformSide)},
	Resume:    {from: []Status{Paused}, to: Running, who: who(clientLead, centerLead, platformSide)},
	Complete:  {from: []Status{Running, Paused}, to: Completed, who: who(clientLead, platformSide)},
	Cancel:    {from: []Status{Draft, Open, Contracted, Running, Paused}, to: Cancelled, who: who(clientLead[:1], platformSide)},
}

// Next is the state event leads to from status when actor asks, or an
// error that says why not: an unknown event, a move the state does not
// allow (Conflict), or an actor without the right (Forbidden).
func Next(status Status, event Event, actor Actor) (Status, error) {
	m, ok := moves[event]
	if !ok {
		return status, apperr.InvalidFields("unknown move", apperr.FieldError{Path: "event",
			Message: fmt.Sprintf("must be one of publish, unpublish, contract, start, pause, resume, complete, cancel (got %q)", event)})
	}
	if !slices.Contains(m.from, status) {
		return status, apperr.New(apperr.Conflict, "a campaign that is %s cannot be %s (only from %s)",
			status, pastTense[event], joinStatuses(m.from))
	}
	if !slices.Contains(m.who, actor) {
		return status, apperr.New(apperr.Forbidden, "a %s %s cannot %s a campaign; %s can",
			actor.Side, actor.Role, event, describe(m.who))
	}
	return m.to, nil
}

// Allowed lists the events actor may make from status, for the buttons a
// page shows.
func Allowed(status Status, actor Actor) []Event {
	var out []Event
	for _, e := range []Event{Publish, Unpublish, Contract, Start, Pause, Resume, Complete, Cancel} {
		if _, err := Next(status, e, actor); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// Editable reports whether the campaign's request may still be changed.
func Editable(s Status) bool { return s == Draft }

var pastTense = map[Event]string{Publish: "published", Unpublish: "unpublished", Contract: "contracted",
	Start: "started", Pause: "paused", Resume: "resumed", Complete: "completed", Cancel: "cancelled"}

func joinStatuses(list []Status) string {
	names := make([]string, len(list))
	for i, s := range list {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func describe(actors []Actor) string {
	names := make([]string, len(actors))
	for i, a := range actors {
		names[i] = fmt.Sprintf("a %s %s", a.Side, a.Role)
	}
	return strings.Join(names, ", ")
}
