package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/script"
)

// Dispatch is the use cases of a running campaign's work, for the client's
// org (the engine acts in its scope): queueing its leads, claiming the next
// one with the compliance engine's leave, recording what the dialer
// reports, and returning the work of holders that vanished.
type Dispatch struct {
	db    *DB
	lists *nationallist.Registry
	retry dispatch.RetryPolicy
}

type queueRow struct {
	bun.BaseModel `bun:"table:dial_queue,alias:q"`

	CampaignID uuid.UUID  `bun:"campaign_id,pk"`
	LeadID     uuid.UUID  `bun:"lead_id,pk"`
	OrgID      uuid.UUID  `bun:"org_id"`
	CenterID   uuid.UUID  `bun:"center_id"`
	ContractID uuid.UUID  `bun:"contract_id"`
	Band       int        `bun:"band"`
	DueAt      time.Time  `bun:"due_at"`
	Holder     *uuid.UUID `bun:"holder"`
	LeaseUntil *time.Time `bun:"lease_until"`
	OwnerID    *uuid.UUID `bun:"owner_id"` // a callback's agent
}

// fillBatch is how many leads one transaction of Fill reads.
const fillBatch = 2000

// Fill queues the ready leads of a running campaign that its queue has not
// taken in yet, sharing them between its active contracts by seats, and
// returns how many it queued. The pacer runs it each tick: when no lead is
// new it costs one index seek.
func (s *Dispatch) Fill(ctx context.Context, campaignID uuid.UUID) (int, error) {
	if err := s.db.reloadLists(ctx, s.lists); err != nil {
		return 0, err
	}
	total := 0
	for {
		n, more, err := runPair(ctx, s.db, func(t *tenant) (int, bool, error) { return t.fill(ctx, campaignID) })
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// fill queues one batch of the campaign's new leads and says whether more
// may follow.
func (t *tenant) fill(ctx context.Context, campaignID uuid.UUID) (int, bool, error) {
	var c struct {
		Status        string     `bun:"status"`
		QueuedThrough *uuid.UUID `bun:"queued_through"`
	}
	err := t.Tx.NewSelect().Model((*campaignRow)(nil)).Column("status", "queued_through").
		Where("id = ? AND org_id = ?", campaignID, t.OrgID()).Scan(ctx, &c)
	if isNoRows(err) {
		return 0, false, apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
	}
	if err != nil || campaign.Status(c.Status) != campaign.Running {
		return 0, false, err
	}
	shares, err := t.shares(ctx, campaignID)
	if err != nil || len(shares) == 0 {
		return 0, false, err
	}
	var leads []struct {
		ID        uuid.UUID `bun:"id"`
		Status    string    `bun:"status"`
		CreatedAt time.Time `bun:"created_at"`
	}
	q := t.Tx.NewSelect().Model((*leadRow)(nil)).Column("id", "status", "created_at").
		Where("campaign_id = ?", campaignID).OrderExpr("id").Limit(fillBatch)
	if c.QueuedThrough != nil {
		q.Where("id > ?", *c.QueuedThrough)
	}
	if err := q.Scan(ctx, &leads); err != nil || len(leads) == 0 {
		return 0, false, err
	}
	split := dispatch.NewSplitter(shares)
	var rows []queueRow
	for _, l := range leads {
		if lead.Status(l.Status) != lead.Ready {
			continue
		}
		sh := split.Next()
		rows = append(rows, queueRow{CampaignID: campaignID, LeadID: l.ID, OrgID: t.OrgID(), CenterID: sh.CenterID,
			ContractID: sh.ContractID, Band: int(dispatch.Fresh), DueAt: earliest(l.CreatedAt, t.Now)})
	}
	if len(rows) > 0 {
		if _, err := t.Tx.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return 0, false, err
		}
	}
	last := leads[len(leads)-1].ID
	_, err = t.Tx.NewUpdate().Model((*campaignRow)(nil)).Set("queued_through = ?", last).
		Where("id = ? AND org_id = ?", campaignID, t.OrgID()).Exec(ctx)
	return len(rows), len(leads) == fillBatch, err
}

// maxSkips is how many leads one claim may find not callable now before it
// answers that nothing is: each is put back at its next allowed time.
const maxSkips = 32

// Claim hands out the next lead of the contract's share that may be called
// now — a due callback first, then a fresh lead, then a retry — and opens
// its call, leased for dispatch.Lease. Each lead it looks at is put to the
// compliance engine with the client's history across all its centers; the
// decision is kept as evidence, allowed or not. A lead not callable now
// goes back to the queue at its next allowed time, a lead no time will
// allow leaves it, blocked. found is false when nothing may be called now.
func (s *Dispatch) Claim(ctx context.Context, req dispatch.ClaimRequest) (dispatch.Claim, bool, error) {
	return runPair(ctx, s.db, func(t *tenant) (dispatch.Claim, bool, error) { return t.claim(ctx, s.lists, req) })
}

func (t *tenant) claim(ctx context.Context, lists *nationallist.Registry, req dispatch.ClaimRequest) (dispatch.Claim, bool, error) {
	c, err := t.campaign(ctx, req.CampaignID)
	if err != nil || c.Status != campaign.Running {
		return dispatch.Claim{}, false, err
	}
	if c.OrgID != t.OrgID() {
		return dispatch.Claim{}, false, apperr.New(apperr.Forbidden, "store.dispatch.client_only",
			"leads are claimed in the name of the campaign's client: a center asks through its agents")
	}
	for range maxSkips {
		q, ok, err := t.nextQueued(ctx, req.ContractID, req.Agent)
		if err != nil || !ok {
			return dispatch.Claim{}, false, err
		}
		l, err := t.queuedLead(ctx, q)
		if err != nil {
			return dispatch.Claim{}, false, err
		}
		d, ev, err := t.decideDial(ctx, lists, c, l, req.CallerID, compliance.PurposeDial, t.Now)
		if err != nil {
			return dispatch.Claim{}, false, err
		}
		if d.Allowed {
			cl, err := t.open(ctx, c, q, l, ev, req)
			return cl, err == nil, err
		}
		if err := t.putBack(ctx, q, l, d); err != nil {
			return dispatch.Claim{}, false, err
		}
	}
	return dispatch.Claim{}, false, nil
}

// nextQueued locks the first claimable row of the contract's share, band by
// band, for agent (nil: a predictive dial, whoever answers it); other
// claimers skip it (SKIP LOCKED on PostgreSQL; SQLite's one writer does
// the same). A callback another agent owns is not the agent's before its
// owner's grace ended.
func (t *tenant) nextQueued(ctx context.Context, contractID uuid.UUID, agent *uuid.UUID) (queueRow, bool, error) {
	for _, band := range dispatch.Bands {
		var q queueRow
		sel := t.Tx.NewSelect().Model(&q).
			Where("contract_id = ? AND band = ? AND holder IS NULL AND due_at <= ?", contractID, int(band), t.Now).
			OrderExpr("due_at").Limit(1)
		if band == dispatch.Callback {
			sel.Where("owner_id IS NULL OR owner_id = ? OR due_at <= ?", agent, t.Now.Add(-dispatch.OwnerGrace))
		}
		if t.db.Dialect == Postgres {
			sel.For("UPDATE SKIP LOCKED")
		}
		err := sel.Scan(ctx)
		if err == nil {
			return q, true, nil
		}
		if !isNoRows(err) {
			return q, false, err
		}
	}
	return queueRow{}, false, nil
}

func (t *tenant) queuedLead(ctx context.Context, q queueRow) (lead.Lead, error) {
	var r leadRow
	if err := t.Tx.NewSelect().Model(&r).Where("campaign_id = ? AND id = ?", q.CampaignID, q.LeadID).Scan(ctx); err != nil {
		return lead.Lead{}, fmt.Errorf("store: queued lead %s: %w", q.LeadID, err)
	}
	return r.lead()
}

// decideDial asks the compliance engine whether the lead may be called at
// `at` (now for a dial, the promised time for a callback), with what the
// stores know of its number and the client's calls to it from every
// center, and keeps the decision as evidence of purpose.
func (t *tenant) decideDial(ctx context.Context, lists *nationallist.Registry, c campaign.Campaign, l lead.Lead, callerID string, purpose compliance.Purpose, at time.Time) (compliance.Decision, compliance.Evidence, error) {
	facts, err := t.screen(ctx, l.Phone)
	if err != nil {
		return compliance.Decision{}, compliance.Evidence{}, err
	}
	in := l.Input(screened(c), facts.Consents)
	if in.Number, err = phone.Parse(l.Phone, l.Region); err != nil { // stored in E.164: only its zones are new
		return compliance.Decision{}, compliance.Evidence{}, err
	}
	in.Suppressions, in.National, in.CallerID = facts.Suppressions, lists.Check(l.Phone), callerID
	if in.Attempts, in.Refusals, err = t.history(ctx, l.Phone); err != nil {
		return compliance.Decision{}, compliance.Evidence{}, err
	}
	d := compliance.Decide(in, at)
	ev, err := t.recordDecision(ctx, compliance.Evidence{CampaignID: &c.ID, LeadID: &l.ID, Phone: l.Phone,
		Purpose: purpose, DecidedAt: at, Decision: d})
	return d, ev, err
}

// history is the client's calls to phone from every center — each an
// attempt, whatever its result — and the times the callee refused.
func (t *tenant) history(ctx context.Context, phone string) ([]compliance.Attempt, []time.Time, error) {
	var rows []struct {
		ClaimedAt   time.Time `bun:"claimed_at"`
		Result      string    `bun:"result"`
		Disposition string    `bun:"disposition"`
	}
	if err := t.Tx.NewSelect().Model((*callRow)(nil)).Column("claimed_at", "result", "disposition").
		Where("org_id = ? AND phone = ?", t.OrgID(), phone).Scan(ctx, &rows); err != nil {
		return nil, nil, err
	}
	attempts := make([]compliance.Attempt, len(rows))
	var refusals []time.Time
	for i, r := range rows {
		attempts[i] = compliance.Attempt{At: r.ClaimedAt.UTC(), Result: r.Result}
		if r.Disposition == string(script.Refused) {
			refusals = append(refusals, r.ClaimedAt.UTC())
		}
	}
	return attempts, refusals, nil
}

// open opens the call of an allowed claim, leases the queue row to it and
// marks the lead in call.
func (t *tenant) open(ctx context.Context, c campaign.Campaign, q queueRow, l lead.Lead, ev compliance.Evidence, req dispatch.ClaimRequest) (dispatch.Claim, error) {
	zone := ""
	if len(ev.Decision.CalleeZones) > 0 {
		zone = ev.Decision.CalleeZones[0]
	}
	k := call.Call{ID: newID(), ClientID: t.OrgID(), CenterID: q.CenterID, CampaignID: c.ID, ContractID: &q.ContractID,
		LeadID: l.ID, AgentID: req.Agent, Mode: c.DialingMode, Phone: l.Phone, Country: l.Region, Timezone: zone,
		Audience: string(c.Audience), Kind: string(c.Kind), RuleSet: ev.Decision.RuleSet, DecisionID: ev.ID,
		CallerID: req.CallerID, ClaimedAt: t.Now}
	row := callRowOf(k)
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return dispatch.Claim{}, err
	}
	lease := t.Now.Add(dispatch.Lease)
	if _, err := t.Tx.NewUpdate().Model((*queueRow)(nil)).Set("holder = ?, lease_until = ?", k.ID, lease).
		Where("campaign_id = ? AND lead_id = ?", q.CampaignID, q.LeadID).Exec(ctx); err != nil {
		return dispatch.Claim{}, err
	}
	l.Status = lead.InCall
	return dispatch.Claim{Call: k, Lead: l, LeaseUntil: lease}, t.setLeadStatus(ctx, l, lead.InCall, nil)
}

