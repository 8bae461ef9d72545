package console

// The platform's view of the marketplace: every client's campaigns (by
// status), one campaign with the offers made for it and its contracts, and
// every contract. Read-only; the store (store.Oversight) reads across orgs
// for a principal holding console:access only, which clients and centers
// never hold.

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// mountCampaigns registers the oversight pages.
func (c *Console) mountCampaigns(r *fiberhttp.Router) {
	r.Get("/campaigns", tenancy.PermConsoleAccess, c.campaignsPage)
	r.Get("/campaigns/:id", tenancy.PermConsoleAccess, c.campaignPage)
	r.Get("/contracts", tenancy.PermConsoleAccess, c.contractsPage)
}

// campaignRow is a campaign as the console lists it, in the reader's
// words and zone.
type campaignRow struct {
	ID, Client, Name, Kind, Audience, Country, Languages string
	Status, StatusLabel                                  string
	Volume                                               int
	StartsOn, EndsOn                                     string
	BudgetCap                                            string // "" for no cap
	CreatedAt                                            string
}

// contractRow is a contract as the console lists it.
type contractRow struct {
	CampaignID, Campaign, Client, Center string
	Status, StatusLabel                  string
	Currency                             string
	Seats                                int
	AcceptedAt                           string
	ConfirmedAt                          string // "" while pending
}

// contractsTable is the contracts partial's data: the whole list names
// each contract's client and campaign, a campaign's page does not.
type contractsTable struct {
	Locale string
	Rows   []contractRow
	Whole  bool
}

type offerRow struct {
	Center, Status, StatusLabel string
	Seats                       int
	Languages, Hours            string
	PerMinute                   string // "" when minutes are not billed
	StartsOn                    string
	CreatedAt                   string
}

type statusOption struct {
	Value, Label string
	Selected     bool
}

type campaignsData struct {
	Statuses    []statusOption
	FilterError string
	Campaigns   []campaignRow
	Next        string // the address of the next page, if any
}

type campaignData struct {
	Campaign  campaignRow
	Offers    []offerRow
	Contracts contractsTable
}

type contractsData struct {
	Contracts contractsTable
	Next      string
}

// day shows a campaign date, kept as midnight UTC.
func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// languages names languages by their codes, in the reader's language.
func (c *Console) languages(ctx *fiber.Ctx, codes []string) string {
	names := make([]string, len(codes))
	for i, l := range codes {
		names[i] = c.t(ctx, "campaigns.language."+l)
	}
	return strings.Join(names, ", ")
}

func (c *Console) campaignRow(ctx *fiber.Ctx, k store.OverseenCampaign) campaignRow {
	r := campaignRow{ID: k.ID.String(), Client: k.ClientName, Name: k.Name, Kind: c.t(ctx, "campaign_kind."+string(k.Kind)),
		Audience: c.t(ctx, "audience."+string(k.Audience)), Country: k.Country, Languages: c.languages(ctx, k.Languages),
		Status: string(k.Status), StatusLabel: c.t(ctx, "campaigns.status."+string(k.Status)), Volume: k.Volume,
		StartsOn: day(k.StartsOn), EndsOn: day(k.EndsOn), CreatedAt: fiberhttp.When(k.CreatedAt, fiberhttp.ZoneOf(ctx))}
	if k.BudgetCap > 0 {
		r.BudgetCap = money.FormatTotal(k.BudgetCap, k.Currency, fiberhttp.LocaleOf(ctx))
	}
	return r
}

