package store

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// What a center's admin pages read beside the marketplace queries of
// market.go and campaigns.go: open requests narrowed by kind and language,
// the center's own offers across campaigns, and the names of the campaigns
// it answered.

// RequestFilter narrows the open requests a center browses; an empty field
// does not filter.
type RequestFilter struct {
	Kind     compliance.Kind
	Language string // a language code the campaign calls in ("fr")
}

// MatchingRequests is OpenRequests narrowed by f, newest first.
func (t *Tenant) MatchingRequests(ctx context.Context, f RequestFilter, page Page) ([]campaign.Campaign, *uuid.UUID, error) {
	if t.Principal.OrgKind != tenancy.KindCenter {
		return nil, nil, nil
	}
	var rows []campaignRow
	q := t.Tx.NewSelect().Model(&rows).Where("status = ?", campaign.Open)
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Language != "" {
		if strings.Trim(f.Language, "abcdefghijklmnopqrstuvwxyz") != "" {
			return nil, nil, apperr.Fields{{Path: "language", Message: "must be a language code such as fr"}}.Err("the filter is not valid")
		}
		// languages holds the codes joined by commas ("fr,en").
		q = q.Where("',' || languages || ',' LIKE ?", "%,"+f.Language+",%")
	}
	return campaignPage(ctx, q, &rows, page)
}

// OfferedCampaign is what a center knows of a campaign it answered: what
// the open request showed, and the client's name.
type OfferedCampaign struct {
	ID      uuid.UUID
	Name    string
	Kind    compliance.Kind
	Country string
	Status  campaign.Status
	Client  string
}

// CenterOffer is one of the center's offers with its campaign.
type CenterOffer struct {
	market.Offer
	Campaign OfferedCampaign
}

// CenterOffers lists the principal's center's offers on every campaign,
// newest first.
func (t *Tenant) CenterOffers(ctx context.Context, page Page) ([]CenterOffer, *uuid.UUID, error) {
	if t.Principal.OrgKind != tenancy.KindCenter {
		return nil, nil, apperr.New(apperr.Forbidden, "only a call center makes offers")
	}
	var rows []offerRow
	if err := page.apply(t.Tx.NewSelect().Model(&rows).Where("org_id = ?", t.OrgID())).Scan(ctx); err != nil {
		return nil, nil, err
	}
	rows, next := cut(rows, page, func(r offerRow) uuid.UUID { return r.ID })
	ids := make([]uuid.UUID, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.CampaignID)
	}
	campaigns, err := t.OfferedCampaigns(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	out := make([]CenterOffer, 0, len(rows))
	for _, r := range rows {
		o, err := r.offer()
		if err != nil {
			return nil, nil, err
		}
		out = append(out, CenterOffer{Offer: o, Campaign: campaigns[r.CampaignID]})
	}
	return out, next, nil
}

// OfferedCampaigns names the campaigns of ids the principal's center made
// an offer on (every contract comes from one); other ids are left out.
//
// Once a request closes, row-level security hides the campaign from a
// center without an active contract, yet the center must still recognise
// its own offers and the pending contracts it is asked to confirm. So this
// reads across orgs, and only this: the campaign's name, kind and country,
// which the open request showed, where it stands (open or not, which decides
// what the center may still do), and its client's name, for campaigns this
// center answered.
func (t *Tenant) OfferedCampaigns(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]OfferedCampaign, error) {
	if t.Principal.OrgKind != tenancy.KindCenter {
		return nil, apperr.New(apperr.Forbidden, "only a call center answers campaign requests")
	}
	out := map[uuid.UUID]OfferedCampaign{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID      uuid.UUID `bun:"id"`
		Name    string    `bun:"name"`
		Kind    string    `bun:"kind"`
		Country string    `bun:"country"`
		Status  string    `bun:"status"`
		Client  string    `bun:"client"`
	}
	err := t.asSystem(ctx, func() error {
		return t.Tx.NewSelect().TableExpr("campaigns AS c").Join("JOIN orgs AS o ON o.id = c.org_id").
			ColumnExpr("c.id, c.name, c.kind, c.country, c.status, o.name AS client").
			Where("c.id IN (?)", bun.List(ids)).
			Where("EXISTS (SELECT 1 FROM offers f WHERE f.campaign_id = c.id AND f.org_id = ?)", t.OrgID()).
			Scan(ctx, &rows)
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = OfferedCampaign{ID: r.ID, Name: r.Name, Kind: compliance.Kind(r.Kind), Country: r.Country,
			Status: campaign.Status(r.Status), Client: r.Client}
	}
	return out, nil
}
