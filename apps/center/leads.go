package center

// The leads of a campaign the center holds an active contract for, as its
// supervisors read them: counted by status and block reason, filtered,
// searched by name — never by number — with every phone number masked and
// no email, so that a lead list cannot walk out of the building. Without an
// active contract the campaign's leads are not found; the masking and the
// search by name only are the store's, for whoever lacks phones:read.

import (
	"html/template"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/store"
)

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
	f := store.LeadFilter{Search: strings.TrimSpace(c.Query("q"))}
	if s := lead.Status(c.Query("status")); s.Valid() {
		f.Status = s
	}
	f.BlockReason = compliance.Reason(c.Query("reason"))
	// Not found without an active contract. A center finds leads by name
	// only, and reads them masked: the store decides both, the center not
	// holding phones:read.
	got, err := ce.d.Leads.Browse(c.UserContext(), id, f, store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	counts, status, reason := got.Counts, got.Filter.Status, got.Filter.BlockReason
	d := maskedLeadsData{CampaignID: id.String(), Campaign: got.Campaign.Name, Total: counts.Total, Query: f.Search,
		Filtered: status != "" || reason != "" || f.Search != ""}
	path := "/center/campaigns/" + d.CampaignID + "/leads"
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
	for _, l := range got.Leads {
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
	if got.Next != nil {
		d.NextQuery = template.URL(store.LeadFilter{Status: status, BlockReason: reason, Search: f.Search}.Query(got.Next))
	}
	return ce.s.Render(c, "center/leads", "center", ce.t(c, "leads.campaign.title", d.Campaign), d)
}
