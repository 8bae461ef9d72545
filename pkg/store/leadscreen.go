package store

// A lead's screening after its import: the dry run the mapping step shows
// before an import runs, the rescrub that screens leads again when what the
// platform knows of their numbers changes, and the removal of a lead no
// call touched.

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// DryRun says what importing an uploaded file with mapping m would do with
// its first lead.DryRunRows rows — how many the campaign's rules would
// block, and why — and writes nothing. The facts are the campaign's as
// they stand: the client's consents and opt-out list, the platform's, the
// national lists, the numbers already in the campaign. An import of
// another campaign, like one of another org, is not found; a file the
// mapping cannot read fails with why (an Invalid error).
func (s *Leads) DryRun(ctx context.Context, campaignID, id uuid.UUID, m leadfile.Mapping) (lead.DryRun, error) {
	ci, err := s.Import(ctx, campaignID, id)
	if err != nil {
		return lead.DryRun{}, err
	}
	k := ci.Campaign
	r, err := leadfile.NewReader(s.File(ctx, id), leadfile.Options{Region: k.Country, Mapping: m})
	if err != nil {
		return lead.DryRun{}, err
	}
	rows, whole, err := lead.Head(r, lead.DryRunRows)
	if err != nil {
		return lead.DryRun{}, err
	}
	if err := s.db.reloadLists(ctx, s.lists); err != nil {
		return lead.DryRun{}, err
	}
	// The facts of the numbers read, not of the whole lists: a dry run
	// is shown on a page, and a client's lists can be long.
	phones := make([]string, 0, len(rows))
	for _, row := range rows {
		if row.OK() {
			phones = append(phones, row.Phone.E164)
		}
	}
	screener, err := run(ctx, s.db, func(t *tenant) (*lead.Screener, error) {
		facts, err := t.leadFacts(ctx, k.ID, &id, phones)
		return &lead.Screener{Campaign: screened(k), Facts: facts, National: s.lists.Check, Now: t.Now}, err
	})
	if err != nil {
		return lead.DryRun{}, err
	}
	return screener.DryRun(rows, whole), nil
}

// screened is what screening needs of a campaign.
func screened(k campaign.Campaign) lead.Campaign {
	return lead.Campaign{ID: k.ID, OrgID: k.OrgID, Country: k.Country, Audience: k.Audience, Kind: k.Kind}
}

// announceRescrub announces, in the transaction that changed what the
// platform knows of phones, that the leads holding them are to be screened
// again (lead.TaskRescrub). The platform's own lists hold numbers for
// every client: its changes rescrub every org's leads.
func (t *tenant) announceRescrub(ctx context.Context, cause string, phones ...string) error {
	task := lead.RescrubTask{Phones: phones, Cause: cause, Everywhere: t.Principal.OrgKind == tenancy.KindPlatform}
	return t.announce(ctx, lead.TaskRescrub, task)
}

// rescrubBatch is how many leads one transaction of a rescrub screens.
const rescrubBatch = 1000

// Rescrub is the work of the lead:rescrub task whose outbox message is
// outboxID, for the principal in ctx (the worker's tenant scope): it
// screens again the org's leads no call touched yet, those of task.Phones
// when it names some, in every campaign not ended, and saves those whose
// status or block changed — a blocked lead whose block no longer holds
// becomes ready. A task of the platform's org that says Everywhere does so
// in every client org. Screening again what did not change changes
// nothing, so a task delivered twice acts once.
func (s *Leads) Rescrub(ctx context.Context, outboxID uuid.UUID, task lead.RescrubTask) error {
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	if err := s.db.reloadLists(ctx, s.lists); err != nil {
		return err
	}
	if task.Everywhere && p.OrgKind == tenancy.KindPlatform {
		clients, err := s.db.ListOrgs(ctx, tenancy.KindClient)
		if err != nil {
			return err
		}
		for _, org := range clients {
			in := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, p.Label))
			if err := s.rescrubOrg(in, task); err != nil {
				return err
			}
		}
	} else if err := s.rescrubOrg(ctx, task); err != nil {
		return err
	}
	return do(ctx, s.db, func(t *tenant) error { _, err := t.markDone(ctx, outboxID); return err })
}

// rescrubbed counts what a rescrub did in an org.
type rescrubbed struct {
	Screened  int `json:"screened"`
	Unblocked int `json:"unblocked"` // blocked, now ready
	Blocked   int `json:"blocked"`   // ready, now blocked
	Reblocked int `json:"reblocked"` // blocked still, for another rule
}

