package store

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/script"
)

type callRow struct {
	bun.BaseModel `bun:"table:calls,alias:k"`

	ID                uuid.UUID  `bun:"id,pk"`
	OrgID             uuid.UUID  `bun:"org_id"`
	CenterID          uuid.UUID  `bun:"center_id"`
	CampaignID        uuid.UUID  `bun:"campaign_id"`
	ContractID        *uuid.UUID `bun:"contract_id"`
	LeadID            uuid.UUID  `bun:"lead_id"`
	AgentID           *uuid.UUID `bun:"agent_id"`
	Mode              string     `bun:"mode"`
	Phone             string     `bun:"phone"`
	Country           string     `bun:"country"`
	Timezone          string     `bun:"timezone"`
	Audience          string     `bun:"audience"`
	Kind              string     `bun:"kind"`
	RuleSet           string     `bun:"rule_set"`
	DecisionID        uuid.UUID  `bun:"decision_id"`
	CallerID          string     `bun:"caller_id"`
	ClaimedAt         time.Time  `bun:"claimed_at"`
	DialedAt          *time.Time `bun:"dialed_at"`
	RingingAt         *time.Time `bun:"ringing_at"`
	AnsweredAt        *time.Time `bun:"answered_at"`
	BridgedAt         *time.Time `bun:"bridged_at"`
	EndedAt           *time.Time `bun:"ended_at"`
	Result            string     `bun:"result"`
	Cause             string     `bun:"cause"`
	TalkSeconds       int        `bun:"talk_seconds"`
	Disposition       string     `bun:"disposition"`
	DispositionFields *string    `bun:"disposition_fields"`
	ScriptVersion     int        `bun:"script_version"`
	ScriptPath        *string    `bun:"script_path"`
	Notes             string     `bun:"notes"`
	Recording         string     `bun:"recording"`
	ExternalID        *string    `bun:"external_id"`
	DialRequestedAt   *time.Time `bun:"dial_requested_at"`
	HangupRequestedAt *time.Time `bun:"hangup_requested_at"`
}

func callRowOf(k call.Call) callRow {
	r := callRow{ID: k.ID, OrgID: k.ClientID, CenterID: k.CenterID, CampaignID: k.CampaignID, ContractID: k.ContractID,
		LeadID: k.LeadID, AgentID: k.AgentID, Mode: string(k.Mode), Phone: k.Phone, Country: k.Country, Timezone: k.Timezone,
		Audience: k.Audience, Kind: k.Kind, RuleSet: k.RuleSet, DecisionID: k.DecisionID, CallerID: k.CallerID,
		ClaimedAt: k.ClaimedAt, DialedAt: k.DialedAt, RingingAt: k.RingingAt, AnsweredAt: k.AnsweredAt, BridgedAt: k.BridgedAt,
		EndedAt: k.EndedAt, Result: string(k.Result), Cause: k.Cause, TalkSeconds: k.TalkSeconds,
		Disposition: string(k.Disposition), ScriptVersion: k.ScriptVersion, Notes: k.Notes, Recording: k.Recording,
		ExternalID: k.ExternalID}
	if len(k.DispositionFields) > 0 {
		r.DispositionFields = jsonText(k.DispositionFields)
	}
	if len(k.ScriptPath) > 0 {
		r.ScriptPath = jsonText(k.ScriptPath)
	}
	return r
}

func (r callRow) call() (call.Call, error) {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	k := call.Call{ID: r.ID, ClientID: r.OrgID, CenterID: r.CenterID, CampaignID: r.CampaignID, ContractID: r.ContractID,
		LeadID: r.LeadID, AgentID: r.AgentID, Mode: campaign.DialingMode(r.Mode), Phone: r.Phone, Country: r.Country,
		Timezone: r.Timezone, Audience: r.Audience, Kind: r.Kind, RuleSet: r.RuleSet, DecisionID: r.DecisionID,
		CallerID: r.CallerID, ClaimedAt: r.ClaimedAt.UTC(), DialedAt: utc(r.DialedAt), RingingAt: utc(r.RingingAt),
		AnsweredAt: utc(r.AnsweredAt), BridgedAt: utc(r.BridgedAt), EndedAt: utc(r.EndedAt), Result: dialing.Result(r.Result),
		Cause: r.Cause, TalkSeconds: r.TalkSeconds, Disposition: script.Disposition(r.Disposition),
		ScriptVersion: r.ScriptVersion, Notes: r.Notes, Recording: r.Recording, ExternalID: r.ExternalID}
	if r.DispositionFields != nil {
		if err := json.Unmarshal([]byte(*r.DispositionFields), &k.DispositionFields); err != nil {
			return k, err
		}
	}
	if r.ScriptPath != nil {
		if err := json.Unmarshal([]byte(*r.ScriptPath), &k.ScriptPath); err != nil {
			return k, err
		}
	}
	return k, nil
}

