// Package presence holds the rules of an agent's presence on the floor:
// the states an agent is in (offline, ready, reserved, on a call, in
// wrap-up, paused with a reason), which moves the agent (or a supervisor)
// chooses and which the engine makes as it reserves an agent, bridges a
// call and lets it go. Every change is logged by the store with its time:
// the ground for occupancy and per-hour pricing. It imports no adapter.
package presence

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// State is where an agent is.
type State string

const (
	Offline  State = "offline"  // signed out of the floor: no work
	Ready    State = "ready"    // waiting for a call on one campaign
	Reserved State = "reserved" // a call is being placed for the agent, or a preview lead is in hand
	OnCall   State = "on_call"  // talking to a callee
	WrapUp   State = "wrap_up"  // the call ended; the agent records its outcome
	Paused   State = "paused"   // away from work, with a reason
)

// States lists every state.
var States = []State{Offline, Ready, Reserved, OnCall, WrapUp, Paused}

// TermKey names the state in the catalogs.
func (s State) TermKey() string { return "presence.state." + string(s) }

// Presence is an agent's state now.
type Presence struct {
	AgentID    uuid.UUID  `json:"agent_id"`
	CenterID   uuid.UUID  `json:"center_id"`
	State      State      `json:"state"`
	Reason     string     `json:"reason,omitempty"`      // why the agent paused
	CampaignID *uuid.UUID `json:"campaign_id,omitempty"` // the campaign the agent works, from ready on
	CallID     *uuid.UUID `json:"call_id,omitempty"`     // the call the agent holds, reserved to wrap-up
	Since      time.Time  `json:"since"`
}

// Working reports whether the agent holds a call: it may not leave it by
// a choice of its own, only by the call's end and its outcome.
func (s State) Working() bool { return s == Reserved || s == OnCall }

// chosen are the states an agent (or its supervisor) picks; the others
// follow the calls and are the engine's to set.
var chosen = []State{Offline, Ready, Paused}

// engaged are the engine's moves: from each state, where a call takes the
// agent. Reserved goes back to ready when the call found no one.
var engaged = map[State][]State{
	Ready:    {Reserved},
	Reserved: {OnCall, Ready, WrapUp},
	OnCall:   {WrapUp},
}

// maxReason is the longest pause reason kept.
const maxReason = 200

// Chooser is who picks an agent's state: the agent, or a supervisor of
// its center.
type Chooser int

const (
	ByAgent Chooser = iota
	BySupervisor
)

// Choose checks a move an agent or its supervisor asks for, from the
// agent's state now, and returns the reason as it is kept. Ready needs a
// campaign; a pause needs a reason; an agent holding a call stays with it,
// but a supervisor may take an agent off the floor at any time (a browser
// closed on a reserved lead: its lease returns the lead).
func Choose(by Chooser, from, to State, reason string, campaign *uuid.UUID) (string, error) {
	reason = strings.TrimSpace(reason)
	var f apperr.Fields
	switch {
	case !slices.Contains(chosen, to):
		f.Add("state", "presence.state.not_chosen", "must be one of %s (got %q): the other states follow the calls", joined(chosen), string(to))
	case to == Ready && campaign == nil:
		f.Add("campaign_id", "presence.campaign.required", "is required to be ready: the campaign to take calls on")
	case to == Paused && reason == "":
		f.Add("reason", "presence.reason.required", "is required to pause")
	case utf8.RuneCountInString(reason) > maxReason:
		f.Add("reason", "presence.reason.too_long", "must be at most %d characters", maxReason)
	}
	if err := f.Err("presence.invalid", "the presence is not valid"); err != nil {
		return "", err
	}
	if from.Working() && (by == ByAgent || to != Offline) {
		return "", apperr.New(apperr.Conflict, "presence.in_call", "the agent holds a call (%s): end it and record its outcome first", from)
	}
	if to != Paused {
		reason = ""
	}
	return reason, nil
}

// Engage checks a move the engine makes as a call goes on.
func Engage(from, to State) error {
	if !slices.Contains(engaged[from], to) {
		return apperr.New(apperr.Conflict, "presence.engage.not_from", "an agent who is %s cannot become %s", from, to)
	}
	return nil
}

func joined(states []State) string {
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
