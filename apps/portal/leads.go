package portal

// A client's leads: its campaigns with their lead counts, a campaign's
// leads counted by status and block reason (each count a filter), searched
// by number or by the start of a name, and each lead with everything it
// holds — the compliance decision of a blocked one, in the reader's
// language — and where it came from. The imports that bring leads in are
// imports.go's. The queries are pkg/store's; a campaign or a lead of
// another org is not found.

import (
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// mountLeads registers the lead pages and the imports. Reading is
// leads:read (analysts too); importing, and removing a lead no call
// touched, is leads:write. The upload takes a
// lead file of up to store.MaxFileSize; the server refuses a larger body
// before the handler runs.
func (pt *Portal) mountLeads(r *fiberhttp.Router) {
	r.Get("/leads", tenancy.PermLeadsRead, pt.leadsHomePage)
	r.Get("/campaigns/:id/leads", tenancy.PermLeadsRead, pt.campaignLeadsPage)
	r.Get("/campaigns/:id/leads/:lead", tenancy.PermLeadsRead, pt.leadPage)
	r.Post("/campaigns/:id/leads/:lead/remove", tenancy.PermLeadsWrite, pt.removeLead)
	r.Get("/campaigns/:id/imports", tenancy.PermLeadsRead, pt.importsPage)
	r.Upload("/campaigns/:id/imports", tenancy.PermLeadsWrite, store.MaxFileSize, pt.uploadLeads)
	r.Get("/campaigns/:id/imports/:import", tenancy.PermLeadsRead, pt.importPage)
	r.Post("/campaigns/:id/imports/:import/start", tenancy.PermLeadsWrite, pt.startImport)
	r.Get("/campaigns/:id/imports/:import/events", tenancy.PermLeadsRead, pt.importEvents)
	r.Get("/campaigns/:id/imports/:import/report", tenancy.PermLeadsRead, pt.importReport)
}

// leadsCampaign is the campaign a lead page is about.
type leadsCampaign struct {
	ID, Name, Country string
	Status            string
	StatusLabel       string
	TakesLeads        bool // neither completed nor cancelled
}

func (pt *Portal) leadsCampaign(c *fiber.Ctx, k campaign.Campaign) leadsCampaign {
	return leadsCampaign{ID: k.ID.String(), Name: k.Name, Country: k.Country, Status: string(k.Status),
		StatusLabel: pt.s.T(c, "campaigns.status."+string(k.Status)),
		TakesLeads:  !k.Status.Ended()}
}

// leadsHomeRow is a campaign with its lead counts.
type leadsHomeRow struct {
	Campaign leadsCampaign
	Total    int
	Ready    int
	Blocked  int
}

type leadsHomeData struct {
	Campaigns []leadsHomeRow
	NextQuery template.URL // a query made here, not to be escaped again
}

// leadsHomePage lists the org's campaigns with their lead counts, each
// leading to its leads.
func (pt *Portal) leadsHomePage(c *fiber.Ctx) error {
	list, next, err := pt.d.Leads.Campaigns(c.UserContext(), store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	var d leadsHomeData
	for _, k := range list {
		n := k.Counts
		d.Campaigns = append(d.Campaigns, leadsHomeRow{Campaign: pt.leadsCampaign(c, k.Campaign), Total: n.Total,
			Ready: n.ByStatus[lead.Ready], Blocked: n.ByStatus[lead.Blocked]})
	}
	if next != nil {
		d.NextQuery = template.URL(url.Values{"after": {next.String()}}.Encode())
	}
	return pt.render(c, "leads-home", "leads.title", d)
}

// leadCount is a count of leads that filters the list to them.
type leadCount struct {
	Code    string
	Label   string
	N       int
	Href    string
	Current bool
}

// leadRow is a lead in a list.
type leadRow struct {
	ID          string
	Name        string
	Company     string
	Phone       string // as the reader writes it
	E164        string
	City        string
	Status      string
	StatusLabel string
	Reason      string
	ReasonLabel string
	Added       string
}

type campaignLeadsData struct {
	Campaign    leadsCampaign
	Total       int
	ByStatus    []leadCount
	ByReason    []leadCount
	Query       string
	Status      string
	Reason      string
	Statuses    []option
	Reasons     []option
	Searched    string // the number searched, as the reader writes it, when the query was one
	SearchError string
	Filtered    bool
	Leads       []leadRow
	NextQuery   template.URL
}

func (pt *Portal) campaignLeadsPage(c *fiber.Ctx) error {
	org, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	// The filters as typed: the store leaves out those no lead can match,
	// and reads a search as a number when it is one.
	f := store.LeadFilter{Status: lead.Status(c.Query("status")), BlockReason: compliance.Reason(c.Query("reason")),
		Search: strings.TrimSpace(c.Query("q"))}
	found, err := pt.d.Leads.Browse(c.UserContext(), id, f, store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	applied := found.Filter
	d := campaignLeadsData{Campaign: pt.leadsCampaign(c, found.Campaign), Total: found.Counts.Total, Query: applied.Search,
		Status: string(applied.Status), Reason: string(applied.BlockReason), Searched: applied.Phone,
		Filtered: applied.Status != "" || applied.BlockReason != "" || applied.Search != ""}
	d.ByStatus, d.Statuses, d.ByReason, d.Reasons = pt.leadCounts(c, "/portal/campaigns/"+d.Campaign.ID+"/leads", found.Counts,
		applied.Status, applied.BlockReason)
	if found.Unreadable != nil {
		d.SearchError = pt.s.T(c, "leads.search.bad_number", applied.Search, pt.s.Localize(c, found.Unreadable).Message)
	}
	if applied.Phone != "" {
		d.Searched = phone.Display(applied.Phone, org.Country)
	}
	for _, l := range found.Leads {
		d.Leads = append(d.Leads, pt.leadRow(c, l, org.Country, loc))
	}
	if found.Next != nil {
		d.NextQuery = template.URL(store.LeadFilter{Status: applied.Status, BlockReason: applied.BlockReason, Search: applied.Search}.Query(found.Next))
	}
	return pt.s.Render(c, "portal/leads", "portal", pt.s.T(c, "leads.campaign.title", d.Campaign.Name), d)
}

// leadCounts are the counts of a campaign's leads by status and by block
// reason, each linking to the list it counts, and the options of the
// filter form.
func (pt *Portal) leadCounts(c *fiber.Ctx, path string, counts store.LeadCounts, status lead.Status, reason compliance.Reason) (
	byStatus []leadCount, statuses []option, byReason []leadCount, reasons []option) {
	for _, s := range lead.Statuses() {
		label := pt.s.T(c, "leads.status."+string(s))
		statuses = append(statuses, option{Value: string(s), Label: label, Selected: s == status})
		if n := counts.ByStatus[s]; n > 0 {
			byStatus = append(byStatus, leadCount{Code: string(s), Label: label, N: n,
				Href: path + "?" + store.LeadFilter{Status: s}.Query(nil), Current: s == status && reason == ""})
		}
	}
	codes := make([]compliance.Reason, 0, len(counts.ByReason))
	for r := range counts.ByReason {
		codes = append(codes, r)
	}
	slices.SortFunc(codes, func(a, b compliance.Reason) int {
		if d := counts.ByReason[b] - counts.ByReason[a]; d != 0 {
			return d
		}
		return strings.Compare(string(a), string(b))
	})
	for _, r := range codes {
		label := pt.s.T(c, "reason."+string(r))
		reasons = append(reasons, option{Value: string(r), Label: label, Selected: r == reason})
		byReason = append(byReason, leadCount{Code: string(r), Label: label, N: counts.ByReason[r],
			Href: path + "?" + store.LeadFilter{Status: lead.Blocked, BlockReason: r}.Query(nil), Current: r == reason})
	}
	return byStatus, statuses, byReason, reasons
}

func (pt *Portal) leadRow(c *fiber.Ctx, l lead.Lead, region string, loc *time.Location) leadRow {
	v := leadRow{ID: l.ID.String(), Name: l.Name(), Company: l.Company, Phone: phone.Display(l.Phone, region), E164: l.Phone, City: l.City,
		Status: string(l.Status), StatusLabel: pt.s.T(c, "leads.status."+string(l.Status)), Added: when(l.CreatedAt, loc)}
	if v.Name == l.Company {
		v.Company = ""
	}
	if l.Block != nil {
		v.Reason, v.ReasonLabel = string(l.Block.Reason), pt.s.T(c, "reason."+string(l.Block.Reason))
	}
	return v
}

// leadBlock is the compliance decision that blocked a lead.
type leadBlock struct {
	Reason      string
	ReasonLabel string
	Explanation string
	Rule        string
	Source      string
	RuleSet     string
	CheckedAt   string
}

// leadEvent is a moment of a lead's history.
type leadEvent struct {
	When string
	Text string
	Href string // the import it came from
}

type leadData struct {
	Campaign    leadsCampaign
	Name        string
	Phone       string
	Status      string
	StatusLabel string
	Fields      []line
	Custom      []line
	Consent     []line
	Block       *leadBlock
	History     []leadEvent
	Removable   bool // no call touched it, and the viewer may remove it
	RemovePath  string
}

func (pt *Portal) leadPage(c *fiber.Ctx) error {
	org, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	leadID, err := fiberhttp.PathID(c, "lead", "lead")
	if err != nil {
		return err
	}
	found, err := pt.d.Leads.Get(c.UserContext(), id, leadID)
	if err != nil {
		return err
	}
	l, from := found.Lead, found.Import
	d := leadData{Campaign: pt.leadsCampaign(c, found.Campaign)}
	locale := fiberhttp.LocaleOf(c)
	shown := phone.Display(l.Phone, org.Country)
	d.Name, d.Phone, d.Status, d.StatusLabel = l.Name(), shown, string(l.Status), pt.s.T(c, "leads.status."+string(l.Status))
	for _, f := range []struct {
		field leadfile.Field
		value string
	}{
		{leadfile.FieldPhone, shown}, {leadfile.FieldFirstName, l.FirstName}, {leadfile.FieldLastName, l.LastName},
		{leadfile.FieldCompany, l.Company}, {leadfile.FieldEmail, l.Email}, {leadfile.FieldPostalCode, l.PostalCode},
		{leadfile.FieldCity, l.City}, {leadfile.FieldCountry, l.Country}, {leadfile.FieldTimezone, l.Timezone},
	} {
		if f.value != "" {
			d.Fields = append(d.Fields, line{Label: pt.s.T(c, "leads.field."+string(f.field)), Value: f.value})
		}
	}
	if l.Region != "" {
		d.Fields = append(d.Fields, line{Label: pt.s.T(c, "leads.detail.region"), Value: l.Region})
	}
	names := make([]string, 0, len(l.Custom))
	for name := range l.Custom {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		d.Custom = append(d.Custom, line{Label: name, Value: l.Custom[name]})
	}
	if cs := l.Consent; cs != nil {
		d.Consent = []line{{pt.s.T(c, "leads.field.consent_source"), cs.Source}, {pt.s.T(c, "leads.field.consent_captured_at"), when(cs.CapturedAt, loc)}}
		if cs.Proof != "" {
			d.Consent = append(d.Consent, line{pt.s.T(c, "leads.field.consent_proof"), cs.Proof})
		}
	}
	if b := l.Block; b != nil {
		d.Block = &leadBlock{Reason: string(b.Reason), ReasonLabel: pt.s.T(c, "reason."+string(b.Reason)),
			Explanation: textIn(locale, b.Explanation), Rule: ruleIn(locale, b.Rule), Source: sourceIn(locale, b.Source), RuleSet: b.RuleSet,
			CheckedAt: when(b.CheckedAt, loc)}
	}
	switch {
	case from != nil:
		d.History = append(d.History, leadEvent{When: when(from.CreatedAt, loc),
			Text: pt.s.T(c, "leads.history.imported", from.FileName, l.Line, from.CreatedBy),
			Href: "/portal/campaigns/" + d.Campaign.ID + "/imports/" + from.ID.String()})
	case l.ImportID != nil:
		d.History = append(d.History, leadEvent{When: when(l.CreatedAt, loc), Text: pt.s.T(c, "leads.history.imported_file", l.Line)})
	default:
		d.History = append(d.History, leadEvent{When: when(l.CreatedAt, loc), Text: pt.s.T(c, "leads.history.api")})
	}
	if d.Block != nil {
		d.History = append(d.History, leadEvent{When: d.Block.CheckedAt, Text: pt.s.T(c, "leads.history.blocked", d.Block.ReasonLabel)})
	}
	if l.Status.Untouched() {
		if d.Removable, err = pt.s.Can(c, tenancy.PermLeadsWrite); err != nil {
			return err
		}
		d.RemovePath = "/portal/campaigns/" + d.Campaign.ID + "/leads/" + l.ID.String() + "/remove"
	}
	title := d.Name
	if title == "" {
		title = d.Phone
	}
	return pt.s.Render(c, "portal/leads-detail", "portal", title, d)
}

// removeLead takes a lead no call touched out of its campaign
// (store.Leads.Remove) and goes back to the campaign's leads.
func (pt *Portal) removeLead(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	leadID, err := fiberhttp.PathID(c, "lead", "lead")
	if err != nil {
		return err
	}
	if err := pt.d.Leads.Remove(c.UserContext(), id, leadID); err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "leads.removed")); err != nil {
		return err
	}
	return c.Redirect("/portal/campaigns/"+id.String()+"/leads", fiber.StatusSeeOther)
}