// rescrubOrg screens again the untouched leads of the principal's org, a
// batch per transaction, and audits what changed.
func (s *Leads) rescrubOrg(ctx context.Context, task lead.RescrubTask) error {
	ids, err := run(ctx, s.db, func(t *tenant) ([]uuid.UUID, error) {
		var ids []uuid.UUID
		err := t.Tx.NewSelect().Model((*campaignRow)(nil)).Column("id").Where("org_id = ?", t.OrgID()).
			Where("status NOT IN (?)", bun.List([]string{string(campaign.Completed), string(campaign.Cancelled)})).
			OrderExpr("id").Scan(ctx, &ids)
		return ids, err
	})
	if err != nil {
		return err
	}
	var done rescrubbed
	for _, id := range ids {
		for after := uuid.Nil; ; {
			last, err := run(ctx, s.db, func(t *tenant) (uuid.UUID, error) { return t.rescrub(ctx, s, id, task.Phones, after, &done) })
			if err != nil {
				return err
			}
			if last == uuid.Nil {
				break
			}
			after = last
		}
	}
	if done.Unblocked+done.Blocked+done.Reblocked == 0 {
		return nil
	}
	return do(ctx, s.db, func(t *tenant) error {
		return t.audit(ctx, "lead.rescrub", "org", t.OrgID().String(), map[string]any{"cause": task.Cause, "counts": done})
	})
}

// rescrub screens again one batch of a campaign's untouched leads after
// the lead id after, and returns the last id screened (uuid.Nil when there
// were none left).
func (t *tenant) rescrub(ctx context.Context, s *Leads, campaignID uuid.UUID, phones []string, after uuid.UUID, done *rescrubbed) (uuid.UUID, error) {
	k, err := t.ownCampaign(ctx, campaignID)
	if err != nil || k.Status.Ended() {
		return uuid.Nil, err
	}
	var rows []leadRow
	q := t.Tx.NewSelect().Model(&rows).Where("l.campaign_id = ? AND l.org_id = ?", campaignID, t.OrgID()).
		Where("l.status IN (?)", bun.List([]string{string(lead.New), string(lead.Ready), string(lead.Blocked)})).
		Where("l.id > ?", after).OrderExpr("l.id").Limit(rescrubBatch)
	if len(phones) > 0 {
		q = q.Where("l.phone IN (?)", bun.List(phones))
	}
	if err := q.Scan(ctx); err != nil || len(rows) == 0 {
		return uuid.Nil, err
	}
	numbers := make([]string, len(rows))
	for i, r := range rows {
		numbers[i] = r.Phone
	}
	facts, err := t.leadFacts(ctx, campaignID, nil, numbers)
	if err != nil {
		return uuid.Nil, err
	}
	screener := &lead.Screener{Campaign: screened(k), Facts: facts, National: s.lists.Check, Now: t.Now}
	for _, r := range rows {
		l, err := r.lead()
		if err != nil {
			return uuid.Nil, err
		}
		key, err := numberset.Key(l.Phone)
		if err != nil {
			continue // a number the store holds is E.164; one that is not stays as it is
		}
		done.Screened++
		again, changed := screener.Rescreen(l, key)
		if !changed {
			continue
		}
		switch {
		case l.Status == lead.Blocked && again.Status == lead.Ready:
			done.Unblocked++
		case again.Status == lead.Blocked && l.Status != lead.Blocked:
			done.Blocked++
		default:
			done.Reblocked++
		}
		row := leadRowOf(again)
		if _, err := t.Tx.NewUpdate().Model(&row).Column("status", "block_reason", "block", "updated_at").
			Where("campaign_id = ? AND id = ?", row.CampaignID, row.ID).Exec(ctx); err != nil {
			return uuid.Nil, err
		}
	}
	return rows[len(rows)-1].ID, nil
}

// Remove deletes a lead of one of the principal's org's campaigns that no
// call touched yet (new, ready or blocked): a lead blocked for good, or
// brought in by mistake, leaves the campaign, and its number may come back
// with a later file. A lead of another org is not found; one a call
// touched keeps its history and is refused.
func (s *Leads) Remove(ctx context.Context, campaignID, id uuid.UUID) error {
	return do(ctx, s.db, func(t *tenant) error {
		if err := t.require(ctx, tenancy.PermLeadsWrite); err != nil {
			return err
		}
		if _, err := t.ownCampaign(ctx, campaignID); err != nil {
			return err
		}
		var row leadRow
		err := t.Tx.NewSelect().Model(&row).Where("l.id = ? AND l.campaign_id = ? AND l.org_id = ?", id, campaignID, t.OrgID()).Scan(ctx)
		if isNoRows(err) {
			return apperr.New(apperr.NotFound, "store.lead.not_found", "lead not found")
		} else if err != nil {
			return err
		}
		status := lead.Status(row.Status)
		if !status.Untouched() {
			return apperr.New(apperr.Conflict, "store.lead.touched", "a lead that is %s has been called: it keeps its history and cannot be removed", status)
		}
		if _, err := t.Tx.NewDelete().Model((*leadRow)(nil)).Where("campaign_id = ? AND id = ? AND org_id = ?", campaignID, id, t.OrgID()).
			Exec(ctx); err != nil {
			return err
		}
		return t.audit(ctx, "lead.remove", "lead", id.String(),
			map[string]any{"campaign_id": campaignID, "status": status, "block_reason": row.BlockReason})
	})
}
