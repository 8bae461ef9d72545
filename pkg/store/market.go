package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type offerRow struct {
	bun.BaseModel `bun:"table:offers"`

	ID         uuid.UUID `bun:"id,pk"`
	OrgID      uuid.UUID `bun:"org_id"` // the center
	CampaignID uuid.UUID `bun:"campaign_id"`
	ClientID   uuid.UUID `bun:"client_id"`
	RateCard   string    `bun:"rate_card"`
	Seats      int       `bun:"seats"`
	Hours      string    `bun:"hours"`
	Languages  string    `bun:"languages"`
	StartsOn   time.Time `bun:"starts_on"`
	Message    string    `bun:"message"`
	Status     string    `bun:"status"`
	CreatedAt  time.Time `bun:"created_at"`
}

func (r offerRow) offer() (market.Offer, error) {
	o := market.Offer{ID: r.ID, CampaignID: r.CampaignID, CenterID: r.OrgID, Seats: r.Seats, Hours: r.Hours,
		Languages: strings.Split(r.Languages, ","), StartsOn: r.StartsOn, Message: r.Message,
		Status: market.OfferStatus(r.Status), CreatedAt: r.CreatedAt}
	return o, json.Unmarshal([]byte(r.RateCard), &o.RateCard)
}

// SubmitOffer answers an open campaign request with the principal's
// center's offer. A center answers a request once; it may withdraw its
// offer and submit another.
func (t *Tenant) SubmitOffer(ctx context.Context, campaignID uuid.UUID, in market.OfferInput) (market.Offer, error) {
	if t.Principal.OrgKind != tenancy.KindCenter {
		return market.Offer{}, apperr.New(apperr.Forbidden, "only a call center makes offers")
	}
	c, err := t.Campaign(ctx, campaignID)
	if err != nil {
		return market.Offer{}, err
	}
	if c.Status != campaign.Open && c.Status != campaign.Contracted {
		return market.Offer{}, apperr.New(apperr.Conflict, "the campaign is %s: it takes no more offers", c.Status)
	}
	o, err := in.Validate(c.Languages, now())
	if err != nil {
		return o, err
	}
	card, err := json.Marshal(o.RateCard)
	if err != nil {
		return o, err
	}
	o.ID, o.CampaignID, o.CenterID, o.CreatedAt = newID(), c.ID, t.OrgID(), now()
	row := offerRow{ID: o.ID, OrgID: t.OrgID(), CampaignID: c.ID, ClientID: c.OrgID, RateCard: string(card), Seats: o.Seats,
		Hours: o.Hours, Languages: strings.Join(o.Languages, ","), StartsOn: o.StartsOn, Message: o.Message,
		Status: string(o.Status), CreatedAt: o.CreatedAt}
	// A withdrawn offer gives way to the new one.
	if _, err := t.Tx.NewDelete().Model((*offerRow)(nil)).
		Where("campaign_id = ? AND org_id = ? AND status = ?", c.ID, t.OrgID(), market.OfferWithdrawn).Exec(ctx); err != nil {
		return o, err
	}
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return o, conflictOn(err, "", "your center already made an offer for this campaign; withdraw it to make another")
	}
	return o, t.Audit(ctx, "offer.submit", "offer", o.ID.String(), map[string]any{"campaign_id": c.ID})
}

