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
	"github.com/plateau-bpo/plateau/pkg/compliance"
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

// Market is the use cases of the marketplace: a center's offers on an open
// campaign, the client's acceptance, the center's confirmation.
type Market struct{ db *DB }

// NamedOffer is an offer with the name of the center that made it.
type NamedOffer struct {
	market.Offer
	CenterName string
	// NoEUDataYet is set, for the campaign's client, when the campaign
	// holds EU personal data and the center may not receive it yet (its
	// data-protection file is incomplete, or not verified as it stands):
	// accepted, its contract will not become active until it may.
	NoEUDataYet bool
}

// CampaignOffers is a campaign with the offers the principal may see on it.
type CampaignOffers struct {
	Campaign campaign.Campaign
	Offers   []NamedOffer
}

// Offers returns a campaign the principal may see with the offers it may
// see on it: all of them for its client, its own for a center. A campaign
// the principal does not see is not found, whatever offers it made on it.
func (s *Market) Offers(ctx context.Context, campaignID uuid.UUID) (CampaignOffers, error) {
	return run(ctx, s.db, func(t *tenant) (CampaignOffers, error) {
		c, err := t.campaign(ctx, campaignID)
		if err != nil {
			return CampaignOffers{}, err
		}
		offers, err := t.offers(ctx, campaignID)
		if err != nil || c.OrgID != t.OrgID() || !market.HoldsEUPersonalData(c.Country) || len(offers) == 0 {
			return CampaignOffers{Campaign: c, Offers: offers}, err
		}
		centers := make([]uuid.UUID, len(offers))
		for i, o := range offers {
			centers[i] = o.CenterID
		}
		may, err := t.db.mayReceiveEUData(ctx, c.Country, centers, t.Now)
		for i, o := range offers {
			offers[i].NoEUDataYet = !may[o.CenterID]
		}
		return CampaignOffers{Campaign: c, Offers: offers}, err
	})
}

// mayReceiveEUData tells, of each center, whether a contract on a campaign
// calling country may become active now (market.MayActivate): its
// data-protection profile allows it. The profiles are other orgs', read
// across orgs on the system pool for that one fact: nothing else of them
// leaves this function.
func (d *DB) mayReceiveEUData(ctx context.Context, country string, centers []uuid.UUID, now time.Time) (map[uuid.UUID]bool, error) {
	var orgs []orgRow
	var profiles []centerProfileRow
	err := d.inSystem(ctx, "offers-eu-data", func(tx bun.Tx) error {
		if err := tx.NewSelect().Model(&orgs).Column("id", "country").Where("id IN (?)", bun.List(centers)).Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&profiles).Where("org_id IN (?)", bun.List(centers)).Scan(ctx)
	})
	if err != nil {
		return nil, err
	}
	byOrg := map[uuid.UUID]compliance.CenterProfile{}
	for _, o := range orgs {
		byOrg[o.ID] = compliance.CenterProfile{OrgID: o.ID, Country: o.Country, Authority: compliance.AuthorityOf(o.Country)}
	}
	for _, p := range profiles {
		byOrg[p.OrgID] = p.profile()
	}
	out := make(map[uuid.UUID]bool, len(byOrg))
	for id, p := range byOrg {
		out[id] = market.MayActivate(country, p, now) == nil
	}
	return out, nil
}

// SubmitOffer answers an open campaign request with the principal's
// center's offer. A center answers a request once; it may withdraw its
// offer and submit another.
func (s *Market) SubmitOffer(ctx context.Context, campaignID uuid.UUID, in market.OfferInput) (CampaignOffers, error) {
	return run(ctx, s.db, func(t *tenant) (CampaignOffers, error) {
		if err := t.require(ctx, tenancy.PermOffersWrite); err != nil {
			return CampaignOffers{}, err
		}
		c, err := t.campaign(ctx, campaignID)
		if err != nil {
			return CampaignOffers{}, err
		}
		o, err := market.Propose(in, c, t.Now)
		if err != nil {
			return CampaignOffers{}, err
		}
		card, err := json.Marshal(o.RateCard)
		if err != nil {
			return CampaignOffers{}, err
		}
		o.ID, o.CenterID = newID(), t.OrgID()
		row := offerRow{ID: o.ID, OrgID: t.OrgID(), CampaignID: c.ID, ClientID: c.OrgID, RateCard: string(card), Seats: o.Seats,
			Hours: o.Hours, Languages: strings.Join(o.Languages, ","), StartsOn: o.StartsOn, Message: o.Message,
			Status: string(o.Status), CreatedAt: o.CreatedAt}
		// A withdrawn offer gives way to the new one.
		if _, err := t.Tx.NewDelete().Model((*offerRow)(nil)).
			Where("campaign_id = ? AND org_id = ? AND status = ?", c.ID, t.OrgID(), market.OfferWithdrawn).Exec(ctx); err != nil {
			return CampaignOffers{}, err
		}
		if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return CampaignOffers{}, conflictOn(err, "", apperr.New(apperr.Conflict, "store.offer.already_made", "your center already made an offer for this campaign; withdraw it to make another"))
		}
		out := CampaignOffers{Campaign: c, Offers: []NamedOffer{{Offer: o}}}
		return out, t.audit(ctx, "offer.submit", "offer", o.ID.String(), map[string]any{"campaign_id": c.ID})
	})
}

