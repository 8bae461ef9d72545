package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// A client's campaigns: the client writes the request in draft, publishes
// it on the marketplace, and moves it through its life; a center sees an
// open request, and a campaign it holds an active contract for. The store
// decides what the principal sees (anything else is 404) and the campaign
// package who may make each move.

// campaignView is Campaign.
type campaignView struct {
	ID            uuid.UUID  `json:"id"`
	ClientID      uuid.UUID  `json:"client_id"`
	Name          string     `json:"name"`
	Kind          string     `json:"kind"`
	Audience      string     `json:"audience"`
	Country       string     `json:"country"`
	Languages     []string   `json:"languages"`
	StartsOn      *time.Time `json:"starts_on"`
	EndsOn        *time.Time `json:"ends_on"`
	TargetOutcome string     `json:"target_outcome"`
	Volume        int        `json:"volume"`
	BudgetCap     int64      `json:"budget_cap"` // micro-units of Currency; 0: no cap
	Currency      string     `json:"currency"`
	DialingMode   string     `json:"dialing_mode"`
	RetentionDays int        `json:"retention_days"`
	Status        string     `json:"status"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func campaignOf(c campaign.Campaign) campaignView {
	languages := c.Languages
	if languages == nil {
		languages = []string{}
	}
	return campaignView{ID: c.ID, ClientID: c.OrgID, Name: c.Name, Kind: string(c.Kind), Audience: string(c.Audience),
		Country: c.Country, Languages: languages, StartsOn: c.StartsOn, EndsOn: c.EndsOn, TargetOutcome: c.TargetOutcome,
		Volume: c.Volume, BudgetCap: c.BudgetCap, Currency: c.Currency, DialingMode: string(c.DialingMode),
		RetentionDays: c.RetentionDays, Status: string(c.Status), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// campaignPatch is CampaignPatch: fields left out stay as they are; null
// clears a date.
type campaignPatch struct {
	Name          *string             `json:"name"`
	Kind          *string             `json:"kind"`
	Audience      *string             `json:"audience"`
	Country       *string             `json:"country"`
	Languages     *[]string           `json:"languages"`
	StartsOn      nullable[time.Time] `json:"starts_on"`
	EndsOn        nullable[time.Time] `json:"ends_on"`
	TargetOutcome *string             `json:"target_outcome"`
	Volume        *int                `json:"volume"`
	BudgetCap     *int64              `json:"budget_cap"`
	Currency      *string             `json:"currency"`
	DialingMode   *string             `json:"dialing_mode"`
	RetentionDays *int                `json:"retention_days"`
}

// apply lays the patch over the campaign's request as it stands.
func (p campaignPatch) apply(c campaign.Campaign) campaign.Input {
	in := campaign.Input{Name: c.Name, Kind: string(c.Kind), Audience: string(c.Audience), Country: c.Country,
		Languages: c.Languages, StartsOn: c.StartsOn, EndsOn: c.EndsOn, TargetOutcome: c.TargetOutcome, Volume: c.Volume,
		BudgetCap: c.BudgetCap, Currency: c.Currency, DialingMode: string(c.DialingMode), RetentionDays: c.RetentionDays}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Name, p.Name)
	set(&in.Kind, p.Kind)
	set(&in.Audience, p.Audience)
	set(&in.Country, p.Country)
	set(&in.TargetOutcome, p.TargetOutcome)
	set(&in.Currency, p.Currency)
	set(&in.DialingMode, p.DialingMode)
	if p.Languages != nil {
		in.Languages = *p.Languages
	}
	if p.StartsOn.Set {
		in.StartsOn = p.StartsOn.Value
	}
	if p.EndsOn.Set {
		in.EndsOn = p.EndsOn.Value
	}
	if p.Volume != nil {
		in.Volume = *p.Volume
	}
	if p.BudgetCap != nil {
		in.BudgetCap = *p.BudgetCap
	}
	if p.RetentionDays != nil {
		in.RetentionDays = *p.RetentionDays
	}
	return in
}

// transitionInput is Transition: the move asked for.
type transitionInput struct {
	Event campaign.Event `json:"event"`
}

func (a *API) createCampaign(c *fiber.Ctx) error {
	return withBody(c, a.db, fiber.StatusCreated, func(ctx context.Context, t *store.Tenant, in campaign.Input) (campaignView, error) {
		made, err := t.CreateCampaign(ctx, in)
		return campaignOf(made), err
	})
}

func (a *API) campaign(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant) (campaignView, error) {
		found, err := t.Campaign(ctx, id)
		return campaignOf(found), err
	})
}

// updateCampaign edits a draft; the store answers 409 for any other status.
func (a *API) updateCampaign(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return withBody(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant, patch campaignPatch) (campaignView, error) {
		old, err := t.Campaign(ctx, id)
		if err != nil {
			return campaignView{}, err
		}
		saved, err := t.UpdateCampaign(ctx, id, patch.apply(old))
		return campaignOf(saved), err
	})
}

// moveCampaign applies an event of the campaign's life. The route opens to
// whoever reads campaigns: the state machine says who may make each move
// (403), and from which state (409).
func (a *API) moveCampaign(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return withBody(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant, in transitionInput) (campaignView, error) {
		if in.Event == campaign.Contract {
			// A campaign becomes contracted when a center confirms its
			// contract, never by asking: the store's Move would let any
			// center owner make this move on any open request.
			return campaignView{}, apperr.InvalidFields("unknown move", apperr.FieldError{Path: "event",
				Message: "a campaign becomes contracted when a center confirms its contract (POST /contracts/{id}/confirm); " +
					"the moves are publish, unpublish, start, pause, resume, complete, cancel"})
		}
		moved, err := t.Move(ctx, id, in.Event)
		return campaignOf(moved), err
	})
}