// Offers lists the offers the principal may see for a campaign: all of
// them for the client, its own for a center.
func (t *Tenant) Offers(ctx context.Context, campaignID uuid.UUID) ([]market.Offer, error) {
	var rows []offerRow
	q := t.Tx.NewSelect().Model(&rows).Where("campaign_id = ?", campaignID).OrderExpr("id")
	if t.Principal.OrgKind == tenancy.KindCenter {
		q = q.Where("org_id = ?", t.OrgID())
	} else {
		q = q.Where("client_id = ?", t.OrgID())
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]market.Offer, 0, len(rows))
	for _, r := range rows {
		o, err := r.offer()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

type contractRow struct {
	bun.BaseModel `bun:"table:contracts"`

	ID          uuid.UUID  `bun:"id,pk"`
	OrgID       uuid.UUID  `bun:"org_id"` // the client
	CenterID    uuid.UUID  `bun:"center_id"`
	CampaignID  uuid.UUID  `bun:"campaign_id"`
	OfferID     uuid.UUID  `bun:"offer_id"`
	RateCard    string     `bun:"rate_card"`
	Seats       int        `bun:"seats"`
	Status      string     `bun:"status"`
	AcceptedAt  time.Time  `bun:"accepted_at"`
	ConfirmedAt *time.Time `bun:"confirmed_at"`
}

func (r contractRow) contract() (market.Contract, error) {
	c := market.Contract{ID: r.ID, CampaignID: r.CampaignID, ClientID: r.OrgID, CenterID: r.CenterID, OfferID: r.OfferID,
		Seats: r.Seats, Status: market.ContractStatus(r.Status), AcceptedAt: r.AcceptedAt, ConfirmedAt: r.ConfirmedAt}
	return c, json.Unmarshal([]byte(r.RateCard), &c.RateCard)
}

// AcceptOffer turns an offer into a pending contract holding a copy of its
// rate card. The client accepts; the campaign must still take offers.
func (t *Tenant) AcceptOffer(ctx context.Context, offerID uuid.UUID) (market.Contract, error) {
	var o offerRow
	err := t.Tx.NewSelect().Model(&o).Where("id = ? AND client_id = ?", offerID, t.OrgID()).Scan(ctx)
	if isNoRows(err) {
		return market.Contract{}, notFound("offer", offerID)
	} else if err != nil {
		return market.Contract{}, err
	}
	c, err := t.Campaign(ctx, o.CampaignID)
	if err != nil {
		return market.Contract{}, err
	}
	if c.Status != campaign.Open && c.Status != campaign.Contracted {
		return market.Contract{}, apperr.New(apperr.Conflict, "the campaign is %s: no offer can be accepted", c.Status)
	}
	if o.Status != string(market.OfferSubmitted) {
		return market.Contract{}, apperr.New(apperr.Conflict, "the offer is %s, not open to acceptance", o.Status)
	}
	offer, err := o.offer()
	if err != nil {
		return market.Contract{}, err
	}
	card, err := json.Marshal(offer.RateCard.Snapshot())
	if err != nil {
		return market.Contract{}, err
	}
	row := contractRow{ID: newID(), OrgID: t.OrgID(), CenterID: o.OrgID, CampaignID: c.ID, OfferID: o.ID,
		RateCard: string(card), Seats: o.Seats, Status: string(market.ContractPending), AcceptedAt: now()}
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return market.Contract{}, err
	}
	if _, err := t.Tx.NewUpdate().Model((*offerRow)(nil)).Set("status = ?", market.OfferAccepted).
		Where("id = ?", o.ID).Exec(ctx); err != nil {
		return market.Contract{}, err
	}
	if err := t.Audit(ctx, "offer.accept", "contract", row.ID.String(), map[string]any{"offer_id": o.ID, "center_id": o.OrgID}); err != nil {
		return market.Contract{}, err
	}
	return row.contract()
}

// ConfirmContract is the center's confirmation of a pending contract: it
// becomes active if the campaign may go to this center (its data-protection
// profile, for EU personal data), and the campaign becomes contracted. From
// then on the center sees the campaign.
func (t *Tenant) ConfirmContract(ctx context.Context, id uuid.UUID, at time.Time) (market.Contract, error) {
	var row contractRow
	err := t.Tx.NewSelect().Model(&row).Where("id = ? AND center_id = ?", id, t.OrgID()).Scan(ctx)
	if isNoRows(err) {
		return market.Contract{}, notFound("contract", id)
	} else if err != nil {
		return market.Contract{}, err
	}
	if row.Status != string(market.ContractPending) {
		return market.Contract{}, apperr.New(apperr.Conflict, "the contract is %s, not waiting for confirmation", row.Status)
	}
	var c campaignRow
	if err := t.asSystem(ctx, func() error {
		return t.Tx.NewSelect().Model(&c).Where("id = ?", row.CampaignID).Scan(ctx)
	}); err != nil {
		return market.Contract{}, err
	}
	profile, err := t.CenterProfile(ctx)
	if err != nil {
		return market.Contract{}, err
	}
	if err := market.MayActivate(c.Country, profile, at); err != nil {
		return market.Contract{}, err
	}
	next, err := campaign.Next(campaign.Status(c.Status), campaign.Contract, campaign.Actor{Side: t.Principal.OrgKind, Role: t.Principal.Role})
	if err != nil {
		return market.Contract{}, err
	}
	confirmed := at.UTC()
	row.Status, row.ConfirmedAt = string(market.ContractActive), &confirmed
	if _, err := t.Tx.NewUpdate().Model(&row).Column("status", "confirmed_at").WherePK().Exec(ctx); err != nil {
		return market.Contract{}, err
	}
	if _, err := t.setStatus(ctx, c.campaign(), next, campaign.Contract); err != nil {
		return market.Contract{}, err
	}
	return row.contract()
}

// Contracts lists the principal's contracts, as client or as center.
func (t *Tenant) Contracts(ctx context.Context) ([]market.Contract, error) {
	var rows []contractRow
	col := "org_id"
	if t.Principal.OrgKind == tenancy.KindCenter {
		col = "center_id"
	}
	if err := t.Tx.NewSelect().Model(&rows).Where("? = ?", bun.Ident(col), t.OrgID()).OrderExpr("id DESC").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]market.Contract, 0, len(rows))
	for _, r := range rows {
		c, err := r.contract()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
