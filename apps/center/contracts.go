package center

// The center's contracts: the client accepted one of its offers, the
// contract holds a copy of the rate card (shown to those who may read
// prices), and the center owner confirms it. Confirming activates it only
// if the campaign may go to this center: a campaign holding EU personal
// data needs a data-protection profile that allows it (market.Confirm).
// The page says so before the owner tries, and after a refusal, with what
// is missing, in the reader's language.

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/market"
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
	Blocked *compliance.DataProtection
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
	canConfirm, err := ce.can(c, tenancy.PermContractsConfirm)
	if err != nil {
		return err
	}
	seesPrices, err := ce.can(c, tenancy.PermPricesRead)
	if err != nil {
		return err
	}
	list, err := ce.d.Views.Contracts(c.UserContext())
	if err != nil {
		return err
	}
	d := contractsData{CanConfirm: canConfirm}
	dp := ce.dataProtection(c, list.Profile)
	for _, k := range list.Contracts {
		row := contractRow{ID: k.ID.String(), Campaign: k.CampaignName, Client: k.ClientName, Status: string(k.Status),
			StatusTxt: ce.t(c, "campaigns.contract_status."+string(k.Status)), Seats: k.Seats,
			AcceptedAt: dayOf(c, &k.AcceptedAt), ConfirmedAt: dayOf(c, k.ConfirmedAt), Pending: k.Status == market.ContractPending}
		if seesPrices {
			row.Rate = ce.rateLines(c, k.RateCard)
		}
		if k.Status == market.ContractActive {
			row.Brief = "/center/campaigns/" + k.CampaignID.String()
		}
		if row.Pending && market.HoldsEUPersonalData(k.CampaignCountry) && !dp.MayReceive {
			row.Blocked = &dp
		}
		if k.ID == refused {
			row.Refusal = why
		}
		d.Contracts = append(d.Contracts, row)
	}
	return ce.s.Render(c, "center/contracts", "center", ce.t(c, "center.contracts.title"), d)
}

// confirmContract is the owner's confirmation. Once active, the campaign
// is the center's: its brief opens.
func (ce *Center) confirmContract(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "contract")
	if err != nil {
		return err
	}
	k, err := ce.d.Market.Confirm(c.UserContext(), id)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Conflict {
		c.Status(fiber.StatusConflict)
		return ce.renderContracts(c, id, ce.s.Localize(c, err).Message)
	}
	if err != nil {
		return err
	}
	if err := ce.s.Flash(c, ce.t(c, "center.contracts.confirmed")); err != nil {
		return err
	}
	return c.Redirect("/center/campaigns/"+k.CampaignID.String(), fiber.StatusSeeOther)
}
