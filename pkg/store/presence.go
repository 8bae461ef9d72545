package store

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type presenceRow struct {
	bun.BaseModel `bun:"table:agent_presence,alias:p"`

	CenterID   uuid.UUID  `bun:"center_id,pk"`
	UserID     uuid.UUID  `bun:"user_id,pk"`
	State      string     `bun:"state"`
	Reason     string     `bun:"reason"`
	CampaignID *uuid.UUID `bun:"campaign_id"`
	CallID     *uuid.UUID `bun:"call_id"`
	Since      time.Time  `bun:"since"`
}

func (r presenceRow) presence() presence.Presence {
	return presence.Presence{AgentID: r.UserID, CenterID: r.CenterID, State: presence.State(r.State), Reason: r.Reason,
		CampaignID: r.CampaignID, CallID: r.CallID, Since: r.Since.UTC()}
}

type presenceLogRow struct {
	bun.BaseModel `bun:"table:presence_log"`

	ID         uuid.UUID  `bun:"id,pk"`
	CenterID   uuid.UUID  `bun:"center_id"`
	UserID     uuid.UUID  `bun:"user_id"`
	State      string     `bun:"state"`
	Reason     string     `bun:"reason"`
	CampaignID *uuid.UUID `bun:"campaign_id"`
	At         time.Time  `bun:"at"`
}

type assignmentRow struct {
	bun.BaseModel `bun:"table:agent_assignments,alias:a"`

	CenterID   uuid.UUID `bun:"center_id,pk"`
	UserID     uuid.UUID `bun:"user_id,pk"`
	CampaignID uuid.UUID `bun:"campaign_id,pk"`
	AssignedAt time.Time `bun:"assigned_at"`
}

// Presence is the use cases of agents' presence on their center's floor:
// an agent's own (Set), its supervisor's (SetFor), and the engine's, which
// reads who is ready on a campaign and moves agents as calls go
// (Ready, Engage).
type Presence struct{ db *DB }

// Set moves the signed-in agent to a state it chooses (offline, ready on
// a campaign it is assigned to, or paused with a reason), logged with its
// time.
func (s *Presence) Set(ctx context.Context, state presence.State, reason string, campaignID *uuid.UUID) (presence.Presence, error) {
	return run(ctx, s.db, func(t *tenant) (presence.Presence, error) {
		agent, err := t.agentSelf(ctx)
		if err != nil {
			return presence.Presence{}, err
		}
		return t.choosePresence(ctx, presence.ByAgent, agent, state, reason, campaignID)
	})
}

// SetFor moves an agent of the supervisor's center, as Set does; a
// supervisor may also take an agent holding a call off the floor.
func (s *Presence) SetFor(ctx context.Context, agentID uuid.UUID, state presence.State, reason string, campaignID *uuid.UUID) (presence.Presence, error) {
	return run(ctx, s.db, func(t *tenant) (presence.Presence, error) {
		if err := t.require(ctx, tenancy.PermFloorManage); err != nil {
			return presence.Presence{}, err
		}
		if err := t.centerAgent(ctx, agentID); err != nil {
			return presence.Presence{}, err
		}
		return t.choosePresence(ctx, presence.BySupervisor, agentID, state, reason, campaignID)
	})
}

// Get returns an agent's presence: the agent's own, or any agent's of the
// center for its supervisors. An agent who never came is offline.
func (s *Presence) Get(ctx context.Context, agentID uuid.UUID) (presence.Presence, error) {
	return run(ctx, s.db, func(t *tenant) (presence.Presence, error) {
		if err := t.readsPresence(ctx, agentID); err != nil {
			return presence.Presence{}, err
		}
		return t.presenceOf(ctx, agentID, false)
	})
}

// readsPresence checks that the principal may read an agent's presence:
// its own, or, for a supervisor, any agent's of its center.
func (t *tenant) readsPresence(ctx context.Context, agentID uuid.UUID) error {
	if agentID != t.Principal.ID || t.Principal.Kind != tenancy.ActorUser {
		manages, err := t.may(ctx, tenancy.PermFloorManage)
		if err != nil {
			return err
		}
		if !manages {
			return errAgentNotFound()
		}
	}
	return t.centerAgent(ctx, agentID)
}

