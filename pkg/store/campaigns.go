package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type campaignRow struct {
	bun.BaseModel `bun:"table:campaigns"`

	ID            uuid.UUID  `bun:"id,pk"`
	OrgID         uuid.UUID  `bun:"org_id"`
	Name          string     `bun:"name"`
	Kind          string     `bun:"kind"`
	Audience      string     `bun:"audience"`
	Country       string     `bun:"country"`
	Languages     string     `bun:"languages"`
	StartsOn      *time.Time `bun:"starts_on"`
	EndsOn        *time.Time `bun:"ends_on"`
	TargetOutcome string     `bun:"target_outcome"`
	Volume        int        `bun:"volume"`
	BudgetCap     int64      `bun:"budget_cap"`
	Currency      string     `bun:"currency"`
	DialingMode   string     `bun:"dialing_mode"`
	RetentionDays int        `bun:"retention_days"`
	Status        string     `bun:"status"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

func (r campaignRow) campaign() campaign.Campaign {
	return campaign.Campaign{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Kind: compliance.Kind(r.Kind),
		Audience: compliance.Audience(r.Audience), Country: r.Country, Languages: strings.Split(r.Languages, ","),
		StartsOn: r.StartsOn, EndsOn: r.EndsOn, TargetOutcome: r.TargetOutcome, Volume: r.Volume, BudgetCap: r.BudgetCap,
		Currency: r.Currency, DialingMode: campaign.DialingMode(r.DialingMode), RetentionDays: r.RetentionDays,
		Status: campaign.Status(r.Status), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func rowOf(c campaign.Campaign) campaignRow {
	return campaignRow{ID: c.ID, OrgID: c.OrgID, Name: c.Name, Kind: string(c.Kind), Audience: string(c.Audience),
		Country: c.Country, Languages: strings.Join(c.Languages, ","), StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		TargetOutcome: c.TargetOutcome, Volume: c.Volume, BudgetCap: c.BudgetCap, Currency: c.Currency,
		DialingMode: string(c.DialingMode), RetentionDays: c.RetentionDays, Status: string(c.Status),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// CreateCampaign creates a draft campaign for the principal's org, which
// must be a client.
func (t *Tenant) CreateCampaign(ctx context.Context, in campaign.Input) (campaign.Campaign, error) {
	if t.Principal.OrgKind != tenancy.KindClient {
		return campaign.Campaign{}, apperr.New(apperr.Forbidden, "only a client company creates campaigns")
	}
	c, err := in.Validate()
	if err != nil {
		return c, err
	}
	at := now()
	c.ID, c.OrgID, c.CreatedAt, c.UpdatedAt = newID(), t.OrgID(), at, at
	row := rowOf(c)
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return c, err
	}
	return c, t.Audit(ctx, "campaign.create", "campaign", c.ID.String(), map[string]any{"name": c.Name, "kind": c.Kind})
}

// Campaigns lists the campaigns the principal works on: a client's own, a
// center's through its active contracts. Open requests are OpenRequests.
func (t *Tenant) Campaigns(ctx context.Context, page Page) ([]campaign.Campaign, *uuid.UUID, error) {
	var rows []campaignRow
	q := t.Tx.NewSelect().Model(&rows)
	if t.Principal.OrgKind == tenancy.KindCenter {
		q = q.Where("EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = ?TableAlias.id AND c.center_id = ? AND c.status = ?)",
			t.OrgID(), "active")
	} else {
		q = q.Where("?TableAlias.org_id = ?", t.OrgID())
	}
	return campaignPage(ctx, q, &rows, page)
}

// OpenRequests lists the campaigns published on the marketplace, for
// centers: the requests they may answer with an offer.
func (t *Tenant) OpenRequests(ctx context.Context, page Page) ([]campaign.Campaign, *uuid.UUID, error) {
	if t.Principal.OrgKind != tenancy.KindCenter {
		return nil, nil, nil
	}
	var rows []campaignRow
	return campaignPage(ctx, t.Tx.NewSelect().Model(&rows).Where("status = ?", campaign.Open), &rows, page)
}

func campaignPage(ctx context.Context, q *bun.SelectQuery, rows *[]campaignRow, page Page) ([]campaign.Campaign, *uuid.UUID, error) {
	if err := page.apply(q).Scan(ctx); err != nil {
		return nil, nil, err
	}
	list, next := cut(*rows, page, func(r campaignRow) uuid.UUID { return r.ID })
	out := make([]campaign.Campaign, 0, len(list))
	for _, r := range list {
		out = append(out, r.campaign())
	}
	return out, next, nil
}

// Campaign returns one campaign the principal may see: its own, an open
// request (for a center), or one it holds an active contract for. Anything
// else is not found.
func (t *Tenant) Campaign(ctx context.Context, id uuid.UUID) (campaign.Campaign, error) {
	var row campaignRow
	q := t.Tx.NewSelect().Model(&row).Where("?TableAlias.id = ?", id)
	switch t.Principal.OrgKind {
	case tenancy.KindCenter:
		q = q.Where("(?TableAlias.status = ? OR EXISTS (SELECT 1 FROM contracts c WHERE c.campaign_id = ?TableAlias.id AND c.center_id = ? AND c.status = ?))",
			campaign.Open, t.OrgID(), "active")
	default:
		q = q.Where("?TableAlias.org_id = ?", t.OrgID())
	}
	if err := q.Scan(ctx); err != nil {
		if isNoRows(err) {
			return campaign.Campaign{}, notFound("campaign", id)
		}
		return campaign.Campaign{}, err
	}
	return row.campaign(), nil
}

// UpdateCampaign rewrites a draft campaign's request.
func (t *Tenant) UpdateCampaign(ctx context.Context, id uuid.UUID, in campaign.Input) (campaign.Campaign, error) {
	old, err := t.Campaign(ctx, id)
	if err != nil {
		return old, err
	}
	if old.OrgID != t.OrgID() {
		return old, notFound("campaign", id)
	}
	if !campaign.Editable(old.Status) {
		return old, apperr.New(apperr.Conflict, "a campaign that is %s cannot be edited; unpublish it first if no offer was accepted", old.Status)
	}
	c, err := in.Validate()
	if err != nil {
		return old, err
	}
	c.ID, c.OrgID, c.CreatedAt, c.UpdatedAt, c.Status = old.ID, old.OrgID, old.CreatedAt, now(), old.Status
	row := rowOf(c)
	if _, err := t.Tx.NewUpdate().Model(&row).WherePK().Exec(ctx); err != nil {
		return old, err
	}
	return c, t.Audit(ctx, "campaign.update", "campaign", id.String(), map[string]any{"name": c.Name})
}

// Move applies an event to a campaign as the principal: the domain says
// whether the state and the principal's side and role allow it.
func (t *Tenant) Move(ctx context.Context, id uuid.UUID, event campaign.Event) (campaign.Campaign, error) {
	if event == campaign.Contract {
		return campaign.Campaign{}, apperr.InvalidFields("a campaign is contracted by confirming a contract",
			apperr.FieldError{Path: "event", Message: "contract is not a move to ask for: confirm the contract instead"})
	}
	c, err := t.Campaign(ctx, id)
	if err != nil {
		return c, err
	}
	if t.Principal.OrgKind == tenancy.KindCenter && c.Status == campaign.Open {
		// An open request is visible to every center, but only its client
		// and contracted centers act on the campaign.
		return c, notFound("campaign", id)
	}
	next, err := campaign.Next(c.Status, event, campaign.Actor{Side: t.Principal.OrgKind, Role: t.Principal.Role})
	if err != nil {
		return c, err
	}
	return t.setStatus(ctx, c, next, event)
}

// setStatus writes a campaign's new status. A center moving a client's
// campaign (start, pause) writes another org's row: that one update runs
// with the system scope, after the domain allowed it.
func (t *Tenant) setStatus(ctx context.Context, c campaign.Campaign, next campaign.Status, event campaign.Event) (campaign.Campaign, error) {
	err := t.asSystem(ctx, func() error {
		_, err := t.Tx.NewUpdate().Model((*campaignRow)(nil)).Set("status = ?", next).Set("updated_at = ?", now()).
			Where("id = ? AND status = ?", c.ID, c.Status).Exec(ctx)
		return err
	})
	if err != nil {
		return c, err
	}
	from := c.Status
	c.Status = next
	return c, t.Audit(ctx, "campaign."+string(event), "campaign", c.ID.String(), map[string]any{"from": from, "to": next})
}