// putBack returns a lead the rules do not allow now to the queue at its
// next allowed time, where no claim sees it before then; a lead no time
// will allow leaves the queue, blocked with why.
func (t *tenant) putBack(ctx context.Context, q queueRow, l lead.Lead, d compliance.Decision) error {
	where := t.Tx.NewUpdate().Model((*queueRow)(nil)).Where("campaign_id = ? AND lead_id = ?", q.CampaignID, q.LeadID)
	if d.NextAllowedAt != nil {
		_, err := where.Set("due_at = ?", d.NextAllowedAt.UTC()).Exec(ctx)
		return err
	}
	if _, err := t.Tx.NewDelete().Model((*queueRow)(nil)).Where("campaign_id = ? AND lead_id = ?", q.CampaignID, q.LeadID).Exec(ctx); err != nil {
		return err
	}
	return t.setLeadStatus(ctx, l, lead.Blocked, &lead.Block{Reason: d.Reason, Rule: d.Rule, Source: d.Source,
		RuleSet: d.RuleSet, Explanation: d.Explanation, CheckedAt: t.Now})
}

func (t *tenant) setLeadStatus(ctx context.Context, l lead.Lead, status lead.Status, block *lead.Block) error {
	u := t.Tx.NewUpdate().Model((*leadRow)(nil)).Set("status = ?, updated_at = ?", status, t.Now).
		Where("campaign_id = ? AND id = ?", l.CampaignID, l.ID)
	if block != nil {
		u.Set("block_reason = ?, block = ?", block.Reason, jsonText(block))
	}
	_, err := u.Exec(ctx)
	return err
}

// errCallNotFound is a call that is not the org's, or does not exist.
func errCallNotFound() error {
	return apperr.New(apperr.NotFound, "store.call.not_found", "call not found")
}

// earliest is a fresh lead's place in the queue: its import, first in
// first out — or now, for a campaign replayed in the virtual past of
// `plateau simulate`, where the leads were imported after the clock.
func earliest(created, now time.Time) time.Time {
	if created.After(now) {
		return now
	}
	return created
}