// Dialed records that the dialer placed the call.
func (s *Dispatch) Dialed(ctx context.Context, callID uuid.UUID, at time.Time) error {
	return s.stamp(ctx, callID, "dialed_at", at)
}

// Bridged records that the answered callee was put through to an agent.
func (s *Dispatch) Bridged(ctx context.Context, callID, agentID uuid.UUID, at time.Time) error {
	return do(ctx, s.db, func(t *tenant) error {
		_, err := t.Tx.NewUpdate().Model((*callRow)(nil)).Set("bridged_at = COALESCE(bridged_at, ?), agent_id = ?", at.UTC(), agentID).
			Where("id = ? AND org_id = ? AND ended_at IS NULL", callID, t.OrgID()).Exec(ctx)
		return err
	})
}

// stamp sets one of the call's times, once: a repeated event keeps the first.
func (s *Dispatch) stamp(ctx context.Context, callID uuid.UUID, column string, at time.Time) error {
	return do(ctx, s.db, func(t *tenant) error {
		_, err := t.Tx.NewUpdate().Model((*callRow)(nil)).Set("? = COALESCE(?, ?)", bun.Ident(column), bun.Ident(column), at.UTC()).
			Where("id = ? AND org_id = ?", callID, t.OrgID()).Exec(ctx)
		return err
	})
}

// Record keeps what the dialer reported of a call. Ringing and answered
// set their time once. The end closes the call once — an end reported
// again changes nothing — and settles its lead: a call that reached no one
// is retried by the campaign's policy, within the rules, or ends the lead;
// an answered call keeps its lead held for the agent's disposition.
func (s *Dispatch) Record(ctx context.Context, ev dialing.Event) error {
	switch ev.Kind {
	case dialing.EventRinging:
		return s.stamp(ctx, ev.CallID, "ringing_at", ev.At)
	case dialing.EventAnswered:
		return s.stamp(ctx, ev.CallID, "answered_at", ev.At)
	case dialing.EventEnded:
		return do(ctx, s.db, func(t *tenant) error {
			_, err := t.endCalls(ctx, s.retry, []callEnd{{Event: ev}})
			return err
		})
	}
	return nil
}

// callEnd is the end of one call, as a dialer's event or a center's call
// detail record reports it.
type callEnd struct {
	dialing.Event // CallID, At (the hang-up), Result, Cause, Recording
	// A record also says when the call was placed and answered — kept
	// unless an event said so first — and the dialer's id of the call.
	DialedAt, AnsweredAt *time.Time
	ExternalID           *string
	// Center, when set, limits the end to a call that center placed and
	// that no record of its dialer ended yet.
	Center *uuid.UUID
}

// endValues is a call's end as one row of the values an UPDATE joins.
type endValues struct {
	ID          uuid.UUID  `bun:"id,type:uuid"`
	EndedAt     time.Time  `bun:"ended_at,type:timestamptz"`
	Result      string     `bun:"result"`
	Cause       string     `bun:"cause"`
	Recording   string     `bun:"recording"`
	DialedAt    *time.Time `bun:"dialed_at,type:timestamptz"`
	AnsweredAt  *time.Time `bun:"answered_at,type:timestamptz"`
	TalkSeconds int        `bun:"talk_seconds"`
	ExternalID  *string    `bun:"external_id"`
	CenterID    *uuid.UUID `bun:"center_id,type:uuid"`
}

