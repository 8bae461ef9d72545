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
	db     *DB
	lists  *nationallist.Registry
	retry  dispatch.RetryPolicy
	claims claimGroups
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
// The claims asked of a campaign at the same time are served together, a
// batch to a transaction (claimGroups).
func (s *Dispatch) Claim(ctx context.Context, req dispatch.ClaimRequest) (dispatch.Claim, bool, error) {
	return s.claims.claim(ctx, req)
}

// claimAll serves a batch of claims on one campaign, in one transaction.
func (s *Dispatch) claimAll(ctx context.Context, reqs []dispatch.ClaimRequest) ([]claimAnswer, error) {
	return run(ctx, s.db, func(t *tenant) ([]claimAnswer, error) { return t.claimAll(ctx, s.lists, reqs) })
}

// claimAll answers reqs in rounds: each locks a row for every claim still
// waiting, screens their numbers in one query and decides each; a claim
// whose lead the rules refuse now waits for the next round, until
// maxSkips rounds have passed.
func (t *tenant) claimAll(ctx context.Context, lists *nationallist.Registry, reqs []dispatch.ClaimRequest) ([]claimAnswer, error) {
	answers := make([]claimAnswer, len(reqs))
	c, err := t.campaign(ctx, reqs[0].CampaignID)
	if err != nil || c.Status != campaign.Running {
		return answers, err
	}
	if c.OrgID != t.OrgID() {
		return nil, apperr.New(apperr.Forbidden, "store.dispatch.client_only",
			"leads are claimed in the name of the campaign's client: a center asks through its agents")
	}
	waiting := make([]int, len(reqs)) // the claims not answered yet, by their place in reqs
	for i := range waiting {
		waiting[i] = i
	}
	for range maxSkips {
		offers, err := t.lockQueued(ctx, reqs, waiting)
		if err != nil || len(offers) == 0 {
			return answers, err
		}
		phones := make([]string, len(offers))
		for i, o := range offers {
			phones[i] = o.lead.Phone
		}
		facts, err := t.screenAll(ctx, phones, true)
		if err != nil {
			return nil, err
		}
		var opened openings
		var putBack writes
		waiting = waiting[:0]
		for _, o := range offers {
			req := reqs[o.ask]
			known := facts[o.lead.Phone]
			d, ev, err := t.judge(lists, c, o.lead, known, req.CallerID, compliance.PurposeDial, t.Now)
			if err != nil {
				return nil, err
			}
			switch {
			case d.Allowed:
				answers[o.ask] = claimAnswer{claim: opened.open(t, c, o.queue, o.lead, ev, d, req), found: true}
				// A second lead of the batch with the same number sees this call.
				known.Attempts = append(known.Attempts, compliance.Attempt{At: t.Now})
				facts[o.lead.Phone] = known
			case d.Reason.OfTheCaller(): // the lead stays queued, and the campaign waits for a number it may present
				answers[o.ask].err = apperr.New(apperr.Invalid, "store.dispatch.caller_id",
					"the number presented (%q) may not be under %s: no lead is claimed until the dialer presents one that may", req.CallerID, d.Rule)
			default:
				putBack.add(t.Tx.NewInsert().Model(&ev))
				t.putBack(&putBack, o.queue, o.lead, d)
				waiting = append(waiting, o.ask)
			}
		}
		var written writes
		opened.add(t, &written, c)
		written.stmts = append(written.stmts, putBack.stmts...)
		if len(waiting) == 0 { // the writes go with the COMMIT
			t.final.stmts = append(t.final.stmts, written.stmts...)
			return answers, nil
		}
		// The next round locks more rows: this round's are written first,
		// claimed or put back, as a transaction does not skip the rows it
		// locked itself.
		if err := written.exec(ctx, t.Tx); err != nil {
			return nil, err
		}
	}
	return answers, nil
}

// claimable is a queue row with its lead, read together when it is locked.
type claimable struct {
	Queue queueRow `bun:"embed:q_"`
	Lead  leadRow  `bun:"embed:l_"`
}

// offer is a queue row locked for a claim of a batch (its place in the
// batch), with its lead.
type offer struct {
	ask   int
	queue queueRow
	lead  lead.Lead
}

