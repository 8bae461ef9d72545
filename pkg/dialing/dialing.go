// Package dialing owns the vocabulary of a call attempt — its results, the
// events a dialer reports — and the Dialer port that the telephony adapters
// (the simulator, SIP through a center's trunk) fill. The engine that
// claims leads and paces calls speaks only this package's words; a center's
// Trunk is described here, so the store can keep it and the SIP adapter
// dial through it.
//
// It imports only the standard library, uuid and apperr: no SIP, no
// database.
package dialing

import (
	"context"
	"io"
	"time"

	"github.com/google/uuid"
)

// Result is how an attempt ended, as the rules and the reports count it.
type Result string

const (
	NoAnswer  Result = "no_answer" // rang until the ring timeout, or 408/480/487 after our CANCEL
	Busy      Result = "busy"      // 486, 600
	Rejected  Result = "rejected"  // the callee declined (603), or the number refused the call (403, 404, 410, 484, 604)
	Failed    Result = "failed"    // the network or the trunk failed (5xx, a timeout, a process that died mid-call)
	Machine   Result = "machine"   // answered by a voicemail or an answering machine
	Answered  Result = "answered"  // answered by a person and bridged to an agent
	Abandoned Result = "abandoned" // answered by a person, and no agent came within the abandon delay
)

// Results lists every result, in the order reports show them.
var Results = []Result{Answered, NoAnswer, Busy, Machine, Rejected, Failed, Abandoned}

// Live reports whether a person answered: the calls an abandon rate is
// counted over.
func (r Result) Live() bool { return r == Answered || r == Abandoned }

// AbandonDelay is how long an answered callee may wait for an agent before
// the call counts as abandoned (16 CFR 310.4(b)(4)(i): two seconds after
// the greeting).
const AbandonDelay = 2 * time.Second

// Dial is one call to place.
type Dial struct {
	CallID      uuid.UUID     // Plateau's id, carried to the trunk and into CDRs: the correlation id
	CenterID    uuid.UUID     // the center whose claim placed the call: its trunks carry it
	To          string        // the callee, E.164
	CallerID    string        // the number presented, E.164
	RingTimeout time.Duration // after which the call is cancelled and ends as NoAnswer
	Record      bool          // record the bridged audio; the callee is told at call start
}

// EventKind is what a dialer reports of a call.
type EventKind string

const (
	EventRinging  EventKind = "ringing"  // 180/183, or the simulator's ring
	EventAnswered EventKind = "answered" // picked up; Machine says by whom
	EventEnded    EventKind = "ended"    // the last event of every call; Result and Cause say how
)

// Event is one thing that happened to a call, at a time of the dialer's
// clock (virtual time for the simulator).
type Event struct {
	CallID  uuid.UUID
	Kind    EventKind
	At      time.Time
	Machine bool   // on EventAnswered: a machine answered, not a person
	Result  Result // on Ended
	// Cause on EventEnded is what the network said ("486 Busy Here", "BYE from
	// the callee") or the adapter ("ring timeout", "sim: no answer").
	Cause     string
	Recording string // on EventEnded, when the call was recorded: the reference in the recording store
}

// Dialer places calls. Each call reports its events on its own channel,
// ending with exactly one EventEnded, after which the channel is closed.
type Dialer interface {
	Dial(ctx context.Context, d Dial) (Call, error)
}

// Call is a call in progress.
type Call interface {
	ID() uuid.UUID
	Events() <-chan Event
	// Bridge connects the answered callee to the agent's endpoint (a SIP
	// URI for a desk phone or the browser's gateway).
	Bridge(ctx context.Context, agent Endpoint) error
	// Hangup ends the call: CANCEL before an answer, BYE after.
	Hangup(ctx context.Context) error
}

// Endpoint is where an agent takes calls.
type Endpoint struct {
	AgentID uuid.UUID
	URI     string // "sip:agent-7@10.0.0.5:5060"; empty for a simulated agent
}

// Recordings stores a call's audio. A reference it returns is what a call
// row keeps; the bytes stay in the store (the filesystem in dev, an
// S3-compatible bucket in production).
type Recordings interface {
	Create(ctx context.Context, name string) (w io.WriteCloser, ref string, err error)
}