// ReadyAgent is an agent waiting for a call on a campaign, through one of
// its contracts.
type ReadyAgent struct {
	AgentID    uuid.UUID
	CenterID   uuid.UUID
	ContractID uuid.UUID
	Since      time.Time // ready since: the longest waiting come first
}

// Ready lists the agents ready now on a campaign, across the centers of
// its active contracts, the longest waiting first. The engine asks it as
// the campaign's client (the principal its pacer acts as); another org
// finds no campaign. Each center's presence is read in that center's
// scope, so row-level security still walls each read.
func (s *Presence) Ready(ctx context.Context, campaignID uuid.UUID) ([]ReadyAgent, error) {
	contracts, err := run(ctx, s.db, func(t *tenant) ([]contractRow, error) { return t.clientContracts(ctx, campaignID) })
	if err != nil {
		return nil, err
	}
	var out []ReadyAgent
	for _, k := range contracts {
		in := actingFor(ctx, k.CenterID, tenancy.KindCenter, "ready agents")
		ready, err := readyIn(in, s.db, k, campaignID)
		if err != nil {
			return nil, err
		}
		out = append(out, ready...)
	}
	slices.SortStableFunc(out, func(a, b ReadyAgent) int { return a.Since.Compare(b.Since) })
	return out, nil
}

// readyIn lists the agents of contract k's center ready on campaignID and
// still assigned to it, in the center's scope (ctx).
func readyIn(ctx context.Context, d *DB, k contractRow, campaignID uuid.UUID) ([]ReadyAgent, error) {
	return run(ctx, d, func(t *tenant) ([]ReadyAgent, error) {
		var rows []presenceRow
		err := t.Tx.NewSelect().Model(&rows).
			Where("p.center_id = ? AND p.campaign_id = ? AND p.state = ?", t.OrgID(), campaignID, presence.Ready).
			Where("EXISTS (SELECT 1 FROM agent_assignments a WHERE a.center_id = p.center_id AND a.user_id = p.user_id AND a.campaign_id = p.campaign_id)").
			OrderExpr("p.since").Scan(ctx)
		out := make([]ReadyAgent, len(rows))
		for i, r := range rows {
			out[i] = ReadyAgent{AgentID: r.UserID, CenterID: r.CenterID, ContractID: k.ID, Since: r.Since.UTC()}
		}
		return out, err
	})
}

// clientContracts are the active contracts of a campaign of the
// principal's client org; any other org finds no campaign.
func (t *tenant) clientContracts(ctx context.Context, campaignID uuid.UUID) ([]contractRow, error) {
	c, err := t.campaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if c.OrgID != t.OrgID() {
		return nil, errCampaignNotFound()
	}
	var contracts []contractRow
	err = t.Tx.NewSelect().Model(&contracts).Column("id", "center_id").
		Where("campaign_id = ? AND org_id = ? AND status = ?", campaignID, t.OrgID(), market.ContractActive).
		OrderExpr("id").Scan(ctx)
	return contracts, err
}

// Engage moves an agent as the engine places, bridges and ends a call of
// the principal's client org: ready → reserved for the call, reserved →
// on call, on call → wrap-up, or reserved → ready when the call found no
// one. The engine acts as the campaign's client; the move is made in the
// center's scope, from the call's center.
func (s *Presence) Engage(ctx context.Context, agentID, callID uuid.UUID, state presence.State) (presence.Presence, error) {
	k, err := run(ctx, s.db, func(t *tenant) (callRow, error) {
		var r callRow
		err := t.Tx.NewSelect().Model(&r).Column("id", "center_id", "campaign_id").
			Where("k.id = ? AND k.org_id = ?", callID, t.OrgID()).Scan(ctx)
		if isNoRows(err) {
			return r, errCallNotFound()
		}
		return r, err
	})
	if err != nil {
		return presence.Presence{}, err
	}
	return run(actingFor(ctx, k.CenterID, tenancy.KindCenter, "engine"), s.db, func(t *tenant) (presence.Presence, error) {
		return t.engage(ctx, agentID, k, state)
	})
}

