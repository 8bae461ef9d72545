package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Agents is the use cases of an agent at work: taking the next lead of a
// preview campaign and reading the call in hand.
type Agents struct {
	db       *DB
	dispatch *Dispatch
}

// Next hands the signed-in agent the next lead of a campaign it is ready
// on, through its center's active contract, for a preview: the agent
// reads the lead, then dials or skips it. The claim presents the number
// the center's calls present (its first trunk's). Leads are claimed in the name of
// the campaign's client (dispatch and its evidence are the client's); the
// agent is reserved for the call. The lead and call come back as a center
// sees them. found is false when nothing may be called now.
func (s *Agents) Next(ctx context.Context, campaignID uuid.UUID) (dispatch.Claim, bool, error) {
	type seat struct {
		agent    uuid.UUID
		contract contractRow
		callerID string
	}
	at, err := run(ctx, s.db, func(t *tenant) (seat, error) {
		agent, err := t.agentSelf(ctx)
		if err != nil {
			return seat{}, err
		}
		k, err := t.centerContract(ctx, campaignID)
		if err != nil {
			return seat{}, err
		}
		if err := t.assigned(ctx, agent, campaignID); err != nil {
			return seat{}, err
		}
		cur, err := t.presenceOf(ctx, agent, false)
		if err == nil && (cur.State != presence.Ready || !sameID(cur.CampaignID, &campaignID)) {
			err = apperr.New(apperr.Conflict, "store.agent.not_ready", "be ready on this campaign to take its next lead (you are %s)", cur.State)
		}
		if err != nil {
			return seat{}, err
		}
		number, err := t.presentedNumber(ctx)
		return seat{agent, k, number}, err
	})
	if err != nil {
		return dispatch.Claim{}, false, err
	}
	p, _ := tenancy.PrincipalFrom(ctx)
	client := actingFor(ctx, at.contract.OrgID, tenancy.KindClient, "preview claim by "+p.Label)
	c, found, err := s.dispatch.Claim(client, dispatch.ClaimRequest{CampaignID: campaignID, ContractID: at.contract.ID, Agent: &at.agent,
		CallerID: at.callerID})
	if err != nil || !found {
		return dispatch.Claim{}, false, err
	}
	err = do(ctx, s.db, func(t *tenant) error {
		_, err := t.engage(ctx, at.agent, callRow{ID: c.Call.ID, CampaignID: campaignID}, presence.Reserved)
		return err
	})
	if err != nil {
		return dispatch.Claim{}, false, err // the call's lease returns the lead to the pool
	}
	c.Call.Phone, c.Lead = phone.Mask(c.Call.Phone), c.Lead.ForCenter()
	return c, true, nil
}

// AgentCall is the call an agent holds, with its lead as a center sees
// them.
type AgentCall struct {
	Call call.Call
	Lead lead.Lead
}

// Current is the call the signed-in agent holds (reserved for it, on it,
// or wrapping it up); found is false when it holds none.
func (s *Agents) Current(ctx context.Context) (AgentCall, bool, error) {
	return runPair(ctx, s.db, func(t *tenant) (AgentCall, bool, error) {
		agent, err := t.agentSelf(ctx)
		if err != nil {
			return AgentCall{}, false, err
		}
		cur, err := t.presenceOf(ctx, agent, false)
		if err != nil || cur.CallID == nil {
			return AgentCall{}, false, err
		}
		var r callRow
		err = t.Tx.NewSelect().Model(&r).Where("k.id = ? AND k.center_id = ?", *cur.CallID, t.OrgID()).Scan(ctx)
		if isNoRows(err) {
			return AgentCall{}, false, nil // skipped by a supervisor: no longer a call
		}
		if err != nil {
			return AgentCall{}, false, err
		}
		k, err := t.shownCall(r)
		if err != nil {
			return AgentCall{}, false, err
		}
		l, err := t.queuedLead(ctx, queueRow{CampaignID: r.CampaignID, LeadID: r.LeadID})
		return AgentCall{Call: k, Lead: l.ForCenter()}, err == nil, err
	})
}
