// Package dispatch holds the rules of handing out a running campaign's
// work: in which order claimable leads come (due callbacks, fresh leads,
// retries), when a lead whose call ended is tried again, and how a
// campaign's leads are shared between the centers of its contracts. The
// store applies them; this package only decides.
package dispatch

import (
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/lead"
)

// Band orders claimable work: a lower band is claimed first.
type Band int

const (
	Callback Band = 0 // a callback that is due
	Fresh    Band = 1 // a lead never called
	Retry    Band = 2 // a lead to try again
)

// Bands lists the bands in the order claims visit them.
var Bands = []Band{Callback, Fresh, Retry}

// Lease is how long a claim holds its lead before it returns to the pool
// if its holder neither renews nor ends it: a dialer that died, an agent
// whose browser closed.
const Lease = 2 * time.Minute

// OwnerGrace is how long after its time a callback its agent owns waits
// for that agent alone; then any agent of the team may take it, rather
// than leave the callee waiting for someone who is away.
const OwnerGrace = 10 * time.Minute

// DispositionWait is how long the lead of an answered call stays held for
// the agent's disposition after the call ended, before it returns to the
// pool as a retry.
const DispositionWait = 15 * time.Minute

// RetryPolicy says when a lead is tried again after a call that ended
// without a conversation, and how many calls a campaign makes to one lead
// at most. The calling rules' caps and cooling-off periods still apply on
// top: a retry due sooner than the rules allow waits for them.
type RetryPolicy struct {
	After       map[dialing.Result]time.Duration // a result absent is not retried
	MaxAttempts int                              // calls to one lead in this campaign
}

// DefaultRetry is a campaign's policy unless it sets its own: a busy line
// soon, no answer later the same day, a machine the next day.
var DefaultRetry = RetryPolicy{
	After: map[dialing.Result]time.Duration{
		dialing.Busy:      10 * time.Minute,
		dialing.NoAnswer:  2 * time.Hour,
		dialing.Failed:    30 * time.Minute,
		dialing.Machine:   24 * time.Hour,
		dialing.Rejected:  24 * time.Hour,
		dialing.Abandoned: time.Hour,
	},
	MaxAttempts: 6,
}

// Next says whether a lead whose attempt-th call ended with result at ended
// is tried again, and from when. An answered call is never retried here: its
// disposition decides (a callback, or done).
func (p RetryPolicy) Next(result dialing.Result, attempt int, ended time.Time) (time.Time, bool) {
	after, ok := p.After[result]
	if !ok || attempt >= p.MaxAttempts {
		return time.Time{}, false
	}
	return ended.Add(after), true
}

// Share is one contract's part of a campaign's leads.
type Share struct {
	ContractID uuid.UUID
	CenterID   uuid.UUID
	Weight     int // the contract's seats, or the share the client set
}

// Splitter deals leads to contracts in proportion to their weights, evenly
// interleaved (smooth weighted round robin, as nginx balances upstreams),
// so that each center gets its part of every slice of the list.
type Splitter struct {
	shares  []Share
	current []int
	total   int
}

// NewSplitter deals over shares; a share of weight below one counts as one.
func NewSplitter(shares []Share) *Splitter {
	s := &Splitter{shares: shares, current: make([]int, len(shares))}
	for i := range shares {
		s.shares[i].Weight = max(shares[i].Weight, 1)
		s.total += s.shares[i].Weight
	}
	return s
}

// Next is the share the next lead goes to.
func (s *Splitter) Next() Share {
	best := 0
	for i, sh := range s.shares {
		s.current[i] += sh.Weight
		if s.current[i] > s.current[best] {
			best = i
		}
	}
	s.current[best] -= s.total
	return s.shares[best]
}

// ClaimRequest is a claim of the next lead of a contract's share of a
// campaign.
type ClaimRequest struct {
	CampaignID uuid.UUID
	ContractID uuid.UUID
	Agent      *uuid.UUID // the agent the lead goes to; nil for a predictive dial no agent holds yet
	CallerID   string     // the number the trunk presents, E.164
}

// Claim is a lead handed out, with the call opened for it.
type Claim struct {
	Call       call.Call
	Lead       lead.Lead
	LeaseUntil time.Time
}

// Requests are what agents and supervisors asked of a campaign's calls,
// for its pacer to do on its next tick.
type Requests struct {
	// Dials are the preview calls an agent read and asked to dial.
	Dials []Claim
	// Hangups are the calls in progress an agent or a supervisor asked to
	// hang up.
	Hangups []uuid.UUID
}
