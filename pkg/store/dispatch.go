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
		q, l, ok, err := t.nextQueued(ctx, req.ContractID, req.Agent)
		if err != nil || !ok {
			return dispatch.Claim{}, false, err
		}
		d, ev, err := t.judgeDial(ctx, lists, c, l, req.CallerID, compliance.PurposeDial, t.Now)
		if err != nil {
			return dispatch.Claim{}, false, err
		}
		if !d.Allowed && d.Reason.OfTheCaller() { // the lead stays queued, and the campaign waits for a number it may present
			return dispatch.Claim{}, false, apperr.New(apperr.Invalid, "store.dispatch.caller_id",
				"the number presented (%q) may not be under %s: no lead is claimed until the dialer presents one that may", req.CallerID, d.Rule)
		}
		// The evidence and what the decision does to the queue, the lead
		// and the calls are written together: an allowed claim's with the
		// COMMIT, a put-back's at once, before the next row is locked (a
		// transaction does not skip the rows it locked itself).
		if d.Allowed {
			t.final.add(t.Tx.NewInsert().Model(&ev))
			kept := ev.evidence()
			kept.Decision.CalleeZones = d.CalleeZones // not kept: the call row keeps the zone it was placed in
			return t.open(&t.final, c, q, l, kept, req), true, nil
		}
		var w writes
		w.add(t.Tx.NewInsert().Model(&ev))
		t.putBack(&w, q, l, d)
		if err := w.exec(ctx, t.Tx); err != nil {
			return dispatch.Claim{}, false, err
		}
	}
	return dispatch.Claim{}, false, nil
}

// claimable is a queue row with its lead, read together when it is locked.
type claimable struct {
	Queue queueRow `bun:"embed:q_"`
	Lead  leadRow  `bun:"embed:l_"`
}

// nextQueued locks the first claimable row of the contract's share, band by
// band, for agent (nil: a predictive dial, whoever answers it), and reads
// its lead with it; other claimers skip the row (SKIP LOCKED on
// PostgreSQL, which locks the queue row only; SQLite's one writer does the
// same). A callback another agent owns is not the agent's before its
// owner's grace ended. A band is one index seek: PostgreSQL 15 cannot walk
// several bands of the index in order, so they are asked one by one. The
// queries are the same texts for every claim, prepared once per connection.
func (t *tenant) nextQueued(ctx context.Context, contractID uuid.UUID, agent *uuid.UUID) (queueRow, lead.Lead, bool, error) {
	query := "SELECT " + t.columnsAs(queueRow{}, "q", "q_") + ", " + t.columnsAs(leadRow{}, "l", "l_") + `
  FROM dial_queue q JOIN leads l ON l.campaign_id = q.campaign_id AND l.id = q.lead_id
 WHERE q.contract_id = ? AND q.band = ? AND q.holder IS NULL AND q.due_at <= ?`
	const owned = "\n   AND (q.owner_id IS NULL OR q.owner_id = ? OR q.due_at <= ?)"
	tail := "\n ORDER BY q.due_at LIMIT 1"
	if t.db.Dialect == Postgres {
		tail += " FOR UPDATE OF q SKIP LOCKED"
	}
	for _, band := range dispatch.Bands {
		var found []claimable
		sel, args := query+tail, []any{contractID, int(band), t.Now}
		if band == dispatch.Callback {
			sel, args = query+owned+tail, append(args, agent, t.Now.Add(-dispatch.OwnerGrace))
		}
		if err := t.selectPrepared(ctx, &found, sel, args...); err != nil {
			return queueRow{}, lead.Lead{}, false, err
		}
		if len(found) == 0 {
			continue
		}
		l, err := found[0].Lead.lead()
		return found[0].Queue, l, err == nil, err
	}
	return queueRow{}, lead.Lead{}, false, nil
}

func (t *tenant) queuedLead(ctx context.Context, q queueRow) (lead.Lead, error) {
	var r leadRow
	if err := t.Tx.NewSelect().Model(&r).Where("campaign_id = ? AND id = ?", q.CampaignID, q.LeadID).Scan(ctx); err != nil {
		return lead.Lead{}, fmt.Errorf("store: queued lead %s: %w", q.LeadID, err)
	}
	return r.lead()
}

// decideDial asks the compliance engine whether the lead may be called at
// `at` (now for a dial, the promised time for a callback), and keeps the
// decision as evidence of purpose.
func (t *tenant) decideDial(ctx context.Context, lists *nationallist.Registry, c campaign.Campaign, l lead.Lead, callerID string, purpose compliance.Purpose, at time.Time) (compliance.Decision, error) {
	d, ev, err := t.judgeDial(ctx, lists, c, l, callerID, purpose, at)
	if err != nil {
		return d, err
	}
	_, err = t.Tx.NewInsert().Model(&ev).Exec(ctx)
	return d, err
}

