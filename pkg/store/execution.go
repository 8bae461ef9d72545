package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Execution is the use cases of the engine that runs campaigns: which
// campaigns run, which process paces each, and the return of the work of
// holders that vanished.
type Execution struct {
	db    *DB
	retry dispatch.RetryPolicy
}

// Running lists the campaigns that are running, across every client: the
// engine's roll call, made in the system scope because no tenant is known
// before it.
func (s *Execution) Running(ctx context.Context) ([]execution.Campaign, error) {
	var rows []struct {
		ID       uuid.UUID `bun:"id"`
		OrgID    uuid.UUID `bun:"org_id"`
		Mode     string    `bun:"dialing_mode"`
		Country  string    `bun:"country"`
		Audience string    `bun:"audience"`
		Kind     string    `bun:"campaign_kind"`
		Record   bool      `bun:"record_calls"`
		OrgKind  string    `bun:"kind"`
		OrgName  string    `bun:"name"`
	}
	err := s.db.inSystem(ctx, "engine: running campaigns", func(tx bun.Tx) error {
		return tx.NewSelect().TableExpr("campaigns AS c").Join("JOIN orgs AS o ON o.id = c.org_id").
			ColumnExpr("c.id, c.org_id, c.dialing_mode, c.country, c.audience, c.kind AS campaign_kind, c.record_calls, o.kind, o.name").
			Where("c.status = ?", campaign.Running).OrderExpr("c.id").Scan(ctx, &rows)
	})
	out := make([]execution.Campaign, len(rows))
	for i, r := range rows {
		out[i] = execution.Campaign{ID: r.ID, Mode: campaign.DialingMode(r.Mode), Country: r.Country,
			Audience: compliance.Audience(r.Audience), Kind: compliance.Kind(r.Kind), Record: r.Record,
			Client: tenancy.Org{ID: r.OrgID, Kind: tenancy.OrgKind(r.OrgKind), Name: r.OrgName}}
	}
	return out, err
}

type pacerLeaseRow struct {
	bun.BaseModel `bun:"table:pacer_leases,alias:pacer_leases"`

	CampaignID uuid.UUID `bun:"campaign_id,pk"`
	OrgID      uuid.UUID `bun:"org_id"`
	Holder     string    `bun:"holder"`
	LeaseUntil time.Time `bun:"lease_until"`
}

// Pace takes or renews the campaign's pacer lease for holder, a process's
// name, until now+d, and reports whether holder has it: one pacer per
// running campaign across every process, taken over once a holder that
// died lets its lease lapse.
func (s *Execution) Pace(ctx context.Context, campaignID uuid.UUID, holder string, d time.Duration) (bool, error) {
	return run(ctx, s.db, func(t *tenant) (bool, error) {
		mine, err := t.Tx.NewSelect().Model((*campaignRow)(nil)).Where("id = ? AND org_id = ?", campaignID, t.OrgID()).Exists(ctx)
		if err != nil {
			return false, err
		}
		if !mine {
			return false, apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
		}
		lease := pacerLeaseRow{CampaignID: campaignID, OrgID: t.OrgID(), Holder: holder, LeaseUntil: t.Now.Add(d)}
		res, err := t.Tx.NewInsert().Model(&lease).
			On("CONFLICT (campaign_id) DO UPDATE").
			Set("holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until").
			Where("pacer_leases.holder = EXCLUDED.holder OR pacer_leases.lease_until < ?", t.Now).Exec(ctx)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	})
}

// Unpace gives the campaign's pacer lease up, so that another process may
// take it at once (a campaign paused, a process stopping cleanly).
func (s *Execution) Unpace(ctx context.Context, campaignID uuid.UUID, holder string) error {
	return do(ctx, s.db, func(t *tenant) error {
		_, err := t.Tx.NewDelete().Model((*pacerLeaseRow)(nil)).
			Where("campaign_id = ? AND org_id = ? AND holder = ?", campaignID, t.OrgID(), holder).Exec(ctx)
		return err
	})
}

// heldReason is a pacer's hold reason as pacer_leases keeps it: a coded
// message, said again in the reader's language when it is shown.
type heldReason struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Args    []string `json:"args,omitempty"`
}

// Hold records, on the campaign's pacer lease held by holder, that the
// pacer places no call until until, because of reason (the dialer's
// refusal); a nil reason clears it. The campaign's centers read it in
// their brief (CenterViews.Brief).
func (s *Execution) Hold(ctx context.Context, campaignID uuid.UUID, holder string, until time.Time, reason error) error {
	return do(ctx, s.db, func(t *tenant) error {
		q := t.Tx.NewUpdate().Model((*pacerLeaseRow)(nil)).
			Where("campaign_id = ? AND org_id = ? AND holder = ?", campaignID, t.OrgID(), holder)
		if reason == nil {
			q = q.Set("held_until = NULL, held_reason = NULL")
		} else {
			q = q.Set("held_until = ?, held_reason = ?", until.UTC(), *jsonText(heldReasonOf(reason)))
		}
		_, err := q.Exec(ctx)
		return err
	})
}