// engage moves the agent of the principal's center as call k goes on.
func (t *tenant) engage(ctx context.Context, agentID uuid.UUID, k callRow, to presence.State) (presence.Presence, error) {
	cur, err := t.presenceOf(ctx, agentID, true)
	if err != nil {
		return cur, err
	}
	if err := presence.Engage(cur.State, to); err != nil {
		return cur, err
	}
	next := cur
	next.State, next.Reason = to, ""
	switch {
	case to == presence.Reserved:
		if cur.CampaignID == nil || *cur.CampaignID != k.CampaignID {
			return cur, apperr.New(apperr.Conflict, "store.presence.other_campaign", "the agent is not ready on this call's campaign")
		}
		next.CallID = &k.ID
	case cur.CallID == nil || *cur.CallID != k.ID:
		return cur, apperr.New(apperr.Conflict, "store.presence.other_call", "the agent does not hold this call")
	case to == presence.Ready:
		next.CallID = nil
	}
	return t.writePresence(ctx, next)
}

// choosePresence checks and makes a move an agent or its supervisor
// chose.
func (t *tenant) choosePresence(ctx context.Context, by presence.Chooser, agentID uuid.UUID, to presence.State, reason string, campaignID *uuid.UUID) (presence.Presence, error) {
	cur, err := t.presenceOf(ctx, agentID, true)
	if err != nil {
		return cur, err
	}
	reason, err = presence.Choose(by, cur.State, to, reason, campaignID)
	if err != nil {
		return cur, err
	}
	next := cur
	next.State, next.Reason, next.CallID = to, reason, nil
	switch to {
	case presence.Ready:
		if err := t.assigned(ctx, agentID, *campaignID); err != nil {
			return cur, err
		}
		next.CampaignID = campaignID
	case presence.Offline:
		next.CampaignID = nil
	}
	if next.State == cur.State && next.Reason == cur.Reason && sameID(next.CampaignID, cur.CampaignID) && cur.CallID == nil {
		return cur, nil // asked again: nothing changes, nothing is logged
	}
	return t.writePresence(ctx, next)
}

func sameID(a, b *uuid.UUID) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// assigned checks that the agent is assigned to the campaign, under an
// active contract of the principal's center.
func (t *tenant) assigned(ctx context.Context, agentID, campaignID uuid.UUID) error {
	ok, err := t.Tx.NewSelect().Model((*assignmentRow)(nil)).
		Where("a.center_id = ? AND a.user_id = ? AND a.campaign_id = ?", t.OrgID(), agentID, campaignID).
		Where("EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = a.campaign_id AND c.center_id = a.center_id AND c.status = ?)", market.ContractActive).
		Exists(ctx)
	if err != nil || ok {
		return err
	}
	return apperr.InvalidFields("store.presence.not_assigned", "the agent may not take calls on this campaign",
		apperr.Field("campaign_id", "store.presence.not_assigned", "the agent is not assigned to this campaign, or its contract with the center is not active"))
}

