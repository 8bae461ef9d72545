package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// CenterViews is the read side of the center admin: what its pages read
// beside the marketplace's use cases — open requests narrowed by kind and
// language, the center's own offers across campaigns, its contracts with
// its data-protection profile, a contracted campaign's brief.
type CenterViews struct{ db *DB }

// RequestFilter narrows the open requests a center browses; an empty field
// does not filter.
type RequestFilter struct {
	Kind     compliance.Kind
	Language string // a language code the campaign calls in ("fr")
}

// OpenRequest is an open campaign request, and whether the center answered it.
type OpenRequest struct {
	campaign.Campaign
	Offered bool
}

// MatchingRequests is the open requests narrowed by f, newest first, each
// saying whether the center made an offer on it.
func (s *CenterViews) MatchingRequests(ctx context.Context, f RequestFilter, page Page) ([]OpenRequest, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]OpenRequest, *uuid.UUID, error) {
		list, next, err := t.matchingRequests(ctx, f, page)
		if err != nil {
			return nil, nil, err
		}
		var offered []uuid.UUID
		if err := t.Tx.NewSelect().Model((*offerRow)(nil)).Column("campaign_id").
			Where("org_id = ?", t.OrgID()).Scan(ctx, &offered); err != nil {
			return nil, nil, err
		}
		out := make([]OpenRequest, 0, len(list))
		for _, k := range list {
			out = append(out, OpenRequest{Campaign: k, Offered: slices.Contains(offered, k.ID)})
		}
		return out, next, nil
	})
}

// matchingRequests is the open requests narrowed by f, newest first, for
// a principal who browses them (requests:read); nobody else has any.
func (t *tenant) matchingRequests(ctx context.Context, f RequestFilter, page Page) ([]campaign.Campaign, *uuid.UUID, error) {
	if ok, err := t.may(ctx, tenancy.PermRequestsRead); err != nil || !ok {
		return nil, nil, err
	}
	var rows []campaignRow
	q := t.Tx.NewSelect().Model(&rows).Where("status = ?", campaign.Open)
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Language != "" {
		if strings.Trim(f.Language, "abcdefghijklmnopqrstuvwxyz") != "" {
			return nil, nil, apperr.InvalidFields("store.filter.invalid", "the filter is not valid", apperr.Field("language", "store.filter.language.invalid", "must be a language code such as fr"))
		}
		// languages holds the codes joined by commas ("fr,en").
		q = q.Where("',' || languages || ',' LIKE ?", "%,"+f.Language+",%")
	}
	return campaignPage(ctx, q, &rows, page)
}

// Request is an open request as a center reads it, with the center's
// standing offer (a withdrawn one gives way to a new offer).
type Request struct {
	Campaign campaign.Campaign
	Standing *market.Offer
}

// Request reads a campaign the center may see and its standing offer.
func (s *CenterViews) Request(ctx context.Context, id uuid.UUID) (Request, error) {
	return run(ctx, s.db, func(t *tenant) (Request, error) {
		k, err := t.campaign(ctx, id)
		if err != nil {
			return Request{}, err
		}
		offers, err := t.offers(ctx, id)
		out := Request{Campaign: k}
		for _, o := range offers {
			if o.Status != market.OfferWithdrawn && o.CenterID == t.OrgID() {
				out.Standing = &o.Offer
			}
		}
		return out, err
	})
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

// Offers lists the principal's center's offers on every campaign, newest
// first.
//
// Once a request closes, row-level security hides the campaign from a
// center without an active contract, yet the center must still recognise
// its own offers. So the campaigns are read across orgs, and only this:
// the campaign's name, kind and country, which the open request showed,
// where it stands, and its client's name, for campaigns this center
// answered.
func (s *CenterViews) Offers(ctx context.Context, page Page) ([]CenterOffer, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]CenterOffer, *uuid.UUID, error) {
		if err := t.require(ctx, tenancy.PermOffersWrite); err != nil {
			return nil, nil, err
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
		campaigns, err := t.offeredCampaigns(ctx, ids)
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
	})
}

