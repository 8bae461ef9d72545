package portal

// The org's contracts: each accepted offer, with its center, its campaign,
// where it stands (pending the center's confirmation, active, ended) and
// the copy of the rate card it holds, which no later edit of the offer
// changes.

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/market"
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

// contractCards shows contracts with their campaigns' names (campaigns)
// and their centers'.
func (pt *Portal) contractCards(c *fiber.Ctx, contracts []market.Contract, campaigns map[uuid.UUID]string) ([]contractCard, error) {
	_, loc, err := pt.org(c)
	if err != nil {
		return nil, err
	}
	names, err := pt.centerNames(c, contracts, nil)
	if err != nil {
		return nil, err
	}
	out := make([]contractCard, 0, len(contracts))
	for _, k := range contracts {
		card := contractCard{CampaignID: k.CampaignID.String(), Campaign: campaigns[k.CampaignID],
			Center: names[k.CenterID], Status: string(k.Status), StatusLabel: pt.t(c, "campaigns.contract_status."+string(k.Status)),
			Seats: k.Seats, AcceptedAt: when(k.AcceptedAt, loc), RateCard: pt.rateLines(c, k.RateCard)}
		if k.ConfirmedAt != nil {
			card.ConfirmedAt = when(*k.ConfirmedAt, loc)
		}
		out = append(out, card)
	}
	return out, nil
}

func (pt *Portal) contractsPage(c *fiber.Ctx) error {
	var contracts []market.Contract
	campaigns := map[uuid.UUID]string{}
	ctx := c.UserContext()
	err := pt.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		if contracts, err = t.Contracts(ctx); err != nil {
			return err
		}
		for _, k := range contracts {
			if _, done := campaigns[k.CampaignID]; done {
				continue
			}
			found, err := t.Campaign(ctx, k.CampaignID)
			if err != nil {
				return err
			}
			campaigns[k.CampaignID] = found.Name
		}
		return nil
	})
	if err != nil {
		return err
	}
	cards, err := pt.contractCards(c, contracts, campaigns)
	if err != nil {
		return err
	}
	return pt.render(c, "contracts", "campaigns.contracts.title", cards)
}