// presenceOf reads an agent's presence in the principal's center, locked
// for a change when forUpdate; an agent never seen is offline.
func (t *tenant) presenceOf(ctx context.Context, agentID uuid.UUID, forUpdate bool) (presence.Presence, error) {
	var r presenceRow
	q := t.Tx.NewSelect().Model(&r).Where("p.center_id = ? AND p.user_id = ?", t.OrgID(), agentID)
	if forUpdate && t.db.Dialect == Postgres {
		q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if isNoRows(err) {
		return presence.Presence{AgentID: agentID, CenterID: t.OrgID(), State: presence.Offline}, nil
	}
	return r.presence(), err
}

// writePresence keeps p as the agent's presence since now, logs it, and
// returns it.
func (t *tenant) writePresence(ctx context.Context, p presence.Presence) (presence.Presence, error) {
	p.Since = t.Now
	row := presenceRow{CenterID: t.OrgID(), UserID: p.AgentID, State: string(p.State), Reason: p.Reason,
		CampaignID: p.CampaignID, CallID: p.CallID, Since: p.Since}
	if _, err := t.Tx.NewInsert().Model(&row).
		On("CONFLICT (center_id, user_id) DO UPDATE").
		Set("state = EXCLUDED.state, reason = EXCLUDED.reason, campaign_id = EXCLUDED.campaign_id, call_id = EXCLUDED.call_id, since = EXCLUDED.since").
		Exec(ctx); err != nil {
		return p, err
	}
	log := presenceLogRow{ID: newID(), CenterID: t.OrgID(), UserID: p.AgentID, State: row.State, Reason: p.Reason,
		CampaignID: p.CampaignID, At: t.Now}
	_, err := t.Tx.NewInsert().Model(&log).Exec(ctx)
	return p, err
}

// PresenceChange is one line of an agent's presence log.
type PresenceChange struct {
	State      presence.State `json:"state"`
	Reason     string         `json:"reason,omitempty"`
	CampaignID *uuid.UUID     `json:"campaign_id,omitempty"`
	At         time.Time      `json:"at"`
}

// Log lists an agent's presence changes from since on, oldest first: the
// agent's own, or any agent's of the center for its supervisors.
func (s *Presence) Log(ctx context.Context, agentID uuid.UUID, since time.Time) ([]PresenceChange, error) {
	return run(ctx, s.db, func(t *tenant) ([]PresenceChange, error) {
		if err := t.readsPresence(ctx, agentID); err != nil {
			return nil, err
		}
		var rows []presenceLogRow
		err := t.Tx.NewSelect().Model(&rows).Where("center_id = ? AND user_id = ? AND at >= ?", t.OrgID(), agentID, since.UTC()).
			OrderExpr("at, id").Scan(ctx)
		out := make([]PresenceChange, len(rows))
		for i, r := range rows {
			out[i] = PresenceChange{State: presence.State(r.State), Reason: r.Reason, CampaignID: r.CampaignID, At: r.At.UTC()}
		}
		return out, err
	})
}

// agentSelf is the signed-in person acting as an agent of its center.
func (t *tenant) agentSelf(ctx context.Context) (uuid.UUID, error) {
	if err := t.require(ctx, tenancy.PermAgentAccess); err != nil {
		return uuid.Nil, err
	}
	if t.Principal.Kind != tenancy.ActorUser {
		return uuid.Nil, apperr.New(apperr.Forbidden, "store.agent.person_only", "only a person signed in as an agent takes calls")
	}
	return t.Principal.ID, nil
}

// centerAgent checks that agentID is an active member of the principal's
// center whose role works the floor.
func (t *tenant) centerAgent(ctx context.Context, agentID uuid.UUID) error {
	var m membershipRow
	err := t.Tx.NewSelect().Model(&m).Where("org_id = ? AND user_id = ? AND status = ?", t.OrgID(), agentID, membershipActive).Scan(ctx)
	if isNoRows(err) || err == nil && (t.Principal.OrgKind != tenancy.KindCenter || !tenancy.Holds(tenancy.KindCenter, tenancy.Role(m.Role), tenancy.PermAgentAccess)) {
		return errAgentNotFound()
	}
	return err
}

// Assignments is the use cases of which agents work which campaigns, for
// a center's supervisors: their own agents, on the campaigns of their
// center's active contracts.
type Assignments struct{ db *DB }

// Assignment is an agent assigned to a campaign.
type Assignment struct {
	AgentID    uuid.UUID `json:"agent_id"`
	CampaignID uuid.UUID `json:"campaign_id"`
	AssignedAt time.Time `json:"assigned_at"`
}

// Assign assigns an agent of the center to a campaign of one of its
// active contracts; assigning again changes nothing.
func (s *Assignments) Assign(ctx context.Context, agentID, campaignID uuid.UUID) (Assignment, error) {
	return run(ctx, s.db, func(t *tenant) (Assignment, error) {
		if err := t.floorCampaign(ctx, agentID, campaignID); err != nil {
			return Assignment{}, err
		}
		row := assignmentRow{CenterID: t.OrgID(), UserID: agentID, CampaignID: campaignID, AssignedAt: t.Now}
		res, err := t.Tx.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return Assignment{}, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			err = t.Tx.NewSelect().Model(&row).WherePK().Scan(ctx)
			return Assignment{AgentID: agentID, CampaignID: campaignID, AssignedAt: row.AssignedAt.UTC()}, err
		}
		return Assignment{AgentID: agentID, CampaignID: campaignID, AssignedAt: t.Now},
			t.audit(ctx, "agent.assign", "campaign", campaignID.String(), map[string]any{"agent": agentID})
	})
}

