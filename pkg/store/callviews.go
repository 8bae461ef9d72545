package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// Calls are the use cases of calls once placed: reading them, the
// client's (all its centers' calls on its campaigns) and a center's (the
// calls it placed, the callee's number masked), and the outcome its agent
// records (dispositions.go).
type Calls struct {
	db    *DB
	lists *nationallist.Registry // to check a callback's time
}

// Get returns one call the principal's org made or ordered.
func (s *Calls) Get(ctx context.Context, id uuid.UUID) (call.Call, error) {
	return run(ctx, s.db, func(t *tenant) (call.Call, error) {
		var r callRow
		err := t.Tx.NewSelect().Model(&r).Where("k.id = ?", id).WhereGroup(" AND ", t.callParty).Scan(ctx)
		if isNoRows(err) {
			return call.Call{}, errCallNotFound()
		}
		if err != nil {
			return call.Call{}, err
		}
		return t.shownCall(r)
	})
}

// List lists a campaign's calls, newest first.
func (s *Calls) List(ctx context.Context, campaignID uuid.UUID, page Page) ([]call.Call, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]call.Call, *uuid.UUID, error) {
		if _, err := t.campaign(ctx, campaignID); err != nil {
			return nil, nil, err
		}
		rows := pageRows[callRow](page)
		q := t.Tx.NewSelect().Model(&rows).Where("k.campaign_id = ?", campaignID).WhereGroup(" AND ", t.callParty)
		if err := page.apply(q).Scan(ctx); err != nil {
			return nil, nil, err
		}
		rows, next := cut(rows, page, func(r callRow) uuid.UUID { return r.ID })
		out, err := t.shownCalls(rows, nil)
		return out, next, err
	})
}

// eachBatch is how many calls a transaction of a full read takes.
const eachBatch = 1000

// Each reads every call of a campaign, oldest first, a batch per
// transaction, for an export.
func (s *Calls) Each(ctx context.Context, campaignID uuid.UUID, fn func(call.Call) error) error {
	after := uuid.Nil
	for {
		calls, err := run(ctx, s.db, func(t *tenant) ([]call.Call, error) {
			if _, err := t.campaign(ctx, campaignID); err != nil {
				return nil, err
			}
			var rows []callRow
			err := t.Tx.NewSelect().Model(&rows).Where("k.campaign_id = ? AND k.id > ?", campaignID, after).
				WhereGroup(" AND ", t.callParty).OrderExpr("k.id").Limit(eachBatch).Scan(ctx)
			return t.shownCalls(rows, err)
		})
		if err != nil {
			return err
		}
		for _, k := range calls {
			if err := fn(k); err != nil {
				return err
			}
		}
		if len(calls) < eachBatch {
			return nil
		}
		after = calls[len(calls)-1].ID
	}
}

// callParty limits calls to those of the principal's org: as the client,
// or as the center that placed them.
func (t *tenant) callParty(q *bun.SelectQuery) *bun.SelectQuery {
	return q.Where("k.org_id = ?", t.OrgID()).WhereOr("k.center_id = ?", t.OrgID())
}

// shownCall is the call as the principal's org sees it: a center reads the
// callee's number masked.
func (t *tenant) shownCall(r callRow) (call.Call, error) {
	k, err := r.call()
	if k.ClientID != t.OrgID() {
		k.Phone = phone.Mask(k.Phone)
	}
	return k, err
}

// shownCalls is shownCall over rows read with err.
func (t *tenant) shownCalls(rows []callRow, err error) ([]call.Call, error) {
	if err != nil {
		return nil, err
	}
	out := make([]call.Call, len(rows))
	for i, r := range rows {
		if out[i], err = t.shownCall(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ForLead lists the calls to one lead of a campaign, newest first: its
// attempts and their outcomes, as the principal's org sees them.
func (s *Calls) ForLead(ctx context.Context, campaignID, leadID uuid.UUID, page Page) ([]call.Call, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]call.Call, *uuid.UUID, error) {
		if _, err := t.campaign(ctx, campaignID); err != nil {
			return nil, nil, err
		}
		rows := pageRows[callRow](page)
		q := t.Tx.NewSelect().Model(&rows).Where("k.campaign_id = ? AND k.lead_id = ?", campaignID, leadID).WhereGroup(" AND ", t.callParty)
		if err := page.apply(q).Scan(ctx); err != nil {
			return nil, nil, err
		}
		rows, next := cut(rows, page, func(r callRow) uuid.UUID { return r.ID })
		out, err := t.shownCalls(rows, nil)
		return out, next, err
	})
}

// Held returns a call the principal may act on — an agent its own, a
// supervisor its center's — as its center sees it: before the dial and
// the hang-up a front door asks for.
func (s *Calls) Held(ctx context.Context, callID uuid.UUID) (call.Call, error) {
	return run(ctx, s.db, func(t *tenant) (call.Call, error) {
		r, err := t.heldCall(ctx, callID)
		if err != nil {
			return call.Call{}, err
		}
		return t.shownCall(r)
	})
}
