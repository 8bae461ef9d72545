package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// The marketplace: a center's offers on an open campaign, each with what
// the campaign would cost under its rate card; the client's acceptance,
// which makes a pending contract holding a copy of the rate card; the
// center owner's confirmation, which activates it if the center's
// data-protection profile allows the campaign's data. Money is integer
// micro-units of the currency (1 EUR = 1 000 000), never floats.

// rateCardView is RateCard.
type rateCardView struct {
	Currency         string           `json:"currency"`
	PerConnectedCall int64            `json:"per_connected_call"`
	PerMinute        int64            `json:"per_minute"`
	Increment        int              `json:"increment_seconds"`
	Minimum          int              `json:"minimum_seconds"`
	PerOutcome       map[string]int64 `json:"per_outcome"`
	PerAttempt       int64            `json:"per_attempt"`
	SeatMonthly      int64            `json:"seat_monthly"`
}

func rateCardOf(r market.RateCard) rateCardView {
	outcomes := r.PerOutcome
	if outcomes == nil {
		outcomes = map[string]int64{}
	}
	return rateCardView{Currency: r.Currency, PerConnectedCall: r.PerConnectedCall, PerMinute: r.PerMinute,
		Increment: r.Increment, Minimum: r.Minimum, PerOutcome: outcomes, PerAttempt: r.PerAttempt, SeatMonthly: r.SeatMonthly}
}

// estimateView is Estimate.
type estimateView struct {
	Currency   string           `json:"currency"`
	Leads      int              `json:"leads"`
	Components map[string]int64 `json:"components"`
	Total      int64            `json:"total"`
}

// offerView is Offer.
type offerView struct {
	ID         uuid.UUID    `json:"id"`
	CampaignID uuid.UUID    `json:"campaign_id"`
	CenterID   uuid.UUID    `json:"center_id"`
	RateCard   rateCardView `json:"rate_card"`
	Seats      int          `json:"seats"`
	Hours      string       `json:"hours"`
	Languages  []string     `json:"languages"`
	StartsOn   time.Time    `json:"starts_on"`
	Message    string       `json:"message"`
	Status     string       `json:"status"`
	CreatedAt  time.Time    `json:"created_at"`
	// Estimate is what the campaign's volume would cost under the rate
	// card, with the platform's default assumptions for its kind.
	Estimate estimateView `json:"estimate"`
}

func offerOf(o market.Offer, c campaign.Campaign) offerView {
	languages := o.Languages
	if languages == nil {
		languages = []string{}
	}
	e := market.EstimateCost(o.RateCard, market.DefaultAssumptions(string(c.Kind), c.Volume))
	return offerView{ID: o.ID, CampaignID: o.CampaignID, CenterID: o.CenterID, RateCard: rateCardOf(o.RateCard), Seats: o.Seats,
		Hours: o.Hours, Languages: languages, StartsOn: o.StartsOn, Message: o.Message, Status: string(o.Status),
		CreatedAt: o.CreatedAt, Estimate: estimateView{Currency: e.Currency, Leads: c.Volume, Components: e.Components, Total: e.Total}}
}

// contractView is Contract.
type contractView struct {
	ID          uuid.UUID    `json:"id"`
	CampaignID  uuid.UUID    `json:"campaign_id"`
	ClientID    uuid.UUID    `json:"client_id"`
	CenterID    uuid.UUID    `json:"center_id"`
	OfferID     uuid.UUID    `json:"offer_id"`
	RateCard    rateCardView `json:"rate_card"`
	Seats       int          `json:"seats"`
	Status      string       `json:"status"`
	AcceptedAt  time.Time    `json:"accepted_at"`
	ConfirmedAt *time.Time   `json:"confirmed_at"`
}

func contractOf(c market.Contract) contractView {
	return contractView{ID: c.ID, CampaignID: c.CampaignID, ClientID: c.ClientID, CenterID: c.CenterID, OfferID: c.OfferID,
		RateCard: rateCardOf(c.RateCard), Seats: c.Seats, Status: string(c.Status), AcceptedAt: c.AcceptedAt, ConfirmedAt: c.ConfirmedAt}
}

// offers lists a campaign's offers the principal may see: all of them for
// its client, its own for a center. A campaign the principal does not see
// is not found, whatever offers it made on it.
func (a *API) offers(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (listView[offerView], error) {
		got, err := a.d.Market.Offers(ctx, id)
		return listView[offerView]{Data: offersOf(got)}, err
	})
}

// offersOf shows a campaign's offers, each with its estimate.
func offersOf(k store.CampaignOffers) []offerView {
	out := make([]offerView, 0, len(k.Offers))
	for _, o := range k.Offers {
		out = append(out, offerOf(o.Offer, k.Campaign))
	}
	return out
}

func (a *API) submitOffer(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return withBody(c, fiber.StatusCreated, func(ctx context.Context, in market.OfferInput) (offerView, error) {
		made, err := a.d.Market.SubmitOffer(ctx, id, in)
		if err != nil {
			return offerView{}, err
		}
		return offersOf(made)[0], nil
	})
}

// acceptOffer makes the pending contract; it has no body. The offer names
// its campaign.
func (a *API) acceptOffer(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusCreated, func(ctx context.Context) (contractView, error) {
		made, err := a.d.Market.Accept(ctx, uuid.Nil, id)
		return contractOf(made.Contract), err
	})
}

func (a *API) contracts(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(ctx context.Context) (listView[contractView], error) {
		list, err := a.d.Market.Contracts(ctx)
		out := listView[contractView]{Data: make([]contractView, 0, len(list))}
		for _, k := range list {
			out.Data = append(out.Data, contractOf(k.Contract))
		}
		return out, err
	})
}

// confirmContract is the center owner's confirmation; it has no body. A
// profile that does not allow the campaign's data answers 409 naming what
// it misses.
func (a *API) confirmContract(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (contractView, error) {
		k, err := a.d.Market.Confirm(ctx, id)
		return contractOf(k.Contract), err
	})
}