// offers lists the offers the principal may see for a campaign, oldest
// first, with their centers' names: the ones it made, or received as the
// campaign's client.
func (t *tenant) offers(ctx context.Context, campaignID uuid.UUID) ([]NamedOffer, error) {
	var rows []namedOfferRow
	// The centers' names: row-level security shows an org its counterparts'.
	err := t.Tx.NewSelect().Model(&rows).ColumnExpr("?TableAlias.*").ColumnExpr("ce.name AS center_name").
		Join("JOIN orgs AS ce ON ce.id = ?TableAlias.org_id").
		Where("?TableAlias.campaign_id = ?", campaignID).
		Where("(?TableAlias.org_id = ? OR ?TableAlias.client_id = ?)", t.OrgID(), t.OrgID()).
		OrderExpr("?TableAlias.id").Scan(ctx)
	if err != nil {
		return nil, err
	}
	return namedOffers(rows)
}

type namedOfferRow struct {
	offerRow   `bun:",extend"`
	CenterName string `bun:"center_name"`
}

func namedOffers(rows []namedOfferRow) ([]NamedOffer, error) {
	out := make([]NamedOffer, 0, len(rows))
	for _, r := range rows {
		o, err := r.offer()
		if err != nil {
			return nil, err
		}
		out = append(out, NamedOffer{Offer: o, CenterName: r.CenterName})
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

// NamedContract is a contract with the names of its client, center and
// campaign.
type NamedContract struct {
	market.Contract
	ClientName      string
	CenterName      string
	CampaignName    string
	CampaignCountry string // of its callees: whether the contract carries EU personal data
}

type namedContractRow struct {
	contractRow     `bun:",extend"`
	ClientName      string `bun:"client_name"`
	CenterName      string `bun:"center_name"`
	CampaignName    string `bun:"campaign_name"`
	CampaignCountry string `bun:"campaign_country"`
}

func selectNamedContracts(tx bun.IDB, rows *[]namedContractRow) *bun.SelectQuery {
	return tx.NewSelect().Model(rows).ColumnExpr("?TableAlias.*").
		ColumnExpr("cl.name AS client_name, ce.name AS center_name, cp.name AS campaign_name, cp.country AS campaign_country").
		Join("JOIN orgs AS cl ON cl.id = ?TableAlias.org_id").
		Join("JOIN orgs AS ce ON ce.id = ?TableAlias.center_id").
		Join("JOIN campaigns AS cp ON cp.id = ?TableAlias.campaign_id")
}

func namedContracts(rows []namedContractRow) ([]NamedContract, error) {
	out := make([]NamedContract, 0, len(rows))
	for _, r := range rows {
		c, err := r.contract()
		if err != nil {
			return nil, err
		}
		out = append(out, NamedContract{Contract: c, ClientName: r.ClientName, CenterName: r.CenterName,
			CampaignName: r.CampaignName, CampaignCountry: r.CampaignCountry})
	}
	return out, nil
}

// Accept turns an offer made on one of the principal's campaigns into a
// pending contract holding a copy of its rate card (market.Accept says
// when it may).
func (s *Market) Accept(ctx context.Context, campaignID, offerID uuid.UUID) (NamedContract, error) {
	return run(ctx, s.db, func(t *tenant) (NamedContract, error) {
		if err := t.require(ctx, tenancy.PermOffersAccept); err != nil {
			return NamedContract{}, err
		}
		var o offerRow
		err := t.Tx.NewSelect().Model(&o).Where("id = ? AND client_id = ?", offerID, t.OrgID()).Scan(ctx)
		if isNoRows(err) {
			return NamedContract{}, apperr.New(apperr.NotFound, "store.offer.not_found", "offer not found")
		} else if err != nil {
			return NamedContract{}, err
		}
		if campaignID == uuid.Nil { // the API names the offer alone
			campaignID = o.CampaignID
		}
		c, err := t.ownCampaign(ctx, campaignID)
		if err != nil {
			return NamedContract{}, err
		}
		offer, err := o.offer()
		if err != nil {
			return NamedContract{}, err
		}
		k, err := market.Accept(offer, c, t.Now)
		if err != nil {
			return NamedContract{}, err
		}
		card, err := json.Marshal(k.RateCard)
		if err != nil {
			return NamedContract{}, err
		}
		k.ID = newID()
		row := contractRow{ID: k.ID, OrgID: k.ClientID, CenterID: k.CenterID, CampaignID: k.CampaignID, OfferID: k.OfferID,
			RateCard: string(card), Seats: k.Seats, Status: string(k.Status), AcceptedAt: k.AcceptedAt}
		if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return NamedContract{}, err
		}
		if _, err := t.Tx.NewUpdate().Model((*offerRow)(nil)).Set("status = ?", market.OfferAccepted).
			Where("id = ?", o.ID).Exec(ctx); err != nil {
			return NamedContract{}, err
		}
		if err := t.audit(ctx, "offer.accept", "contract", row.ID.String(), map[string]any{"offer_id": o.ID, "center_id": o.OrgID}); err != nil {
			return NamedContract{}, err
		}
		return t.contract(ctx, k.ID)
	})
}

// Confirm is the center's confirmation of a pending contract: it becomes
// active if the campaign may go to this center (market.Confirm: its
// data-protection profile, for EU personal data), and the campaign becomes
// contracted. From then on the center sees the campaign.
func (s *Market) Confirm(ctx context.Context, id uuid.UUID) (NamedContract, error) {
	return run(ctx, s.db, func(t *tenant) (NamedContract, error) {
		var row contractRow
		err := t.Tx.NewSelect().Model(&row).Where("id = ? AND center_id = ?", id, t.OrgID()).Scan(ctx)
		if isNoRows(err) {
			return NamedContract{}, apperr.New(apperr.NotFound, "store.contract.not_found", "contract not found")
		} else if err != nil {
			return NamedContract{}, err
		}
		k, err := row.contract()
		if err != nil {
			return NamedContract{}, err
		}
		var c campaignRow // the client's row: a center reads a campaign it answered
		if err := t.Tx.NewSelect().Model(&c).Where("id = ?", row.CampaignID).Scan(ctx); err != nil {
			return NamedContract{}, err
		}
		profile, err := t.centerProfile(ctx)
		if err != nil {
			return NamedContract{}, err
		}
		k, err = market.Confirm(k, c.campaign(), profile, t.Now)
		if err != nil {
			return NamedContract{}, err
		}
		may, err := t.mayFn(ctx)
		if err != nil {
			return NamedContract{}, err
		}
		next, err := campaign.Next(c.campaign().Status, campaign.Contract, may)
		if err != nil {
			return NamedContract{}, err
		}
		if _, err := t.Tx.NewUpdate().Model((*contractRow)(nil)).Set("status = ?", k.Status).Set("confirmed_at = ?", k.ConfirmedAt).
			Where("id = ?", k.ID).Exec(ctx); err != nil {
			return NamedContract{}, err
		}
		if _, err := t.setStatus(ctx, c.campaign(), next, campaign.Contract); err != nil {
			return NamedContract{}, err
		}
		return t.contract(ctx, k.ID)
	})
}

// Contracts lists the principal's contracts, as client or as center,
// newest first, with the names of both sides and the campaign.
func (s *Market) Contracts(ctx context.Context) ([]NamedContract, error) {
	return run(ctx, s.db, func(t *tenant) ([]NamedContract, error) { return t.contracts(ctx, uuid.Nil) })
}

// contracts lists the principal's contracts, those of one campaign when
// campaignID is set.
func (t *tenant) contracts(ctx context.Context, campaignID uuid.UUID) ([]NamedContract, error) {
	var rows []namedContractRow
	// The other side's name and the campaign's: row-level security shows
	// them to both sides.
	q := selectNamedContracts(t.Tx, &rows).Where("(?TableAlias.org_id = ? OR ?TableAlias.center_id = ?)", t.OrgID(), t.OrgID())
	if campaignID != uuid.Nil {
		q = q.Where("?TableAlias.campaign_id = ?", campaignID)
	}
	err := q.OrderExpr("?TableAlias.id DESC").Scan(ctx)
	if err != nil {
		return nil, err
	}
	return namedContracts(rows)
}

// contract is one of the principal's contracts.
func (t *tenant) contract(ctx context.Context, id uuid.UUID) (NamedContract, error) {
	var rows []namedContractRow
	err := selectNamedContracts(t.Tx, &rows).Where("?TableAlias.id = ?", id).
		Where("(?TableAlias.org_id = ? OR ?TableAlias.center_id = ?)", t.OrgID(), t.OrgID()).Scan(ctx)
	if err != nil {
		return NamedContract{}, err
	}
	if len(rows) == 0 {
		return NamedContract{}, apperr.New(apperr.NotFound, "store.contract.not_found", "contract not found")
	}
	list, err := namedContracts(rows)
	return list[0], err
}