// Unassign takes an agent off a campaign; an agent ready on it goes
// offline, logged.
func (s *Assignments) Unassign(ctx context.Context, agentID, campaignID uuid.UUID) error {
	return do(ctx, s.db, func(t *tenant) error {
		if err := t.floorCampaign(ctx, agentID, campaignID); err != nil {
			return err
		}
		res, err := t.Tx.NewDelete().Model((*assignmentRow)(nil)).
			Where("center_id = ? AND user_id = ? AND campaign_id = ?", t.OrgID(), agentID, campaignID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		cur, err := t.presenceOf(ctx, agentID, true)
		if err != nil {
			return err
		}
		if cur.State == presence.Ready && sameID(cur.CampaignID, &campaignID) {
			cur.State, cur.CampaignID = presence.Offline, nil
			if _, err := t.writePresence(ctx, cur); err != nil {
				return err
			}
		}
		return t.audit(ctx, "agent.unassign", "campaign", campaignID.String(), map[string]any{"agent": agentID})
	})
}

// List lists the center's agents assigned to a campaign, the first
// assigned first.
func (s *Assignments) List(ctx context.Context, campaignID uuid.UUID) ([]Assignment, error) {
	return run(ctx, s.db, func(t *tenant) ([]Assignment, error) {
		if err := t.require(ctx, tenancy.PermFloorManage); err != nil {
			return nil, err
		}
		if _, err := t.centerContract(ctx, campaignID); err != nil {
			return nil, err
		}
		var rows []assignmentRow
		err := t.Tx.NewSelect().Model(&rows).Where("a.center_id = ? AND a.campaign_id = ?", t.OrgID(), campaignID).
			OrderExpr("a.assigned_at, a.user_id").Scan(ctx)
		out := make([]Assignment, len(rows))
		for i, r := range rows {
			out[i] = Assignment{AgentID: r.UserID, CampaignID: r.CampaignID, AssignedAt: r.AssignedAt.UTC()}
		}
		return out, err
	})
}

// floorCampaign checks a supervisor's change to an agent's work: the
// principal manages the floor, the agent is the center's, the campaign is
// one of its active contracts'.
func (t *tenant) floorCampaign(ctx context.Context, agentID, campaignID uuid.UUID) error {
	if err := t.require(ctx, tenancy.PermFloorManage); err != nil {
		return err
	}
	if err := t.centerAgent(ctx, agentID); err != nil {
		return err
	}
	_, err := t.centerContract(ctx, campaignID)
	return err
}

// centerContract is the principal center's active contract on a campaign;
// without one, the campaign is not found.
func (t *tenant) centerContract(ctx context.Context, campaignID uuid.UUID) (contractRow, error) {
	var k contractRow
	err := t.Tx.NewSelect().Model(&k).Where("campaign_id = ? AND center_id = ? AND status = ?", campaignID, t.OrgID(), market.ContractActive).
		Limit(1).Scan(ctx)
	if isNoRows(err) {
		return k, errCampaignNotFound()
	}
	return k, err
}

// actingFor is ctx acting for org as the platform itself (SystemPrincipal)
// for task: how a use case that checked its principal's right does the
// part that belongs to another org (a center's agent's claim made in the
// client's name, the client's engine moving a center's agent).
func actingFor(ctx context.Context, orgID uuid.UUID, kind tenancy.OrgKind, task string) context.Context {
	return tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(tenancy.Org{ID: orgID, Kind: kind}, task))
}

func errAgentNotFound() error {
	return apperr.New(apperr.NotFound, "store.agent.not_found", "agent not found")
}

func errCampaignNotFound() error {
	return apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
}