// heldReasonOf keeps reason's code and parameters when they are all text,
// which the catalogs' sentences take back as they were; any other reason
// is kept as the dialer's English words.
func heldReasonOf(reason error) heldReason {
	if e := apperr.As(reason); e != nil && e.Code != "" {
		r := heldReason{Code: e.Code, Message: e.Message}
		for _, a := range e.Args {
			text, ok := a.(string)
			if !ok {
				r.Args = nil
				break
			}
			r.Args = append(r.Args, text)
		}
		if len(r.Args) == len(e.Args) {
			return r
		}
	}
	e := apperr.New(apperr.Unavailable, "execution.dialer", "the dialer refused the calls: %s", reason.Error())
	return heldReason{Code: e.Code, Message: e.Message, Args: []string{reason.Error()}}
}

// reason is the hold's reason as an error the reader's language says.
func (r heldReason) reason() error {
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		args[i] = a
	}
	return &apperr.Error{Kind: apperr.Unavailable, Code: r.Code, Message: r.Message, Args: args}
}

// reapBatch is how many lapsed claims one transaction of Reap returns.
const reapBatch = 500

// Reap returns the campaign's work whose holder vanished — its lease
// lapsed — and returns how many claims it returned. A preview lead its
// agent neither dialled nor asked to dial was no attempt: it goes back to
// the queue as a skip does, and the agent is ready again. A call still open
// otherwise (the dialer died mid-call, or before it stamped the dial it
// may have placed) ends as failed with call.Interrupted, which counts it
// as the attempt it was, and its lead is retried by the policy like any
// failed call. The lead of an answered call whose disposition never came
// goes back to the queue as a retry, due now: the rules decide when it may
// be called again.
func (s *Execution) Reap(ctx context.Context, campaignID uuid.UUID) (int, error) {
	total := 0
	for {
		var unread []callRow
		n, err := run(ctx, s.db, func(t *tenant) (int, error) {
			n, previews, err := t.reap(ctx, s.retry, campaignID)
			unread = previews
			return n, err
		})
		total += n
		for _, r := range unread {
			center := actingFor(ctx, r.CenterID, tenancy.KindCenter, "pacer")
			if err := do(center, s.db, func(t *tenant) error { return t.unreserve(center, r) }); err != nil {
				return total, err
			}
		}
		if err != nil || n < reapBatch {
			return total, err
		}
	}
}

// reap returns up to reapBatch lapsed claims, and the preview calls given
// back among them, whose agents are to be made ready.
func (t *tenant) reap(ctx context.Context, retry dispatch.RetryPolicy, campaignID uuid.UUID) (int, []callRow, error) {
	var lapsed []queueRow
	if err := t.Tx.NewSelect().Model(&lapsed).
		Where("campaign_id = ? AND org_id = ? AND holder IS NOT NULL AND lease_until < ?", campaignID, t.OrgID(), t.Now).
		OrderExpr("lease_until").Limit(reapBatch).Scan(ctx); err != nil {
		return 0, nil, err
	}
	var unread []callRow
	for _, q := range lapsed {
		var r callRow
		if err := t.Tx.NewSelect().Model(&r).Where("id = ?", *q.Holder).Scan(ctx); err != nil {
			return 0, nil, err
		}
		switch {
		case r.EndedAt == nil && r.Mode == string(campaign.Preview) && r.DialedAt == nil && r.DialRequestedAt == nil:
			if err := t.skip(ctx, r, "the agent did not dial the lead before its lease ended"); err != nil {
				return 0, nil, err
			}
			unread = append(unread, r)
		case r.EndedAt == nil:
			if _, err := t.endCalls(ctx, retry, []callEnd{{Event: dialing.Event{CallID: r.ID, Kind: dialing.EventEnded,
				At: t.Now, Result: dialing.Failed, Cause: call.Interrupted}}}); err != nil {
				return 0, nil, err
			}
		default:
			if _, err := t.Tx.NewUpdate().Model((*queueRow)(nil)).
				Set("holder = NULL, lease_until = NULL, band = ?, due_at = ?, owner_id = NULL", int(dispatch.Retry), t.Now).
				Where("campaign_id = ? AND lead_id = ? AND holder = ?", q.CampaignID, q.LeadID, r.ID).Exec(ctx); err != nil {
				return 0, nil, err
			}
			if err := t.setLeadStatus(ctx, lead.Lead{ID: q.LeadID, CampaignID: q.CampaignID}, lead.Retry, nil); err != nil {
				return 0, nil, err
			}
		}
	}
	return len(lapsed), unread, nil
}

