package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// A client's campaigns: the client writes the request in draft, publishes
// it on the marketplace, and moves it through its life; a center sees an
// open request, and a campaign it holds an active contract for. The store
// decides what the principal sees (anything else is 404) and, with the
// policy table, who may make each move. A campaign's budget is a price:
// whoever may not read prices (prices:read) reads it as null.

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
	BudgetCap     *int64     `json:"budget_cap"` // micro-units of Currency; 0: no cap; null: hidden
	Currency      string     `json:"currency"`
	DialingMode   string     `json:"dialing_mode"`
	RetentionDays int        `json:"retention_days"`
	RecordCalls   bool       `json:"record_calls"`
	Status        string     `json:"status"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// campaignViewer shows campaigns to the request's principal: with their
// budget to those who may read prices, without it to the others.
func (a *API) campaignViewer(c *fiber.Ctx) (func(campaign.Campaign) campaignView, error) {
	prices, err := a.s.Can(c, tenancy.PermPricesRead)
	if err != nil {
		return nil, err
	}
	return func(k campaign.Campaign) campaignView {
		languages := k.Languages
		if languages == nil {
			languages = []string{}
		}
		v := campaignView{ID: k.ID, ClientID: k.OrgID, Name: k.Name, Kind: string(k.Kind), Audience: string(k.Audience),
			Country: k.Country, Languages: languages, StartsOn: k.StartsOn, EndsOn: k.EndsOn, TargetOutcome: k.TargetOutcome,
			Volume: k.Volume, Currency: k.Currency, DialingMode: string(k.DialingMode),
			RetentionDays: k.RetentionDays, RecordCalls: k.RecordCalls, Status: string(k.Status), CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}
		if prices {
			budget := k.BudgetCap
			v.BudgetCap = &budget
		}
		return v
	}, nil
}

// campaignAnswer answers the campaign one use case returns, as the
// principal may see it.
func (a *API) campaignAnswer(c *fiber.Ctx, status int, use func(ctx context.Context) (campaign.Campaign, error)) error {
	view, err := a.campaignViewer(c)
	if err != nil {
		return err
	}
	return answer(c, status, func(ctx context.Context) (campaignView, error) {
		k, err := use(ctx)
		return view(k), err
	})
}

// campaigns answers one page of a list of campaigns.
func (a *API) campaigns(fetch fetchPage[campaign.Campaign]) fiber.Handler {
	return func(c *fiber.Ctx) error {
		view, err := a.campaignViewer(c)
		if err != nil {
			return err
		}
		return list(fetch, view)(c)
	}
}

// campaignPatch is CampaignPatch: fields left out stay as they are; null
// clears a date. A patch of record_calls alone is the one change a
// campaign past its draft takes (until it ends).
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
	RecordCalls   *bool               `json:"record_calls"`
}

// recordingOnly reports whether the patch sets whether the campaign
// records its calls, and nothing else.
func (p campaignPatch) recordingOnly() bool {
	return p.RecordCalls != nil && p == campaignPatch{RecordCalls: p.RecordCalls}
}

// apply lays the patch over the campaign's request as it stands.
func (p campaignPatch) apply(c campaign.Campaign) campaign.Input {
	in := campaign.Input{Name: c.Name, Kind: string(c.Kind), Audience: string(c.Audience), Country: c.Country,
		Languages: c.Languages, StartsOn: c.StartsOn, EndsOn: c.EndsOn, TargetOutcome: c.TargetOutcome, Volume: c.Volume,
		BudgetCap: c.BudgetCap, Currency: c.Currency, DialingMode: string(c.DialingMode), RetentionDays: c.RetentionDays,
		RecordCalls: c.RecordCalls}
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
	if p.RecordCalls != nil {
		in.RecordCalls = *p.RecordCalls
	}
	return in
}

// transitionInput is Transition: the move asked for.
type transitionInput struct {
	Event campaign.Event `json:"event"`
}

func (a *API) createCampaign(c *fiber.Ctx) error {
	var in campaign.Input
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	return a.campaignAnswer(c, fiber.StatusCreated, func(ctx context.Context) (campaign.Campaign, error) {
		return a.d.Campaigns.Create(ctx, in)
	})
}

func (a *API) campaign(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return a.campaignAnswer(c, fiber.StatusOK, func(ctx context.Context) (campaign.Campaign, error) {
		return a.d.Campaigns.Get(ctx, id)
	})
}

// updateCampaign edits a draft; the store answers 409 for any other
// status, but to a patch of record_calls alone until the campaign ends.
func (a *API) updateCampaign(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var patch campaignPatch
	if err := fiberhttp.DecodeJSON(c, &patch); err != nil {
		return err
	}
	return a.campaignAnswer(c, fiber.StatusOK, func(ctx context.Context) (campaign.Campaign, error) {
		if patch.recordingOnly() {
			return a.d.Campaigns.SetRecording(ctx, id, *patch.RecordCalls)
		}
		return a.d.Campaigns.Edit(ctx, id, patch.apply)
	})
}

// moveCampaign applies an event of the campaign's life. The route opens to
// whoever reads campaigns: the use case asks the policy table for the
// permission the move needs (403), the state machine whether the campaign
// allows it now (409), and refuses an unknown move (422) naming the moves
// open to the caller, and contract, which confirming a contract makes.
func (a *API) moveCampaign(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in transitionInput
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	return a.campaignAnswer(c, fiber.StatusOK, func(ctx context.Context) (campaign.Campaign, error) {
		return a.d.Campaigns.Move(ctx, id, in.Event)
	})
}
