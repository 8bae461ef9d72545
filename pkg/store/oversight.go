package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Oversight is the read side of the console: every client's campaigns,
// the centers' offers and the contracts between them, read across orgs.
// Only a principal holding console:access reads them, in an org the policy
// table lets hold it (read in the same transaction); anyone else is
// refused before a row is read.
type Oversight struct{ db *DB }

// OverseenCampaign is a campaign with the name of the client that owns it.
type OverseenCampaign struct {
	campaign.Campaign
	ClientName string
}

// CampaignFile is one campaign with every offer made for it and every
// contract it holds.
type CampaignFile struct {
	Campaign  OverseenCampaign
	Offers    []NamedOffer
	Contracts []NamedContract
}

type overseenCampaignRow struct {
	campaignRow `bun:",extend"`
	ClientName  string `bun:"client_name"`
}

// asPlatform runs fn with the system scope for a principal holding perm,
// one of the platform's: the principal in ctx must hold it, and its org,
// read in the same transaction, must be of a kind the policy table lets
// hold it. Without a principal, or for anyone else, it fails before fn
// reads anything.
func (d *DB) asPlatform(ctx context.Context, perm tenancy.Permission, reason string, fn func(tx bun.Tx) error) error {
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	refused := apperr.New(apperr.Forbidden, "store.oversight.platform_only", "only the platform oversees every org")
	allowed := tenancy.Holds(p.OrgKind, p.Role, perm)
	if d.authorizer != nil {
		if allowed, err = d.authorizer(ctx, p, perm); err != nil {
			return err
		}
	}
	if !allowed {
		return refused
	}
	return d.inSystem(ctx, reason, func(tx bun.Tx) error {
		var kind string
		err := tx.NewSelect().Model((*orgRow)(nil)).Column("kind").Where("id = ?", p.OrgID).Scan(ctx, &kind)
		if isNoRows(err) || (err == nil && !tenancy.KindMayHold(tenancy.OrgKind(kind), perm)) {
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

// PlatformCampaigns lists every client's campaigns, newest first, those in
// status only when status is not empty. It is for the platform.
func (s *Oversight) Campaigns(ctx context.Context, status campaign.Status, page Page) ([]OverseenCampaign, *uuid.UUID, error) {
	var rows []overseenCampaignRow
	err := s.db.asPlatform(ctx, tenancy.PermConsoleAccess, "console-campaigns", func(tx bun.Tx) error {
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
func (s *Oversight) Campaign(ctx context.Context, id uuid.UUID) (CampaignFile, error) {
	var (
		file      CampaignFile
		campaigns []overseenCampaignRow
		offers    []namedOfferRow
		contracts []namedContractRow
	)
	err := s.db.asPlatform(ctx, tenancy.PermConsoleAccess, "console-campaign", func(tx bun.Tx) error {
		if err := selectOverseenCampaigns(tx, &campaigns).Where("?TableAlias.id = ?", id).Scan(ctx); err != nil {
			return err
		}
		if len(campaigns) == 0 {
			return apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
		}
		if err := tx.NewSelect().Model(&offers).ColumnExpr("?TableAlias.*").ColumnExpr("ce.name AS center_name").
			Join("JOIN orgs AS ce ON ce.id = ?TableAlias.org_id").
			Where("?TableAlias.campaign_id = ?", id).OrderExpr("?TableAlias.id").Scan(ctx); err != nil {
			return err
		}
		return selectNamedContracts(tx, &contracts).Where("?TableAlias.campaign_id = ?", id).OrderExpr("?TableAlias.id").Scan(ctx)
	})
	if err != nil {
		return file, err
	}
	file.Campaign = campaigns[0].overseen()
	if file.Offers, err = namedOffers(offers); err != nil {
		return file, err
	}
	file.Contracts, err = namedContracts(contracts)
	return file, err
}

// PlatformContracts lists every contract between clients and centers,
// newest first. It is for the platform.
func (s *Oversight) Contracts(ctx context.Context, page Page) ([]NamedContract, *uuid.UUID, error) {
	var rows []namedContractRow
	err := s.db.asPlatform(ctx, tenancy.PermConsoleAccess, "console-contracts", func(tx bun.Tx) error {
		return page.apply(selectNamedContracts(tx, &rows)).Scan(ctx)
	})
	if err != nil {
		return nil, nil, err
	}
	list, next := cut(rows, page, func(r namedContractRow) uuid.UUID { return r.ID })
	out, err := namedContracts(list)
	return out, next, err
}
