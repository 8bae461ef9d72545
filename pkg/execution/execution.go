// Package execution is the engine that makes a running campaign call: one
// Runner per campaign, holding the campaign's pacer lease, queues its
// leads, claims them with the compliance engine's leave, places the calls
// through a dialing.Dialer, hands the answered ones to ready agents, and
// keeps what happened in the store. Engine starts and stops the runners of
// the campaigns that run, on every process, and the leases make one of
// them pace each campaign.
//
// The engine speaks to the store, the agents and the telephony through
// the ports below; it imports no database, no SIP and no HTTP.
package execution

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Queue is the store's dispatch of a campaign's work, in the name of the
// campaign's client (the principal in the context).
type Queue interface {
	Fill(ctx context.Context, campaignID uuid.UUID) (int, error)
	Claim(ctx context.Context, req dispatch.ClaimRequest) (dispatch.Claim, bool, error)
	Dialed(ctx context.Context, callID uuid.UUID, at time.Time) error
	Bridged(ctx context.Context, callID, agentID uuid.UUID, at time.Time) error
	Record(ctx context.Context, ev dialing.Event) error
	Renew(ctx context.Context, callIDs []uuid.UUID) error
	// Requests are the dials and hang-ups agents asked of the campaign's
	// calls, through the agent API of any process.
	Requests(ctx context.Context, campaignID uuid.UUID) (dispatch.Requests, error)
}

// Leases are the store's pacer leases and the return of lapsed claims.
type Leases interface {
	Pace(ctx context.Context, campaignID uuid.UUID, holder string, d time.Duration) (bool, error)
	Unpace(ctx context.Context, campaignID uuid.UUID, holder string) error
	Reap(ctx context.Context, campaignID uuid.UUID) (int, error)
	// Hold records on holder's lease why the campaign places no call until
	// until (the dialer's refusal), for its supervisors; nil clears it.
	Hold(ctx context.Context, campaignID uuid.UUID, holder string, until time.Time, reason error) error
}

// Standing says whether a campaign may spend on more calls: its budget cap
// and its client's payment standing. The billing fills it; without one,
// nothing limits the calls.
type Standing interface {
	// MayDial reports whether the campaign may place calls now, and why
	// not when it may not (in the words a client and a center read).
	MayDial(ctx context.Context, campaignID uuid.UUID) (bool, string, error)
}

// Agent is an agent who may take a campaign's calls, on the contract of
// its center.
type Agent struct {
	ID         uuid.UUID
	CenterID   uuid.UUID
	ContractID uuid.UUID
	Endpoint   dialing.Endpoint
}

// Floor is the agents of a campaign, as the engine sees them: who is ready
// now, and the news of the calls it gives them. Its implementations are
// the agents' presence in the store (people on the agent workspace) and
// simulated agents.
type Floor interface {
	// Ready lists the agents ready for the campaign's calls now.
	Ready(ctx context.Context, campaignID uuid.UUID) ([]Agent, error)
	// Reserved tells that the engine dialled a lead for the agent
	// (progressive mode): the agent waits for it to answer.
	Reserved(ctx context.Context, a Agent, c dispatch.Claim)
	// Connected tells that the callee of c is put through to the agent.
	Connected(ctx context.Context, a Agent, c dispatch.Claim)
	// Ended tells that the agent's call ended with result: after a
	// conversation the agent wraps up and disposes; otherwise the agent is
	// ready again.
	Ended(ctx context.Context, a Agent, c dispatch.Claim, result dialing.Result)
}

// CallerIDs gives the number the calls of a center present, E.164: the
// simulator's one number, the first of a center's SIP trunks.
type CallerIDs func(ctx context.Context, centerID uuid.UUID) (string, error)

// OneCallerID presents number for every center.
func OneCallerID(number string) CallerIDs {
	return func(context.Context, uuid.UUID) (string, error) { return number, nil }
}

// Campaign is a running campaign, with the client the engine acts for.
type Campaign struct {
	ID       uuid.UUID
	Client   tenancy.Org
	Mode     campaign.DialingMode
	Country  string // of the callees
	Audience compliance.Audience
	Kind     compliance.Kind
	Record   bool // its calls are recorded, the callee told at call start
}

// Cap is the abandon cap the campaign's pacer keeps under at t.
func (c Campaign) Cap(t time.Time) compliance.AbandonCap {
	return compliance.CountryAbandonCap(c.Country, c.Audience, c.Kind, t)
}