// endCalls closes the open calls of ends, once each — the end of a call
// closed before is a repeat and changes nothing — and settles their
// leads. It returns the calls it closed. Our own dialer's events and a
// center's records take this one path, so a lead is settled alike
// whoever dialled it; a batch of ends costs a few statements, not a few
// per call.
func (t *tenant) endCalls(ctx context.Context, retry dispatch.RetryPolicy, ends []callEnd) ([]callRow, error) {
	if len(ends) == 0 {
		return nil, nil
	}
	values, ids := make([]endValues, len(ends)), make([]uuid.UUID, len(ends))
	for i, e := range ends {
		ids[i] = e.CallID
		v := endValues{ID: e.CallID, EndedAt: e.At.UTC(), Result: string(e.Result), Cause: e.Cause, Recording: e.Recording,
			DialedAt: utcOrNil(e.DialedAt), AnsweredAt: utcOrNil(e.AnsweredAt), ExternalID: e.ExternalID, CenterID: e.Center}
		if v.AnsweredAt != nil {
			v.TalkSeconds = talkSeconds(*v.AnsweredAt, v.EndedAt)
		}
		values[i] = v
	}
	returning := "k.*"
	if t.db.Dialect != Postgres {
		returning = "*" // SQLite's RETURNING names the updated table's columns only
	}
	var closed []callRow
	err := joinValues(t, values, (*callRow)(nil)).
		Set("ended_at = _data.ended_at, result = _data.result, cause = _data.cause, recording = _data.recording").
		Set("dialed_at = COALESCE(k.dialed_at, _data.dialed_at), answered_at = COALESCE(k.answered_at, _data.answered_at)").
		Set("talk_seconds = _data.talk_seconds, external_id = COALESCE(_data.external_id, k.external_id)").
		// The ids, besides the join, have the calls read by their key,
		// whatever the planner believes of the open calls.
		Where("k.id IN (?) AND k.id = _data.id AND k.org_id = ? AND k.ended_at IS NULL", bun.List(ids), t.OrgID()).
		Where("(_data.center_id IS NULL OR k.center_id = _data.center_id AND k.external_id IS NULL)").
		Returning(returning).Scan(ctx, &closed)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	for i, r := range closed {
		// The talk counts from the first answer: an earlier event's, when
		// the call had one.
		if r.AnsweredAt == nil {
			continue
		}
		if talk := talkSeconds(*r.AnsweredAt, *r.EndedAt); talk != r.TalkSeconds {
			closed[i].TalkSeconds = talk
			if _, err := t.Tx.NewUpdate().Model((*callRow)(nil)).Set("talk_seconds = ?", talk).Where("id = ?", r.ID).Exec(ctx); err != nil {
				return nil, err
			}
		}
	}
	return closed, t.settle(ctx, retry, closed)
}

// joinValues is an UPDATE of model's table joined to rows, named _data.
func joinValues[R any](t *tenant, rows []R, model any) *bun.UpdateQuery {
	return t.Tx.NewUpdate().With("_data", t.Tx.NewValues(&rows)).Model(model).TableExpr("_data")
}

func talkSeconds(answered, ended time.Time) int { return max(int(ended.Sub(answered).Seconds()), 0) }

func utcOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// leadKey names a lead of a campaign.
type leadKey struct{ campaign, lead uuid.UUID }