// lockQueued locks a queue row for each claim of asks that one is left
// for, from its contract's share.
func (t *tenant) lockQueued(ctx context.Context, reqs []dispatch.ClaimRequest, asks []int) ([]offer, error) {
	var contracts []uuid.UUID
	byContract := map[uuid.UUID][]int{}
	for _, i := range asks {
		id := reqs[i].ContractID
		if byContract[id] == nil {
			contracts = append(contracts, id)
		}
		byContract[id] = append(byContract[id], i)
	}
	var offers []offer
	for _, id := range contracts {
		share, err := t.lockShare(ctx, id, reqs, byContract[id])
		if err != nil {
			return nil, err
		}
		offers = append(offers, share...)
	}
	return offers, nil
}

// lockShare locks the first claimable rows of the contract's share, band
// by band, one for each claim of asks, and reads their leads with them;
// other claimers skip the rows (SKIP LOCKED on PostgreSQL, which locks the
// queue rows only; SQLite's one writer does the same). A callback an agent
// of the batch owns goes to that agent; a callback another agent owns is
// no one else's before its owner's grace ended. A band is one index seek:
// PostgreSQL 15 cannot walk several bands of the index in order, so they
// are asked one by one. The queries are the same texts for every batch,
// prepared once per connection.
func (t *tenant) lockShare(ctx context.Context, contractID uuid.UUID, reqs []dispatch.ClaimRequest, asks []int) ([]offer, error) {
	query := "SELECT " + t.columnsAs(queueRow{}, "q", "q_") + ", " + t.columnsAs(leadRow{}, "l", "l_") + `
  FROM dial_queue q JOIN leads l ON l.campaign_id = q.campaign_id AND l.id = q.lead_id
 WHERE q.contract_id = ? AND q.band = ? AND q.holder IS NULL AND q.due_at <= ?`
	grace := t.Now.Add(-dispatch.OwnerGrace)
	// uuid.Nil stands for no agent: the list is never empty.
	agents := []string{uuid.Nil.String()}
	for _, i := range asks {
		if a := reqs[i].Agent; a != nil {
			agents = append(agents, a.String())
		}
	}
	owners, ownersArg := t.anyOf(agents)
	owned := "\n   AND (q.owner_id IS NULL OR q.due_at <= ? OR q.owner_id " + owners + ")"
	tail := "\n ORDER BY q.due_at LIMIT ?"
	if t.db.Dialect == Postgres {
		tail += " FOR UPDATE OF q SKIP LOCKED"
	}
	var offers []offer
	for _, band := range dispatch.Bands {
		if len(asks) == 0 {
			break
		}
		sel, args := query+tail, []any{contractID, int(band), t.Now}
		if band == dispatch.Callback {
			sel, args = query+owned+tail, append(args, grace, ownersArg)
		}
		var found []claimable
		if err := t.selectPrepared(ctx, &found, sel, append(args, len(asks))...); err != nil {
			return nil, err
		}
		var handed []offer
		var err error
		if handed, asks, err = handOut(found, reqs, asks, grace); err != nil {
			return nil, err
		}
		offers = append(offers, handed...)
	}
	return offers, nil
}

// handOut gives each claim of asks one of the rows found, a callback to
// the agent who owns it first, and answers the claims left without one.
// A row owned by an agent not in the batch whose grace has not ended is
// nobody's here.
func handOut(found []claimable, reqs []dispatch.ClaimRequest, asks []int, grace time.Time) ([]offer, []int, error) {
	var offers []offer
	give := func(row claimable, at int) error {
		l, err := row.Lead.lead()
		if err != nil {
			return err
		}
		offers = append(offers, offer{ask: asks[at], queue: row.Queue, lead: l})
		asks = append(asks[:at:at], asks[at+1:]...)
		return nil
	}
	var open []claimable
	for _, row := range found {
		owner := row.Queue.OwnerID
		if owner == nil || !row.Queue.DueAt.After(grace) {
			open = append(open, row)
			continue
		}
		for at, i := range asks {
			if a := reqs[i].Agent; a != nil && *a == *owner {
				if err := give(row, at); err != nil {
					return nil, nil, err
				}
				break
			}
		}
	}
	for _, row := range open {
		if len(asks) == 0 {
			break
		}
		if err := give(row, 0); err != nil {
			return nil, nil, err
		}
	}
	return offers, asks, nil
}

