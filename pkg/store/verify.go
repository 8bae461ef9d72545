package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/compliance"
)

// Holding is a claim on a lead: the queue row's holder and its lease, or
// a call left open.
type Holding struct {
	CampaignID uuid.UUID
	LeadID     uuid.UUID
	CallID     uuid.UUID
	LeaseUntil *time.Time
}

// Overlap is two calls of one lead in progress at the same time.
type Overlap struct {
	LeadID        uuid.UUID
	First, Second uuid.UUID
}

// Lapsed lists the claims whose lease ended before now: work a vanished
// holder keeps from the pool until a pacer reaps it.
func (s *Execution) Lapsed(ctx context.Context, now time.Time) ([]Holding, error) {
	var out []Holding
	err := s.db.inSystem(ctx, "verify: lapsed claims", func(tx bun.Tx) error {
		return tx.NewSelect().Model((*queueRow)(nil)).
			ColumnExpr("campaign_id, lead_id, holder AS call_id, lease_until").
			Where("holder IS NOT NULL AND lease_until < ?", now).OrderExpr("campaign_id, lead_id").Scan(ctx, &out)
	})
	return out, err
}

// Unheld lists the calls in progress that no claim holds: a call the
// engine would never end.
func (s *Execution) Unheld(ctx context.Context) ([]Holding, error) {
	var out []Holding
	err := s.db.inSystem(ctx, "verify: calls no claim holds", func(tx bun.Tx) error {
		return tx.NewSelect().Model((*callRow)(nil)).ColumnExpr("k.campaign_id, k.lead_id, k.id AS call_id").
			Where("k.ended_at IS NULL").
			Where("NOT EXISTS (SELECT 1 FROM dial_queue AS q WHERE q.holder = k.id)").
			OrderExpr("k.campaign_id, k.lead_id").Scan(ctx, &out)
	})
	return out, err
}

// Overlaps lists the pairs of calls to one lead that were in progress at
// the same time (a call still in progress, until now).
func (s *Execution) Overlaps(ctx context.Context, now time.Time) ([]Overlap, error) {
	var out []Overlap
	err := s.db.inSystem(ctx, "verify: overlapping calls", func(tx bun.Tx) error {
		return tx.NewSelect().TableExpr("calls AS a").Join("JOIN calls AS b ON b.lead_id = a.lead_id AND b.campaign_id = a.campaign_id AND a.id < b.id").
			ColumnExpr("a.lead_id, a.id AS first, b.id AS second").
			Where("b.claimed_at < COALESCE(a.ended_at, ?) AND a.claimed_at < COALESCE(b.ended_at, ?)", now, now).
			OrderExpr("a.lead_id").Scan(ctx, &out)
	})
	return out, err
}

// EachCall reads every call of every client, by client, number and time —
// the order the calling rules count attempts in — a batch per
// transaction.
func (s *Execution) EachCall(ctx context.Context, fn func(call.Call) error) error {
	var after *callRow
	for {
		var rows []callRow
		err := s.db.inSystem(ctx, "verify: every call", func(tx bun.Tx) error {
			q := tx.NewSelect().Model(&rows).OrderExpr("org_id, phone, claimed_at, id").Limit(eachBatch)
			if after != nil {
				q.Where("(org_id, phone, claimed_at, id) > (?, ?, ?, ?)", after.OrgID, after.Phone, after.ClaimedAt, after.ID)
			}
			return q.Scan(ctx)
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			c, err := r.call()
			if err != nil {
				return err
			}
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(rows) < eachBatch {
			return nil
		}
		after = &rows[len(rows)-1]
	}
}

// ConsentsOf reads a client's consent records for a number, for the
// recheck of its calls' hours.
func (s *Execution) ConsentsOf(ctx context.Context, clientID uuid.UUID, phone string) ([]compliance.Consent, error) {
	var out []compliance.Consent
	err := s.db.inSystem(ctx, "verify: consents", func(tx bun.Tx) error {
		var rows []consentRow
		if err := tx.NewSelect().Model(&rows).Where("org_id = ? AND phone = ?", clientID, phone).Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, r.record().Consent())
		}
		return nil
	})
	return out, err
}