// Shares lists the campaign's active contracts with their seats: how its
// leads, and the simulated agents of `plateau simulate`, are shared.
func (s *Execution) Shares(ctx context.Context, campaignID uuid.UUID) ([]dispatch.Share, error) {
	return run(ctx, s.db, func(t *tenant) ([]dispatch.Share, error) { return t.shares(ctx, campaignID) })
}

func (t *tenant) shares(ctx context.Context, campaignID uuid.UUID) ([]dispatch.Share, error) {
	var contracts []contractRow
	if err := t.Tx.NewSelect().Model(&contracts).Column("id", "center_id", "seats").
		Where("campaign_id = ? AND org_id = ? AND status = ?", campaignID, t.OrgID(), market.ContractActive).
		OrderExpr("id").Scan(ctx); err != nil {
		return nil, err
	}
	shares := make([]dispatch.Share, len(contracts))
	for i, k := range contracts {
		shares[i] = dispatch.Share{ContractID: k.ID, CenterID: k.CenterID, Weight: k.Seats}
	}
	return shares, nil
}

// Summary is what a campaign's calls came to over a period.
type Summary struct {
	Attempts  int
	Results   map[dialing.Result]int
	Live      int // people who answered: answered and abandoned
	Abandoned int
	Callbacks int                       // callbacks promised
	Blocks    map[compliance.Reason]int // dial decisions refused, by reason
}

// AbandonRate is the abandoned share of the live-answered calls.
func (s Summary) AbandonRate() float64 {
	if s.Live == 0 {
		return 0
	}
	return float64(s.Abandoned) / float64(s.Live)
}

// Summarize counts the campaign's calls claimed in [from, to), by result,
// its callbacks, and the dial decisions the rules refused, by reason.
func (s *Execution) Summarize(ctx context.Context, campaignID uuid.UUID, from, to time.Time) (Summary, error) {
	return run(ctx, s.db, func(t *tenant) (Summary, error) {
		sum := Summary{Results: map[dialing.Result]int{}, Blocks: map[compliance.Reason]int{}}
		var results []struct {
			Result string `bun:"result"`
			N      int    `bun:"n"`
		}
		if err := t.Tx.NewSelect().Model((*callRow)(nil)).ColumnExpr("result, COUNT(*) AS n").
			Where("campaign_id = ? AND org_id = ? AND claimed_at >= ? AND claimed_at < ?", campaignID, t.OrgID(), from, to).
			GroupExpr("result").Scan(ctx, &results); err != nil {
			return sum, err
		}
		for _, r := range results {
			sum.Attempts += r.N
			sum.Results[dialing.Result(r.Result)] += r.N
		}
		sum.Abandoned = sum.Results[dialing.Abandoned]
		sum.Live = sum.Results[dialing.Answered] + sum.Abandoned
		var blocks []struct {
			Reason string `bun:"reason"`
			N      int    `bun:"n"`
		}
		if err := t.Tx.NewSelect().Table("compliance_decisions").ColumnExpr("reason, COUNT(*) AS n").
			Where("org_id = ? AND campaign_id = ? AND purpose = ? AND NOT allowed AND decided_at >= ? AND decided_at < ?",
				t.OrgID(), campaignID, compliance.PurposeDial, from, to).
			GroupExpr("reason").Scan(ctx, &blocks); err != nil {
			return sum, err
		}
		for _, b := range blocks {
			sum.Blocks[compliance.Reason(b.Reason)] = b.N
		}
		n, err := t.Tx.NewSelect().Table("callbacks").
			Where("org_id = ? AND campaign_id = ? AND created_at >= ? AND created_at < ?", t.OrgID(), campaignID, from, to).Count(ctx)
		sum.Callbacks = int(n)
		return sum, err
	})
}

// ClientOf finds the client that owns a campaign, for the operator's
// commands that name only the campaign (`plateau calls export`), which
// then act in that client's name.
func (s *Execution) ClientOf(ctx context.Context, campaignID uuid.UUID) (tenancy.Org, error) {
	var org tenancy.Org
	err := s.db.inSystem(ctx, "cli: the client of a campaign", func(tx bun.Tx) error {
		var r orgRow
		err := tx.NewSelect().Model(&r).Where("id = (SELECT org_id FROM campaigns WHERE id = ?)", campaignID).Scan(ctx)
		if isNoRows(err) {
			return apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
		}
		org = r.org()
		return err
	})
	return org, err
}
