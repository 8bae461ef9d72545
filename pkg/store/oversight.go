package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// The platform's oversight of the marketplace: every client's campaigns,
// the centers' offers and the contracts between them, read across orgs for
// the console. Only a principal of the platform org reads them; anyone else
// is refused before a row is read.

// OverseenCampaign is a campaign with the name of the client that owns it.
type OverseenCampaign struct {
	campaign.Campaign
	ClientName string
}

// OverseenOffer is an offer with the name of the center that made it.
type OverseenOffer struct {
	market.Offer
	CenterName string
}

// OverseenContract is a contract with the names of its client, center and
// campaign.
type OverseenContract struct {
	market.Contract
	ClientName   string
	CenterName   string
	CampaignName string
}

// CampaignFile is one campaign with every offer made for it and every
// contract it holds.
type CampaignFile struct {
	Campaign  OverseenCampaign
	Offers    []OverseenOffer
	Contracts []OverseenContract
}

type overseenCampaignRow struct {
	campaignRow `bun:",extend"`
	ClientName  string `bun:"client_name"`
}

type overseenOfferRow struct {
	offerRow   `bun:",extend"`
	CenterName string `bun:"center_name"`
}

type overseenContractRow struct {
	contractRow  `bun:",extend"`
	ClientName   string `bun:"client_name"`
	CenterName   string `bun:"center_name"`
	CampaignName string `bun:"campaign_name"`
}

// asPlatform runs fn with the system scope for a principal of the platform
// org only: the principal in ctx must say so and its org, read in the same
// transaction, must be the platform. Without a principal, or for a client or
// a center, it fails before fn reads anything.
func (d *DB) asPlatform(ctx context.Context, reason string, fn func(tx bun.Tx) error) error {
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	refused := apperr.New(apperr.Forbidden, "only the platform oversees every org's campaigns and contracts")
	if p.OrgKind != tenancy.KindPlatform {
		return refused
	}
	return d.InSystem(ctx, reason, func(tx bun.Tx) error {
		var kind string
		err := tx.NewSelect().Model((*orgRow)(nil)).Column("kind").Where("id = ?", p.OrgID).Scan(ctx, &kind)
		if isNoRows(err) || (err == nil && kind != string(tenancy.KindPlatform)) {
			return refused
		} else if err != nil {
			return err
		}
		return fn(tx)
	})
}

func (r overseenCampaignRow) overseen() OverseenCampaign {
	return OverseenCampaign{Campaign: r.campaign(), ClientName: r.ClientName}
}

func selectOverseenCampaigns(tx bun.Tx, rows *[]overseenCampaignRow) *bun.SelectQuery {
	return tx.NewSelect().Model(rows).ColumnExpr("?TableAlias.*").ColumnExpr("cl.name AS client_name").
		Join("JOIN orgs AS cl ON cl.id = ?TableAlias.org_id")
}

func selectOverseenContracts(tx bun.Tx, rows *[]overseenContractRow) *bun.SelectQuery {
	return tx.NewSelect().Model(rows).ColumnExpr("?TableAlias.*").
		ColumnExpr("cl.name AS client_name, ce.name AS center_name, cp.name AS campaign_name").
		Join("JOIN orgs AS cl ON cl.id = ?TableAlias.org_id").
		Join("JOIN orgs AS ce ON ce.id = ?TableAlias.center_id").
		Join("JOIN campaigns AS cp ON cp.id = ?TableAlias.campaign_id")
}

func overseenContracts(rows []overseenContractRow) ([]OverseenContract, error) {
	out := make([]OverseenContract, 0, len(rows))
	for _, r := range rows {
		c, err := r.contract()
		if err != nil {
			return nil, err
		}
		out = append(out, OverseenContract{Contract: c, ClientName: r.ClientName, CenterName: r.CenterName, CampaignName: r.CampaignName})
	}
	return out, nil
}

// PlatformCampaigns lists every client's campaigns, newest first, those in
// status only when status is not empty. It is for the platform.
func (d *DB) PlatformCampaigns(ctx context.Context, status campaign.Status, page Page) ([]OverseenCampaign, *uuid.UUID, error) {
	var rows []overseenCampaignRow
	err := d.asPlatform(ctx, "console-campaigns", func(tx bun.Tx) error {
		q := selectOverseenCampaigns(tx, &rows)
		if status != "" {
			q = q.Where("?TableAlias.status = ?", status)
		}
		return page.apply(q).Scan(ctx)
	})
	if err != nil {
		return nil, nil, err
	}
	list, next := cut(rows, page, func(r overseenCampaignRow) uuid.UUID { return r.ID })
	out := make([]OverseenCampaign, 0, len(list))
	for _, r := range list {
		out = append(out, r.overseen())
	}
	return out, next, nil
}

// PlatformCampaign returns any client's campaign with its offers and
// contracts, oldest first. It is for the platform.
func (d *DB) PlatformCampaign(ctx context.Context, id uuid.UUID) (CampaignFile, error) {
	var (
		file      CampaignFile
		campaigns []overseenCampaignRow
		offers    []overseenOfferRow
		contracts []overseenContractRow
	)
	err := d.asPlatform(ctx, "console-campaign", func(tx bun.Tx) error {
		if err := selectOverseenCampaigns(tx, &campaigns).Where("?TableAlias.id = ?", id).Scan(ctx); err != nil {
			return err
		}
		if len(campaigns) == 0 {
			return notFound("campaign", id)
		}
		if err := tx.NewSelect().Model(&offers).ColumnExpr("?TableAlias.*").ColumnExpr("ce.name AS center_name").
			Join("JOIN orgs AS ce ON ce.id = ?TableAlias.org_id").
			Where("?TableAlias.campaign_id = ?", id).OrderExpr("?TableAlias.id").Scan(ctx); err != nil {
			return err
		}
		return selectOverseenContracts(tx, &contracts).Where("?TableAlias.campaign_id = ?", id).OrderExpr("?TableAlias.id").Scan(ctx)
	})
	if err != nil {
		return file, err
	}
	file.Campaign = campaigns[0].overseen()
	for _, r := range offers {
		o, err := r.offer()
		if err != nil {
			return file, err
		}
		file.Offers = append(file.Offers, OverseenOffer{Offer: o, CenterName: r.CenterName})
	}
	file.Contracts, err = overseenContracts(contracts)
	return file, err
}

// PlatformContracts lists every contract between clients and centers,
// newest first. It is for the platform.
func (d *DB) PlatformContracts(ctx context.Context, page Page) ([]OverseenContract, *uuid.UUID, error) {
	var rows []overseenContractRow
	err := d.asPlatform(ctx, "console-contracts", func(tx bun.Tx) error {
		return page.apply(selectOverseenContracts(tx, &rows)).Scan(ctx)
	})
	if err != nil {
		return nil, nil, err
	}
	list, next := cut(rows, page, func(r overseenContractRow) uuid.UUID { return r.ID })
	out, err := overseenContracts(list)
	return out, next, err
}