// judgeDial is decideDial's question, with what the stores know of the
// lead's number and the client's calls to it from every center; it
// answers the decision and its evidence, not yet written.
func (t *tenant) judgeDial(ctx context.Context, lists *nationallist.Registry, c campaign.Campaign, l lead.Lead, callerID string, purpose compliance.Purpose, at time.Time) (compliance.Decision, decisionRow, error) {
	facts, err := t.screen(ctx, l.Phone, true)
	if err != nil {
		return compliance.Decision{}, decisionRow{}, err
	}
	in := l.Input(screened(c), facts.Consents)
	if in.Number, err = phone.Parse(l.Phone, l.Region); err != nil { // stored in E.164: only its zones are new
		return compliance.Decision{}, decisionRow{}, err
	}
	in.Suppressions, in.National, in.CallerID = facts.Suppressions, lists.Check(l.Phone), callerID
	in.Attempts, in.Refusals = facts.Attempts, facts.Refusals
	d := compliance.Decide(in, at)
	return d, t.decisionRow(compliance.Evidence{CampaignID: &c.ID, LeadID: &l.ID, Phone: l.Phone,
		Purpose: purpose, DecidedAt: at, Decision: d}), nil
}

// open adds to w the writes of an allowed claim: its call, the queue row
// leased to it, its lead marked in call.
func (t *tenant) open(w *writes, c campaign.Campaign, q queueRow, l lead.Lead, ev compliance.Evidence, req dispatch.ClaimRequest) dispatch.Claim {
	zone := ""
	if len(ev.Decision.CalleeZones) > 0 {
		zone = ev.Decision.CalleeZones[0]
	}
	k := call.Call{ID: newID(), ClientID: t.OrgID(), CenterID: q.CenterID, CampaignID: c.ID, ContractID: &q.ContractID,
		LeadID: l.ID, AgentID: req.Agent, Mode: c.DialingMode, Phone: l.Phone, Country: l.Region, Timezone: zone,
		Audience: string(c.Audience), Kind: string(c.Kind), RuleSet: ev.Decision.RuleSet, DecisionID: ev.ID,
		CallerID: req.CallerID, ClaimedAt: t.Now}
	row := callRowOf(k)
	w.add(t.Tx.NewInsert().Model(&row))
	lease := t.Now.Add(dispatch.Lease)
	w.add(t.Tx.NewUpdate().Model((*queueRow)(nil)).Set("holder = ?, lease_until = ?", k.ID, lease).
		Where("campaign_id = ? AND lead_id = ?", q.CampaignID, q.LeadID))
	w.add(t.leadStatus(l, lead.InCall, nil))
	l.Status = lead.InCall
	return dispatch.Claim{Call: k, Lead: l, LeaseUntil: lease}
}

// putBack adds to w the return of a lead the rules do not allow now to the
// queue at its next allowed time, where no claim sees it before then; a
// lead no time will allow leaves the queue, blocked with why.
func (t *tenant) putBack(w *writes, q queueRow, l lead.Lead, d compliance.Decision) {
	if d.NextAllowedAt != nil {
		w.add(t.Tx.NewUpdate().Model((*queueRow)(nil)).Set("due_at = ?", d.NextAllowedAt.UTC()).
			Where("campaign_id = ? AND lead_id = ?", q.CampaignID, q.LeadID))
		return
	}
	w.add(t.Tx.NewDelete().Model((*queueRow)(nil)).Where("campaign_id = ? AND lead_id = ?", q.CampaignID, q.LeadID))
	w.add(t.leadStatus(l, lead.Blocked, &lead.Block{Reason: d.Reason, Rule: d.Rule, Source: d.Source,
		RuleSet: d.RuleSet, Explanation: d.Explanation, CheckedAt: t.Now}))
}

func (t *tenant) setLeadStatus(ctx context.Context, l lead.Lead, status lead.Status, block *lead.Block) error {
	_, err := t.leadStatus(l, status, block).Exec(ctx)
	return err
}

// leadStatus is the update that sets a lead's status (and why it is
// blocked, with block).
func (t *tenant) leadStatus(l lead.Lead, status lead.Status, block *lead.Block) *bun.UpdateQuery {
	u := t.Tx.NewUpdate().Model((*leadRow)(nil)).Set("status = ?, updated_at = ?", status, t.Now).
		Where("campaign_id = ? AND id = ?", l.CampaignID, l.ID)
	if block != nil {
		u.Set("block_reason = ?, block = ?", block.Reason, jsonText(block))
	}
	return u
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