// anyOf is the condition that a column is one of values, and its
// argument: an array on PostgreSQL, one statement text whatever the count
// (prepared once), a list written in on SQLite.
func (t *tenant) anyOf(values []string) (string, any) {
	if t.db.Dialect == Postgres {
		return "= ANY(?)", values
	}
	return "IN (?)", bun.List(values)
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
	return t.judge(lists, c, l, facts, callerID, purpose, at)
}

// judge is judgeDial's decision, on the facts screened.
func (t *tenant) judge(lists *nationallist.Registry, c campaign.Campaign, l lead.Lead, facts Screening, callerID string, purpose compliance.Purpose, at time.Time) (compliance.Decision, decisionRow, error) {
	in := l.Input(screened(c), facts.Consents)
	var err error
	if in.Number, err = phone.Parse(l.Phone, l.Region); err != nil { // stored in E.164: only its zones are new
		return compliance.Decision{}, decisionRow{}, err
	}
	in.Suppressions, in.National, in.CallerID = facts.Suppressions, lists.Check(l.Phone), callerID
	in.Attempts, in.Refusals = facts.Attempts, facts.Refusals
	d := compliance.Decide(in, at)
	return d, t.decisionRow(compliance.Evidence{CampaignID: &c.ID, LeadID: &l.ID, Phone: l.Phone,
		Purpose: purpose, DecidedAt: at, Decision: d}), nil
}

// openings are the writes of a batch's allowed claims, a statement per
// table whatever their number: their evidence, their calls, the queue
// rows leased to them, their leads marked in call.
type openings struct {
	evidence []decisionRow
	calls    []callRow
	leases   []leaseValues
	leads    []uuid.UUID
}

// leaseValues are a queue row's lease to a call, for a batch's update.
type leaseValues struct {
	LeadID uuid.UUID `bun:"lead_id,type:uuid"`
	Holder uuid.UUID `bun:"holder,type:uuid"`
}

// open adds an allowed claim of campaign c, with its evidence, to o, and
// answers it.
func (o *openings) open(t *tenant, c campaign.Campaign, q queueRow, l lead.Lead, ev decisionRow, d compliance.Decision, req dispatch.ClaimRequest) dispatch.Claim {
	zone := ""
	if len(d.CalleeZones) > 0 {
		zone = d.CalleeZones[0]
	}
	k := call.Call{ID: newID(), ClientID: t.OrgID(), CenterID: q.CenterID, CampaignID: c.ID, ContractID: &q.ContractID,
		LeadID: l.ID, AgentID: req.Agent, Mode: c.DialingMode, Phone: l.Phone, Country: l.Region, Timezone: zone,
		Audience: string(c.Audience), Kind: string(c.Kind), RuleSet: d.RuleSet, DecisionID: ev.ID,
		CallerID: req.CallerID, ClaimedAt: t.Now}
	o.evidence = append(o.evidence, ev)
	o.calls = append(o.calls, callRowOf(k))
	o.leases = append(o.leases, leaseValues{LeadID: l.ID, Holder: k.ID})
	o.leads = append(o.leads, l.ID)
	l.Status = lead.InCall
	return dispatch.Claim{Call: k, Lead: l, LeaseUntil: t.Now.Add(dispatch.Lease)}
}

// add adds o's statements, for campaign c, to w; none when o is empty.
func (o *openings) add(t *tenant, w *writes, c campaign.Campaign) {
	if len(o.calls) == 0 {
		return
	}
	w.add(t.Tx.NewInsert().Model(&o.evidence))
	w.add(t.Tx.NewInsert().Model(&o.calls))
	w.add(joinValues(t, o.leases, (*queueRow)(nil)).Set("holder = _data.holder, lease_until = ?", t.Now.Add(dispatch.Lease)).
		Where("q.campaign_id = ? AND q.lead_id = _data.lead_id", c.ID))
	w.add(t.Tx.NewUpdate().Model((*leadRow)(nil)).Set("status = ?, updated_at = ?", lead.InCall, t.Now).
		Where("campaign_id = ? AND id IN (?)", c.ID, bun.List(o.leads)))
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
