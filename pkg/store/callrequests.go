package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
)

// An agent's dial of a preview lead and a hang-up are requests kept with
// the call: the campaign's pacer, in whichever process holds its lease,
// reads them on its next tick and acts. The request is taken in the name
// of the principal who holds the call (heldCall), and written in the
// client's scope, which owns the call row.

// RequestDial asks the pacer to dial the preview call the principal holds.
// A call already dialled or ended is a conflict; asking twice keeps the
// first request.
func (s *Calls) RequestDial(ctx context.Context, callID uuid.UUID) error {
	r, client, err := s.undialled(ctx, callID, "dial request")
	if err != nil {
		return err
	}
	return s.request(client, r, "dial_requested_at", "dialed_at IS NULL", errDialed)
}

// undialled reads the call the principal holds, neither dialled nor
// ended, and returns the client's scope to write it in, for task.
func (s *Calls) undialled(ctx context.Context, callID uuid.UUID, task string) (callRow, context.Context, error) {
	r, err := run(ctx, s.db, func(t *tenant) (callRow, error) {
		r, err := t.heldCall(ctx, callID)
		if err == nil && (r.DialedAt != nil || r.EndedAt != nil) {
			err = errDialed()
		}
		return r, err
	})
	if err != nil {
		return r, nil, err
	}
	return r, s.forClient(ctx, r, task), nil
}

// RequestHangup asks the pacer to hang up the call in progress the
// principal holds. A call not dialled yet is given back with Skip; an
// ended one is a conflict.
func (s *Calls) RequestHangup(ctx context.Context, callID uuid.UUID) error {
	r, err := run(ctx, s.db, func(t *tenant) (callRow, error) {
		r, err := t.heldCall(ctx, callID)
		switch {
		case err != nil:
		case r.EndedAt != nil:
			err = errEnded()
		case r.DialedAt == nil:
			err = apperr.New(apperr.Conflict, "store.call.not_dialed", "the call was not dialled: give the lead back with a skip")
		}
		return r, err
	})
	if err != nil {
		return err
	}
	client := s.forClient(ctx, r, "hang-up request")
	return s.request(client, r, "hangup_requested_at", "dialed_at IS NOT NULL", errEnded)
}

// request stamps column on the open call r when cond still holds, in the
// client's scope ctx, or answers conflict.
func (s *Calls) request(ctx context.Context, r callRow, column, cond string, conflict func() error) error {
	return do(ctx, s.db, func(t *tenant) error {
		res, err := t.Tx.NewUpdate().Model((*callRow)(nil)).Set("? = COALESCE(?, ?)", bun.Ident(column), bun.Ident(column), t.Now).
			Where("id = ? AND org_id = ? AND ended_at IS NULL", r.ID, t.OrgID()).Where(cond).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return conflict()
		}
		return nil
	})
}

// Requests lists what was asked of the campaign's open calls, in the
// name of its client (the pacer's principal): the preview calls to dial,
// with their leads, and the calls to hang up.
func (s *Dispatch) Requests(ctx context.Context, campaignID uuid.UUID) (dispatch.Requests, error) {
	return run(ctx, s.db, func(t *tenant) (dispatch.Requests, error) {
		var asked []callRow
		var out dispatch.Requests
		err := t.Tx.NewSelect().Model(&asked).
			Where("k.campaign_id = ? AND k.org_id = ? AND k.ended_at IS NULL", campaignID, t.OrgID()).
			Where("k.dial_requested_at IS NOT NULL OR k.hangup_requested_at IS NOT NULL").
			OrderExpr("k.claimed_at, k.id").Scan(ctx)
		if err != nil {
			return out, err
		}
		for _, r := range asked {
			if r.HangupRequestedAt != nil {
				out.Hangups = append(out.Hangups, r.ID)
				continue
			}
			if r.DialedAt != nil {
				continue // dialled: the pacer has it
			}
			c, err := t.claimOf(ctx, r)
			if err != nil {
				return out, err
			}
			out.Dials = append(out.Dials, c)
		}
		return out, nil
	})
}

// claimOf is the claim of the open call r: the call and its lead (its
// lease is the pacer's to renew).
func (t *tenant) claimOf(ctx context.Context, r callRow) (dispatch.Claim, error) {
	k, err := r.call()
	if err != nil {
		return dispatch.Claim{}, err
	}
	var lr leadRow
	if err := t.Tx.NewSelect().Model(&lr).Where("id = ? AND campaign_id = ?", r.LeadID, r.CampaignID).Scan(ctx); err != nil {
		return dispatch.Claim{}, err
	}
	l, err := lr.lead()
	if err != nil {
		return dispatch.Claim{}, err
	}
	return dispatch.Claim{Call: k, Lead: l}, nil
}

func errDialed() error {
	return apperr.New(apperr.Conflict, "store.call.dialed", "the call was dialled: it is an attempt, and ends with its result")
}

func errEnded() error {
	return apperr.New(apperr.Conflict, "store.call.ended", "the call has ended")
}
