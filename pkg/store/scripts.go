package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// ScriptVersion is one version of a campaign's call script. Versions count
// from 1 per campaign. A version no call has used yet is rewritten in place
// by an edit; once UsedAt is set it never changes, and an edit makes the
// next version, so that a call's record always points at the words the
// agent had.
type ScriptVersion struct {
	ID         uuid.UUID
	OrgID      uuid.UUID // the campaign's client
	CampaignID uuid.UUID
	Version    int
	Script     script.Script
	Hash       string // script.Script.Hash of Script
	CreatedAt  time.Time
	CreatedBy  string // the principal's label
	UsedAt     *time.Time
}

type scriptVersionRow struct {
	bun.BaseModel `bun:"table:script_versions,alias:sv"`

	ID         uuid.UUID  `bun:"id,pk"`
	OrgID      uuid.UUID  `bun:"org_id"`
	CampaignID uuid.UUID  `bun:"campaign_id"`
	Version    int        `bun:"version"`
	Body       string     `bun:"body"`
	Hash       string     `bun:"hash"`
	CreatedAt  time.Time  `bun:"created_at"`
	CreatedBy  string     `bun:"created_by"`
	UsedAt     *time.Time `bun:"used_at"`
}

func (r scriptVersionRow) version() (ScriptVersion, error) {
	v := ScriptVersion{ID: r.ID, OrgID: r.OrgID, CampaignID: r.CampaignID, Version: r.Version, Hash: r.Hash,
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, UsedAt: r.UsedAt}
	// The body was written by Canonical: encoding/json reads it back as is.
	if err := json.Unmarshal([]byte(r.Body), &v.Script); err != nil {
		return v, err
	}
	return v, nil
}

// scriptVisible limits a query on script_versions (alias sv) to the
// versions the principal reads: a client its own campaigns', a center those
// of the campaigns it holds an active contract for. An open request shows
// its brief to every center, never its script.
func (t *Tenant) scriptVisible(q *bun.SelectQuery) *bun.SelectQuery {
	if t.Principal.OrgKind == tenancy.KindCenter {
		return q.Where("EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = sv.campaign_id AND c.center_id = ? AND c.status = ?)",
			t.OrgID(), "active")
	}
	return q.Where("sv.org_id = ?", t.OrgID())
}

// sharedCampaign checks that the principal may read what campaign id
// shares — its script, its leads: the client, or a center through an
// active contract (the rule of scriptVisible) — and returns its client.
func (t *Tenant) sharedCampaign(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	var client uuid.UUID
	q := t.Tx.NewSelect().Table("campaigns").Column("org_id").Where("id = ?", id)
	if t.Principal.OrgKind == tenancy.KindCenter {
		q = q.Where("EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = campaigns.id AND c.center_id = ? AND c.status = ?)",
			t.OrgID(), "active")
	} else {
		q = q.Where("org_id = ?", t.OrgID())
	}
	if err := q.Scan(ctx, &client); err != nil {
		if isNoRows(err) {
			return client, notFound("campaign", id)
		}
		return client, err
	}
	return client, nil
}

// latestScript is the newest version of a campaign's script, or nil.
func (t *Tenant) latestScript(ctx context.Context, campaignID uuid.UUID) (*scriptVersionRow, error) {
	var row scriptVersionRow
	err := t.Tx.NewSelect().Model(&row).Where("sv.campaign_id = ?", campaignID).Order("sv.version DESC").Limit(1).Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &row, nil
}

