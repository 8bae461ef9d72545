package portal

// The org's contracts: each accepted offer, with its center, its campaign,
// where it stands (pending the center's confirmation, active, ended) and
// the copy of the rate card it holds, which no later edit of the offer
// changes.

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/store"
)

// contractCard is a contract as the pages show it.
type contractCard struct {
	CampaignID  string
	Campaign    string
	Center      string
	Status      string
	StatusLabel string
	Seats       int
	AcceptedAt  string
	ConfirmedAt string
	RateCard    []line
}

// contractCards shows contracts with the names of their campaigns and
// centers, their times in loc.
func (pt *Portal) contractCards(c *fiber.Ctx, contracts []store.NamedContract, loc *time.Location) []contractCard {
	out := make([]contractCard, 0, len(contracts))
	for _, k := range contracts {
		card := contractCard{CampaignID: k.CampaignID.String(), Campaign: k.CampaignName,
			Center: k.CenterName, Status: string(k.Status), StatusLabel: pt.s.T(c, "campaigns.contract_status."+string(k.Status)),
			Seats: k.Seats, AcceptedAt: when(k.AcceptedAt, loc), RateCard: pt.rateLines(c, k.RateCard)}
		if k.ConfirmedAt != nil {
			card.ConfirmedAt = when(*k.ConfirmedAt, loc)
		}
		out = append(out, card)
	}
	return out
}

func (pt *Portal) contractsPage(c *fiber.Ctx) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	contracts, err := pt.d.Market.Contracts(c.UserContext())
	if err != nil {
		return err
	}
	return pt.render(c, "contracts", "campaigns.contracts.title", pt.contractCards(c, contracts, loc))
}