func (t *tenant) offeredCampaigns(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]OfferedCampaign, error) {
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
	err := t.Tx.NewSelect().TableExpr("campaigns AS c").Join("JOIN orgs AS o ON o.id = c.org_id").
		ColumnExpr("c.id, c.name, c.kind, c.country, c.status, o.name AS client").
		Where("c.id IN (?)", bun.List(ids)).
		Where("EXISTS (SELECT 1 FROM offers f WHERE f.campaign_id = c.id AND f.org_id = ?)", t.OrgID()).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = OfferedCampaign{ID: r.ID, Name: r.Name, Kind: compliance.Kind(r.Kind), Country: r.Country,
			Status: campaign.Status(r.Status), Client: r.Client}
	}
	return out, nil
}

// CenterContracts is the center's contracts with its data-protection
// profile, which decides whether a pending one may be confirmed.
type CenterContracts struct {
	Contracts []NamedContract
	Profile   compliance.CenterProfile
}

// Contracts reads the center's contracts and its profile.
func (s *CenterViews) Contracts(ctx context.Context) (CenterContracts, error) {
	return run(ctx, s.db, func(t *tenant) (CenterContracts, error) {
		list, err := t.contracts(ctx, uuid.Nil)
		if err != nil {
			return CenterContracts{}, err
		}
		profile, err := t.centerProfile(ctx)
		return CenterContracts{Contracts: list, Profile: profile}, err
	})
}

// Brief is a contracted campaign as its center works it: the campaign, the
// active contract, and the latest script (nil before the client wrote one).
type Brief struct {
	Campaign campaign.Campaign
	Contract NamedContract
	Script   *script.Version
	// Held says why the campaign's pacer places no call for now (every
	// trunk of a center refused its calls); nil when it dials.
	Held *Hold
}

// Hold is a pause of a campaign's calls the pacer decided: until when,
// and why, in words the reader's language says (apperr.Localize).
type Hold struct {
	Until  time.Time
	Reason error
}

// Brief reads a campaign the center holds an active contract for; any
// other is not found.
func (s *CenterViews) Brief(ctx context.Context, id uuid.UUID) (Brief, error) {
	b, err := run(ctx, s.db, func(t *tenant) (Brief, error) {
		contracts, err := t.contracts(ctx, id)
		if err != nil {
			return Brief{}, err
		}
		var b Brief
		for _, k := range contracts {
			if k.Status == market.ContractActive && k.CenterID == t.OrgID() {
				b.Contract = k
			}
		}
		if b.Contract.ID == uuid.Nil {
			return Brief{}, apperr.New(apperr.NotFound, "store.campaign.not_found", "campaign not found")
		}
		if b.Campaign, err = t.actsOn(ctx, id); err != nil {
			return Brief{}, err
		}
		v, err := t.script(ctx, id)
		switch {
		case err == nil:
			b.Script = &v
		case !apperr.Is(err, apperr.NotFound): // not found: no script yet
			return Brief{}, err
		}
		return b, nil
	})
	if err != nil {
		return Brief{}, err
	}
	// Read once the center's own transaction is over: the system pool may
	// be the same one-connection pool (SQLite).
	b.Held, err = s.db.held(ctx, id, s.db.now())
	return b, err
}

// held is the hold of a campaign's pacer at now, if any. The pacer lease
// is the client's row: the center, whose contract was checked, reads it
// through the system pool.
func (d *DB) held(ctx context.Context, campaignID uuid.UUID, now time.Time) (*Hold, error) {
	var row struct {
		Until  *time.Time `bun:"held_until"`
		Reason *string    `bun:"held_reason"`
	}
	err := d.inSystem(ctx, "center brief: the pacer's hold", func(tx bun.Tx) error {
		return tx.NewSelect().Table("pacer_leases").Column("held_until", "held_reason").
			Where("campaign_id = ? AND held_until > ?", campaignID, now).Scan(ctx, &row)
	})
	if isNoRows(err) || row.Until == nil || row.Reason == nil {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r heldReason
	if err := json.Unmarshal([]byte(*row.Reason), &r); err != nil {
		return nil, err
	}
	return &Hold{Until: row.Until.UTC(), Reason: r.reason()}, nil
}