func (c *Console) contractsTable(ctx *fiber.Ctx, list []store.NamedContract, whole bool) contractsTable {
	t := contractsTable{Locale: fiberhttp.LocaleOf(ctx), Whole: whole}
	zone := fiberhttp.ZoneOf(ctx)
	for _, k := range list {
		r := contractRow{CampaignID: k.CampaignID.String(), Campaign: k.CampaignName, Client: k.ClientName,
			Center: k.CenterName, Status: string(k.Status), StatusLabel: c.t(ctx, "campaigns.contract_status."+string(k.Status)),
			Currency: k.RateCard.Currency, Seats: k.Seats, AcceptedAt: fiberhttp.When(k.AcceptedAt, zone)}
		if k.ConfirmedAt != nil {
			r.ConfirmedAt = fiberhttp.When(*k.ConfirmedAt, zone)
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// campaignsPage lists every client's campaigns, newest first, filtered by
// the status of the query when it names one.
func (c *Console) campaignsPage(ctx *fiber.Ctx) error {
	status := campaign.Status(strings.TrimSpace(ctx.Query("status")))
	d := campaignsData{}
	if status != "" && !slices.Contains(campaign.Statuses, status) {
		d.FilterError = c.t(ctx, "console.campaigns.bad_status", string(status))
		status = ""
		ctx.Status(fiber.StatusUnprocessableEntity)
	}
	for _, s := range campaign.Statuses {
		d.Statuses = append(d.Statuses, statusOption{Value: string(s), Label: c.t(ctx, "campaigns.status."+string(s)), Selected: s == status})
	}
	list, next, err := c.d.Oversight.Campaigns(ctx.UserContext(), status, store.Page{After: fiberhttp.After(ctx)})
	if err != nil {
		return err
	}
	for _, k := range list {
		d.Campaigns = append(d.Campaigns, c.campaignRow(ctx, k))
	}
	if next != nil {
		q := url.Values{"after": {next.String()}}
		if status != "" {
			q.Set("status", string(status))
		}
		d.Next = "/console/campaigns?" + q.Encode()
	}
	return c.s.Render(ctx, "console/campaigns", "console", c.t(ctx, "console.campaigns.title"), d)
}

// campaignPage shows one campaign of any client with the offers made for
// it and its contracts. A malformed or unknown id is not found.
func (c *Console) campaignPage(ctx *fiber.Ctx) error {
	id, err := uuid.Parse(ctx.Params("id"))
	if err != nil {
		return apperr.New(apperr.NotFound, "console.campaign.not_found", "there is no such campaign")
	}
	file, err := c.d.Oversight.Campaign(ctx.UserContext(), id)
	if err != nil {
		return err
	}
	d := campaignData{Campaign: c.campaignRow(ctx, file.Campaign), Contracts: c.contractsTable(ctx, file.Contracts, false)}
	locale := fiberhttp.LocaleOf(ctx)
	for _, o := range file.Offers {
		r := offerRow{Center: o.CenterName, Status: string(o.Status), StatusLabel: c.t(ctx, "campaigns.offer_status."+string(o.Status)),
			Seats: o.Seats, Languages: c.languages(ctx, o.Languages), Hours: o.Hours, StartsOn: day(&o.StartsOn),
			CreatedAt: fiberhttp.When(o.CreatedAt, fiberhttp.ZoneOf(ctx))}
		if o.RateCard.PerMinute > 0 {
			r.PerMinute = c.t(ctx, "console.offers.per_minute_value", money.Format(o.RateCard.PerMinute, o.RateCard.Currency, locale),
				o.RateCard.Minimum, o.RateCard.Increment)
		}
		d.Offers = append(d.Offers, r)
	}
	return c.s.Render(ctx, "console/campaigns_detail", "console", file.Campaign.Name, d)
}

// contractsPage lists every contract between clients and centers, newest
// first.
func (c *Console) contractsPage(ctx *fiber.Ctx) error {
	list, next, err := c.d.Oversight.Contracts(ctx.UserContext(), store.Page{After: fiberhttp.After(ctx)})
	if err != nil {
		return err
	}
	d := contractsData{Contracts: c.contractsTable(ctx, list, true)}
	if next != nil {
		d.Next = "/console/contracts?" + url.Values{"after": {next.String()}}.Encode()
	}
	return c.s.Render(ctx, "console/contracts", "console", c.t(ctx, "console.contracts.title"), d)
}
