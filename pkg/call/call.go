// Package call is the record of one call attempt: who was called, by which
// center and agent, under which rules, what happened and what came of it.
// It is what the client's reports, the center's floor, the billing and the
// export read; the engine writes it through the store.
package call

import (
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/script"
)

// Call is one attempt to reach a lead.
type Call struct {
	ID         uuid.UUID
	ClientID   uuid.UUID
	CenterID   uuid.UUID
	CampaignID uuid.UUID
	ContractID *uuid.UUID
	LeadID     uuid.UUID
	AgentID    *uuid.UUID // the agent who took it, once one did
	Mode       campaign.DialingMode

	// The callee and the rules the call was allowed under.
	Phone      string // E.164
	Country    string // the callee's region (ISO)
	Timezone   string // the callee's zone the rules were applied in
	Audience   string
	Kind       string
	RuleSet    string    // ID@version
	DecisionID uuid.UUID // the evidence row of the decision that allowed it
	CallerID   string    // the number presented

	ClaimedAt  time.Time
	DialedAt   *time.Time
	RingingAt  *time.Time
	AnsweredAt *time.Time
	BridgedAt  *time.Time
	EndedAt    *time.Time

	Result            dialing.Result // empty while the call is open
	Cause             string         // the network's or the adapter's words
	TalkSeconds       int
	Disposition       script.Disposition
	DispositionFields map[string]string // appointment time, amount promised…
	ScriptVersion     int
	ScriptPath        []string // the nodes walked
	Notes             string
	Recording         string  // the recording's reference, when recorded
	ExternalID        *string // the dialer's id, unique per center
}

// Open reports whether the call has not ended yet.
func (c Call) Open() bool { return c.EndedAt == nil }

// Abandoned reports whether a person answered and no agent came in time.
func (c Call) Abandoned() bool { return c.Result == dialing.Abandoned }

// Interrupted is the cause of a call that was open when its dialer stopped
// (a process killed, a lease that lapsed): it ends as failed.
const Interrupted = "interrupted: the dialer stopped before the call ended"