// SaveScript validates s and stores it as the campaign's script. The client
// of the campaign alone edits it. Saving what the latest version already
// holds (same hash) changes nothing and returns that version; a latest
// version no call has used is rewritten in place; otherwise the script
// becomes the next version.
func (t *Tenant) SaveScript(ctx context.Context, campaignID uuid.UUID, s script.Script) (ScriptVersion, error) {
	if _, err := t.sharedCampaign(ctx, campaignID); err != nil {
		return ScriptVersion{}, err
	}
	if t.Principal.OrgKind != tenancy.KindClient {
		return ScriptVersion{}, apperr.New(apperr.Forbidden, "only the campaign's client edits its script")
	}
	custom, err := t.CustomFields(ctx, campaignID)
	if err != nil {
		return ScriptVersion{}, err
	}
	if err := script.Validate(s, custom); err != nil {
		return ScriptVersion{}, err
	}
	body, hash := string(s.Canonical()), s.Hash()
	latest, err := t.latestScript(ctx, campaignID)
	if err != nil {
		return ScriptVersion{}, err
	}
	if latest != nil && latest.Hash == hash {
		return latest.version()
	}
	at := now()
	row := scriptVersionRow{ID: newID(), OrgID: t.OrgID(), CampaignID: campaignID, Version: 1, Body: body, Hash: hash,
		CreatedAt: at, CreatedBy: t.Principal.Label}
	replaced := false
	if latest != nil {
		row.Version = latest.Version + 1
		if latest.UsedAt == nil {
			// The condition on used_at keeps a version a call has just
			// started with: then no row changes and a new version is made.
			res, err := t.Tx.NewUpdate().Model((*scriptVersionRow)(nil)).
				Set("body = ?", body).Set("hash = ?", hash).Set("created_at = ?", at).Set("created_by = ?", row.CreatedBy).
				Where("id = ? AND used_at IS NULL", latest.ID).Exec(ctx)
			if err != nil {
				return ScriptVersion{}, err
			}
			if n, err := res.RowsAffected(); err != nil {
				return ScriptVersion{}, err
			} else if n == 1 {
				row.ID, row.Version, replaced = latest.ID, latest.Version, true
			}
		}
	}
	if !replaced {
		if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return ScriptVersion{}, conflictOn(err, "", "the script was saved by someone else at the same time; reload it and try again")
		}
	}
	v, err := row.version()
	if err != nil {
		return v, err
	}
	return v, t.Audit(ctx, "script.save", "campaign", campaignID.String(),
		map[string]any{"version": v.Version, "hash": hash, "replaced": replaced})
}

// Script returns the latest version of a campaign's script, for its client
// and the centers holding an active contract on it; not found for anyone
// else, and when the campaign has no script yet.
func (t *Tenant) Script(ctx context.Context, campaignID uuid.UUID) (ScriptVersion, error) {
	var row scriptVersionRow
	err := t.scriptVisible(t.Tx.NewSelect().Model(&row).Where("sv.campaign_id = ?", campaignID)).
		Order("sv.version DESC").Limit(1).Scan(ctx)
	if isNoRows(err) {
		return ScriptVersion{}, apperr.New(apperr.NotFound, "campaign %v has no script the organization can read", campaignID)
	}
	if err != nil {
		return ScriptVersion{}, err
	}
	return row.version()
}

// ScriptVersions lists every version of a campaign's script, newest first,
// under the same rule as Script; a campaign the principal may not read is
// not found, one without a script has none.
func (t *Tenant) ScriptVersions(ctx context.Context, campaignID uuid.UUID) ([]ScriptVersion, error) {
	if _, err := t.sharedCampaign(ctx, campaignID); err != nil {
		return nil, err
	}
	var rows []scriptVersionRow
	if err := t.scriptVisible(t.Tx.NewSelect().Model(&rows).Where("sv.campaign_id = ?", campaignID)).
		Order("sv.version DESC").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]ScriptVersion, 0, len(rows))
	for _, r := range rows {
		v, err := r.version()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// MarkScriptUsed records that a call used a script version, which makes it
// immutable. The first use counts; marking again changes nothing. The
// client or a contracted center (its dialer) marks it: the center writes
// the client's row, so that one update runs with the system scope once the
// version is known to be visible.
func (t *Tenant) MarkScriptUsed(ctx context.Context, versionID uuid.UUID) error {
	var row scriptVersionRow
	if err := t.scriptVisible(t.Tx.NewSelect().Model(&row).Where("sv.id = ?", versionID)).Scan(ctx); err != nil {
		if isNoRows(err) {
			return notFound("script version", versionID)
		}
		return err
	}
	if row.UsedAt != nil {
		return nil
	}
	return t.asSystem(ctx, func() error {
		_, err := t.Tx.NewUpdate().Model((*scriptVersionRow)(nil)).Set("used_at = ?", now()).
			Where("id = ? AND used_at IS NULL", versionID).Exec(ctx)
		return err
	})
}