// settle moves the leads of ended calls on: back to the queue as a retry,
// held for the agent's disposition after a conversation, or done. The
// statements are shared by the calls of a batch; when calls of one lead
// end together, the last one's settlement stands, as if they had ended one
// after the other.
func (t *tenant) settle(ctx context.Context, retry dispatch.RetryPolicy, ended []callRow) error {
	attempts, err := t.attempts(ctx, ended)
	if err != nil {
		return err
	}
	var order []leadKey
	statuses := map[leadKey]lead.Status{}
	// The queue rows of the calls' leads: held for the disposition after a
	// conversation, called again later, or finished.
	var held, retried, finished []queueValues
	for _, r := range ended {
		k, at, result := leadKey{r.CampaignID, r.LeadID}, r.EndedAt.UTC(), dialing.Result(r.Result)
		queued := queueValues{CampaignID: r.CampaignID, LeadID: r.LeadID, Holder: r.ID}
		next, again := retry.Next(result, attempts[k], at)
		var status lead.Status
		switch {
		case result == dialing.Answered:
			queued.At = at.Add(dispatch.DispositionWait)
			held = append(held, queued)
			continue
		case again:
			queued.At = next.UTC()
			retried = append(retried, queued)
			status = lead.Retry
		default:
			finished = append(finished, queued)
			status = lead.Done
		}
		if _, seen := statuses[k]; !seen {
			order = append(order, k)
		}
		statuses[k] = status
	}
	if len(held) > 0 {
		if _, err := joinValues(t, held, (*queueRow)(nil)).Set("lease_until = _data.at").Where(queueKeys(held)).Where(queueJoin).Exec(ctx); err != nil {
			return err
		}
	}
	if len(retried) > 0 {
		if _, err := joinValues(t, retried, (*queueRow)(nil)).Set("holder = NULL, lease_until = NULL, band = ?, due_at = _data.at, owner_id = NULL", int(dispatch.Retry)).
			Where(queueKeys(retried)).Where(queueJoin).Exec(ctx); err != nil {
			return err
		}
	}
	if len(finished) > 0 {
		if _, err := t.Tx.NewDelete().Model((*queueRow)(nil)).Where(queueKeys(finished)).Exec(ctx); err != nil {
			return err
		}
	}
	type settled struct {
		campaign uuid.UUID
		status   lead.Status
	}
	grouped := map[settled][]uuid.UUID{}
	for _, k := range order {
		g := settled{k.campaign, statuses[k]}
		grouped[g] = append(grouped[g], k.lead)
	}
	for g, ids := range grouped {
		if _, err := t.Tx.NewUpdate().Model((*leadRow)(nil)).Set("status = ?, updated_at = ?", g.status, t.Now).
			Where("campaign_id = ? AND id IN (?)", g.campaign, bun.List(ids)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// queueValues is the queue row a call held, and the time it is held to or
// due again, as one row of the values an UPDATE joins.
type queueValues struct {
	CampaignID uuid.UUID `bun:"campaign_id,type:uuid"`
	LeadID     uuid.UUID `bun:"lead_id,type:uuid"`
	Holder     uuid.UUID `bun:"holder,type:uuid"`
	At         time.Time `bun:"at,type:timestamptz"`
}

// queueJoin joins queue rows to their values.
const queueJoin = "q.campaign_id = _data.campaign_id AND q.lead_id = _data.lead_id AND q.holder = _data.holder"

// queueKeys limits a statement to the queue rows held by the calls of
// rows (a holder names its lead), read by the queue's key whatever the
// planner believes of the table.
func queueKeys(rows []queueValues) (string, any, any, any) {
	campaigns, leads, holders := map[uuid.UUID]bool{}, make([]uuid.UUID, len(rows)), make([]uuid.UUID, len(rows))
	for i, r := range rows {
		campaigns[r.CampaignID], leads[i], holders[i] = true, r.LeadID, r.Holder
	}
	return "q.campaign_id IN (?) AND q.lead_id IN (?) AND q.holder IN (?)",
		bun.List(slices.Collect(maps.Keys(campaigns))), bun.List(leads), bun.List(holders)
}

// attempts counts the calls of each lead of ended calls that reached no
// one: the attempts their retry policy weighs.
func (t *tenant) attempts(ctx context.Context, ended []callRow) (map[leadKey]int, error) {
	var leads []uuid.UUID
	for _, r := range ended {
		if dialing.Result(r.Result) != dialing.Answered {
			leads = append(leads, r.LeadID)
		}
	}
	if len(leads) == 0 {
		return nil, nil
	}
	// By the leads alone (calls_lead): a lead's id is its own across
	// campaigns.
	var counts []struct {
		CampaignID uuid.UUID `bun:"campaign_id"`
		LeadID     uuid.UUID `bun:"lead_id"`
		N          int       `bun:"n"`
	}
	if err := t.Tx.NewSelect().Model((*callRow)(nil)).ColumnExpr("campaign_id, lead_id, COUNT(*) AS n").
		Where("lead_id IN (?)", bun.List(leads)).Group("campaign_id", "lead_id").Scan(ctx, &counts); err != nil {
		return nil, err
	}
	out := make(map[leadKey]int, len(counts))
	for _, c := range counts {
		out[leadKey{c.CampaignID, c.LeadID}] = c.N
	}
	return out, nil
}

// finishLead takes the lead of call r out of the queue with its status. A
// lead the call no longer holds (its lease lapsed and it went back to the
// pool) is left as it is.
func (t *tenant) finishLead(ctx context.Context, r callRow, status lead.Status) error {
	res, err := t.Tx.NewDelete().Model((*queueRow)(nil)).
		Where("campaign_id = ? AND lead_id = ? AND holder = ?", r.CampaignID, r.LeadID, r.ID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return t.setLeadStatus(ctx, lead.Lead{ID: r.LeadID, CampaignID: r.CampaignID}, status, nil)
}

// Renew extends the leases of the calls a dialer still holds.
func (s *Dispatch) Renew(ctx context.Context, callIDs []uuid.UUID) error {
	if len(callIDs) == 0 {
		return nil
	}
	return do(ctx, s.db, func(t *tenant) error {
		_, err := t.Tx.NewUpdate().Model((*queueRow)(nil)).Set("lease_until = ?", t.Now.Add(dispatch.Lease)).
			Where("org_id = ? AND holder IN (?)", t.OrgID(), bun.List(callIDs)).Exec(ctx)
		return err
	})
}
