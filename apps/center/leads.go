package center

// The leads of a campaign the center holds an active contract for, as its
// supervisors read them: counted by status and block reason, filtered,
// searched by name — never by number — with every phone number masked and
// no email, so that a lead list cannot walk out of the building. Without an
// active contract the campaign's leads are not found (pkg/store decides).

import (
	"html/template"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func (ce *Center) mountLeads(r *fiberhttp.Router) {
	r.Get("/campaigns/:id/leads", tenancy.PermLeadsRead, ce.admin, ce.leadsPage)
}

// maskedLead is a lead as a center's list shows it.
type maskedLead struct {
	Name        string
	Company     string
	Phone       string // masked
	City        string
	Status      string
	StatusLabel string
	ReasonLabel string
}

// maskedCount is a count of leads that filters the list to them.
type maskedCount struct {
	Code    string
	Label   string
	N       int
	Href    string
	Current bool
}

type maskedLeadsData struct {
	CampaignID string
	Campaign   string
	Total      int
	ByStatus   []maskedCount
	ByReason   []maskedCount
	Statuses   []option
	Reasons    []option
	Query      string
	Filtered   bool
	Leads      []maskedLead
	NextQuery  template.URL // a query made here, not to be escaped again
}

func (ce *Center) leadsPage(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	page := store.Page{After: fiberhttp.After(c)}
	d := maskedLeadsData{CampaignID: id.String(), Query: strings.TrimSpace(c.Query("q"))}
	path := "/center/campaigns/" + d.CampaignID + "/leads"
	ctx := c.UserContext()
	err = ce.p.DB.InTenant(ctx, func(t *store.Tenant) error {
		counts, err := t.CountLeads(ctx, id) // not found without an active contract
		if err != nil {
			return err
		}
		k, err := t.Campaign(ctx, id)
		if err != nil {
			return err
		}
		d.Campaign, d.Total = k.Name, counts.Total
		var status lead.Status
		if s := lead.Status(c.Query("status")); s.Valid() {
			status = s
		}
		var reason compliance.Reason
		if r := compliance.Reason(c.Query("reason")); counts.ByReason[r] > 0 {
			reason = r
		}
		d.Filtered = status != "" || reason != "" || d.Query != ""
		for _, s := range lead.Statuses() {
			label := ce.t(c, "leads.status."+string(s))
			d.Statuses = append(d.Statuses, option{Value: string(s), Label: label, Selected: s == status})
			if n := counts.ByStatus[s]; n > 0 {
				d.ByStatus = append(d.ByStatus, maskedCount{Code: string(s), Label: label, N: n,
					Href: path + "?" + store.LeadFilter{Status: s}.Query(nil), Current: s == status && reason == ""})
			}
		}
		reasons := make([]compliance.Reason, 0, len(counts.ByReason))
		for r := range counts.ByReason {
			reasons = append(reasons, r)
		}
		slices.Sort(reasons)
		for _, r := range reasons {
			label := ce.t(c, "reason."+string(r))
			d.Reasons = append(d.Reasons, option{Value: string(r), Label: label, Selected: r == reason})
			d.ByReason = append(d.ByReason, maskedCount{Code: string(r), Label: label, N: counts.ByReason[r],
				Href: path + "?" + store.LeadFilter{Status: lead.Blocked, BlockReason: r}.Query(nil), Current: r == reason})
		}
		// A center finds leads by name only: searching by number would
		// tell it the numbers its list masks.
		list, next, err := t.Leads(ctx, id, store.LeadFilter{Status: status, BlockReason: reason, Search: d.Query}, page)
		for _, l := range list {
			l = l.ForCenter() // every text of it, not the number only
			m := maskedLead{Name: l.Name(), Company: l.Company, Phone: l.Phone, City: l.City,
				Status: string(l.Status), StatusLabel: ce.t(c, "leads.status."+string(l.Status))}
			if m.Name == l.Company {
				m.Company = ""
			}
			if l.Block != nil {
				m.ReasonLabel = ce.t(c, "reason."+string(l.Block.Reason))
			}
			d.Leads = append(d.Leads, m)
		}
		if next != nil {
			d.NextQuery = template.URL(store.LeadFilter{Status: status, BlockReason: reason, Search: d.Query}.Query(next))
		}
		return err
	})
	if err != nil {
		return err
	}
	return ce.p.Server.Render(c, "center/leads", "center", ce.t(c, "leads.campaign.title", d.Campaign), d)
}
