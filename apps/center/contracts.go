package center

// The center's contracts: the client accepted one of its offers, the
// contract holds a copy of the rate card, and the center owner confirms
// it. Confirming activates it only if the campaign may go to this center:
// a campaign holding EU personal data needs a data-protection profile that
// allows it (market.MayActivate). The page says so before the owner tries,
// and after a refusal, with what is missing, in the reader's language.

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type contractRow struct {
	ID          string
	Campaign    string
	Client      string
	Status      string // the market.ContractStatus, for the badge's class
	StatusTxt   string
	Rate        []line
	Seats       int
	AcceptedAt  string
	ConfirmedAt string
	Brief       string // the campaign brief, once the contract is active
	Pending     bool
	// Blocked is the center's data-protection status when the campaign
	// holds EU personal data the profile does not allow yet.
	Blocked *platform.DataProtection
	Refusal string // why confirming it was just refused
}

type contractsData struct {
	Contracts  []contractRow
	CanConfirm bool
}

func (ce *Center) contractsPage(c *fiber.Ctx) error {
	return ce.renderContracts(c, uuid.Nil, "")
}

// renderContracts lists the contracts; refused names the contract whose
// confirmation was just refused, and why.
func (ce *Center) renderContracts(c *fiber.Ctx, refused uuid.UUID, why string) error {
	canConfirm, err := ce.can(c, tenancy.PermContractsWrite)
	if err != nil {
		return err
	}
	d := contractsData{CanConfirm: canConfirm}
	var list []market.Contract
	var campaigns map[uuid.UUID]store.OfferedCampaign
	var profile compliance.CenterProfile
	ctx := c.UserContext()
	err = ce.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		if list, err = t.Contracts(ctx); err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(list))
		for i, k := range list {
			ids[i] = k.CampaignID
		}
		if campaigns, err = t.OfferedCampaigns(ctx, ids); err != nil {
			return err
		}
		profile, err = t.CenterProfile(ctx)
		return err
	})
	if err != nil {
		return err
	}
	dp := platform.DataProtectionStatus(profile, time.Now(), func(key string, args ...any) string { return ce.t(c, key, args...) })
	for _, k := range list {
		camp := campaigns[k.CampaignID]
		row := contractRow{ID: k.ID.String(), Campaign: camp.Name, Client: camp.Client, Status: string(k.Status),
			StatusTxt: ce.t(c, "center.contract_status."+string(k.Status)), Rate: ce.rateLines(c, k.RateCard), Seats: k.Seats,
			AcceptedAt: day(&k.AcceptedAt), ConfirmedAt: day(k.ConfirmedAt), Pending: k.Status == market.ContractPending}
		if k.Status == market.ContractActive {
			row.Brief = "/center/campaigns/" + k.CampaignID.String()
		}
		if row.Pending && market.HoldsEUPersonalData(camp.Country) && !dp.MayReceive {
			row.Blocked = &dp
		}
		if k.ID == refused {
			row.Refusal = why
		}
		d.Contracts = append(d.Contracts, row)
	}
	return ce.p.Server.Render(c, "center/contracts", "center", ce.t(c, "center.contracts.title"), d)
}

// confirmContract is the owner's confirmation. Once active, the campaign
// is the center's: its brief opens.
func (ce *Center) confirmContract(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "contract")
	if err != nil {
		return err
	}
	var k market.Contract
	ctx := c.UserContext()
	err = ce.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		k, err = t.ConfirmContract(ctx, id, time.Now())
		return err
	})
	if e := apperr.As(err); e != nil && e.Kind == apperr.Conflict {
		c.Status(fiber.StatusConflict)
		return ce.renderContracts(c, id, e.Message)
	}
	if err != nil {
		return err
	}
	if err := ce.p.Server.Flash(c, ce.t(c, "center.contracts.confirmed")); err != nil {
		return err
	}
	return c.Redirect("/center/campaigns/"+k.CampaignID.String(), fiber.StatusSeeOther)
}
