package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

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

func (r scriptVersionRow) version() (script.Version, error) {
	v := script.Version{ID: r.ID, OrgID: r.OrgID, CampaignID: r.CampaignID, Version: r.Version, Hash: r.Hash,
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, UsedAt: r.UsedAt}
	// The body was written by Canonical: encoding/json reads it back as is.
	if err := json.Unmarshal([]byte(r.Body), &v.Script); err != nil {
		return v, err
	}
	return v, nil
}

// Scripts are the use cases of a campaign's call script.
type Scripts struct{ db *DB }

// scriptVisible limits a query on script_versions (alias sv) to the
// versions the principal reads: those of its own campaigns, and of the
// campaigns it holds an active contract for. An open request shows its
// brief to every center, never its script.
func (t *tenant) scriptVisible(q *bun.SelectQuery) *bun.SelectQuery {
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("sv.org_id = ?", t.OrgID()).
			WhereOr("EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = sv.campaign_id AND c.center_id = ? AND c.status = ?)",
				t.OrgID(), market.ContractActive)
	})
}

// latestScript is the newest version of a campaign's script, or nil.
func (t *tenant) latestScript(ctx context.Context, campaignID uuid.UUID) (*script.Version, error) {
	var row scriptVersionRow
	err := t.Tx.NewSelect().Model(&row).Where("sv.campaign_id = ?", campaignID).Order("sv.version DESC").Limit(1).Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := row.version()
	return &v, err
}

// Save validates s and stores it as the campaign's script; the campaign's
// client alone writes it (campaigns:write). script.ChangeFor says whether
// it changes nothing, rewrites the latest version (no call used it) or
// becomes the next one.
func (s *Scripts) Save(ctx context.Context, campaignID uuid.UUID, sc script.Script) (script.Version, error) {
	return run(ctx, s.db, func(t *tenant) (script.Version, error) {
		// A center working the campaign reads its script: it is told it may
		// not write it, not that the campaign does not exist.
		c, err := t.actsOn(ctx, campaignID)
		if err != nil {
			return script.Version{}, err
		}
		if err := t.require(ctx, tenancy.PermCampaignsWrite); err != nil {
			return script.Version{}, err
		}
		if c.OrgID != t.OrgID() {
			return script.Version{}, apperr.New(apperr.Forbidden, "store.script.client_only", "only the campaign's client writes its script")
		}
		custom, err := t.customFields(ctx, campaignID)
		if err != nil {
			return script.Version{}, err
		}
		if err := script.Validate(sc, custom); err != nil {
			return script.Version{}, err
		}
		body, hash := string(sc.Canonical()), sc.Hash()
		latest, err := t.latestScript(ctx, campaignID)
		if err != nil {
			return script.Version{}, err
		}
		change := script.ChangeFor(latest, hash)
		if change == script.Unchanged {
			return *latest, nil
		}
		row := scriptVersionRow{ID: newID(), OrgID: t.OrgID(), CampaignID: campaignID, Version: 1, Body: body, Hash: hash,
			CreatedAt: t.Now, CreatedBy: t.Principal.Label}
		if latest != nil {
			row.Version = latest.Version + 1
		}
		if change == script.Rewrite {
			// The condition on used_at keeps a version a call has just
			// started with: then no row changes and a new version is made.
			res, err := t.Tx.NewUpdate().Model((*scriptVersionRow)(nil)).
				Set("body = ?", body).Set("hash = ?", hash).Set("created_at = ?", t.Now).Set("created_by = ?", row.CreatedBy).
				Where("id = ? AND used_at IS NULL", latest.ID).Exec(ctx)
			if err != nil {
				return script.Version{}, err
			}
			if n, err := res.RowsAffected(); err != nil {
				return script.Version{}, err
			} else if n == 1 {
				row.ID, row.Version = latest.ID, latest.Version
			} else {
				change = script.Append
			}
		}
		if change == script.Append {
			if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
				return script.Version{}, conflictOn(err, "", apperr.New(apperr.Conflict, "store.script.saved_meanwhile", "the script was saved by someone else at the same time; reload it and try again"))
			}
		}
		v, err := row.version()
		if err != nil {
			return v, err
		}
		return v, t.audit(ctx, "script.save", "campaign", campaignID.String(),
			map[string]any{"version": v.Version, "hash": hash, "replaced": change == script.Rewrite})
	})
}

// Latest returns the latest version of a campaign's script, for its client
// and the centers holding an active contract on it; not found for anyone
// else, and when the campaign has no script yet.
func (s *Scripts) Latest(ctx context.Context, campaignID uuid.UUID) (script.Version, error) {
	return run(ctx, s.db, func(t *tenant) (script.Version, error) { return t.script(ctx, campaignID) })
}

func (t *tenant) script(ctx context.Context, campaignID uuid.UUID) (script.Version, error) {
	var row scriptVersionRow
	err := t.scriptVisible(t.Tx.NewSelect().Model(&row).Where("sv.campaign_id = ?", campaignID)).
		Order("sv.version DESC").Limit(1).Scan(ctx)
	if isNoRows(err) {
		return script.Version{}, apperr.New(apperr.NotFound, "store.script.not_found", "this campaign has no script you can read")
	}
	if err != nil {
		return script.Version{}, err
	}
	return row.version()
}

// CampaignScripts is a campaign with every version of its script, newest
// first, and the custom fields its leads carry (the variables its script
// may use).
type CampaignScripts struct {
	Campaign     campaign.Campaign
	Versions     []script.Version
	CustomFields []string
}

// Versions reads a campaign with every version of its script, under the
// same rule as Latest; a campaign the principal may not read is not
// found, one without a script has none.
func (s *Scripts) Versions(ctx context.Context, campaignID uuid.UUID) (CampaignScripts, error) {
	return run(ctx, s.db, func(t *tenant) (CampaignScripts, error) {
		c, err := t.actsOn(ctx, campaignID)
		if err != nil {
			return CampaignScripts{}, err
		}
		var rows []scriptVersionRow
		if err := t.scriptVisible(t.Tx.NewSelect().Model(&rows).Where("sv.campaign_id = ?", campaignID)).
			Order("sv.version DESC").Scan(ctx); err != nil {
			return CampaignScripts{}, err
		}
		out := CampaignScripts{Campaign: c, Versions: make([]script.Version, 0, len(rows))}
		for _, r := range rows {
			v, err := r.version()
			if err != nil {
				return out, err
			}
			out.Versions = append(out.Versions, v)
		}
		out.CustomFields, err = t.customFields(ctx, campaignID)
		return out, err
	})
}

// MarkUsed records that a call used a script version, which makes it
// immutable. The first use counts; marking again changes nothing. The
// client or a contracted center (its dialer) marks it.
func (s *Scripts) MarkUsed(ctx context.Context, versionID uuid.UUID) error {
	return do(ctx, s.db, func(t *tenant) error {
		var row scriptVersionRow
		if err := t.scriptVisible(t.Tx.NewSelect().Model(&row).Where("sv.id = ?", versionID)).Scan(ctx); err != nil {
			if isNoRows(err) {
				return apperr.New(apperr.NotFound, "store.script_version.not_found", "script version not found")
			}
			return err
		}
		if row.UsedAt != nil {
			return nil
		}
		// A contracted center writes its client's row: row-level security
		// lets it set used_at, and nothing else.
		_, err := t.Tx.NewUpdate().Model((*scriptVersionRow)(nil)).Set("used_at = ?", t.Now).
			Where("id = ? AND used_at IS NULL", versionID).Exec(ctx)
		return err
	})
}
