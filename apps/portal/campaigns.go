package portal

// A client's campaigns: the list, the wizard that writes a request in
// draft (and edits it while it is one), and the detail page with the moves
// the viewer may make now. The rules stay in pkg/campaign (what a request
// holds, Validate, the state machine) and the policy table (who may make
// each move); a campaign of another org is not found.

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// mountCampaigns registers the campaign pages, the offers comparison and
// the contracts. Reading is campaigns:read (analysts and billing staff too);
// writing a request is campaigns:write, accepting an offer offers:accept.
// A move of a campaign's life opens to whoever reads it: the store asks the
// policy table for the permission the move needs (campaigns:publish, run,
// complete or cancel), and the page shows the moves the viewer may make.
func (pt *Portal) mountCampaigns(r *fiberhttp.Router) {
	r.Get("/campaigns", tenancy.PermCampaignsRead, pt.campaignsPage)
	r.Get("/campaigns/new", tenancy.PermCampaignsWrite, pt.newCampaignPage)
	r.Post("/campaigns", tenancy.PermCampaignsWrite, pt.createCampaign)
	r.Get("/campaigns/:id", tenancy.PermCampaignsRead, pt.campaignPage)
	r.Get("/campaigns/:id/edit", tenancy.PermCampaignsWrite, pt.editCampaignPage)
	r.Post("/campaigns/:id", tenancy.PermCampaignsWrite, pt.updateCampaign)
	r.Post("/campaigns/:id/move", tenancy.PermCampaignsRead, pt.moveCampaign)
	r.Post("/campaigns/:id/recording", tenancy.PermCampaignsWrite, pt.setRecording)
	r.Get("/campaigns/:id/offers", tenancy.PermCampaignsRead, pt.offersPage)
	r.Post("/campaigns/:id/offers/:offer/accept", tenancy.PermOffersAccept, pt.acceptOffer)
	r.Get("/contracts", tenancy.PermCampaignsRead, pt.contractsPage)
}

// campaignView is a campaign as the pages show it, in the reader's words.
type campaignView struct {
	ID            string
	Name          string
	Kind          string
	Audience      string
	Country       string
	Languages     string
	StartsOn      string
	EndsOn        string
	TargetOutcome string
	Volume        int
	BudgetCap     string // "" for no cap
	DialingMode   string
	RetentionDays int
	RecordCalls   bool
	Status        string // the code, for styles and tests
	StatusLabel   string
	Editable      bool
	// RecordingSettable: the recording may be turned on or off on the
	// campaign's page, the request being frozen (published, running…).
	RecordingSettable bool
	UpdatedAt         string
}

func (pt *Portal) campaignView(c *fiber.Ctx, k campaign.Campaign, loc *time.Location) campaignView {
	v := campaignView{ID: k.ID.String(), Name: k.Name, Kind: pt.s.T(c, "campaign_kind."+string(k.Kind)),
		Audience: pt.s.T(c, "audience."+string(k.Audience)), Country: k.Country, Languages: pt.languages(c, k.Languages),
		StartsOn: day(k.StartsOn), EndsOn: day(k.EndsOn), Volume: k.Volume,
		DialingMode: pt.s.T(c, "campaigns.dialing."+string(k.DialingMode)), RetentionDays: k.RetentionDays,
		Status: string(k.Status), StatusLabel: pt.s.T(c, "campaigns.status."+string(k.Status)),
		Editable: campaign.Editable(k.Status), RecordCalls: k.RecordCalls,
		RecordingSettable: !campaign.Editable(k.Status) && campaign.RecordingSettable(k.Status), UpdatedAt: when(k.UpdatedAt, loc)}
	if k.TargetOutcome != "" {
		v.TargetOutcome = pt.s.T(c, "campaigns.outcome."+k.TargetOutcome)
	}
	if k.BudgetCap > 0 {
		v.BudgetCap = money.FormatTotal(k.BudgetCap, k.Currency, fiberhttp.LocaleOf(c))
	}
	return v
}

// languages names languages by their codes, in the reader's language.
func (pt *Portal) languages(c *fiber.Ctx, codes []string) string {
	names := make([]string, len(codes))
	for i, l := range codes {
		names[i] = pt.s.T(c, "campaigns.language."+l)
	}
	return strings.Join(names, ", ")
}

// day shows a campaign date, kept as midnight UTC.
func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

type campaignsData struct {
	Campaigns []campaignView
	NextQuery template.URL // a query made here, not to be escaped again
}

func (pt *Portal) campaignsPage(c *fiber.Ctx) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	list, next, err := pt.d.Campaigns.List(c.UserContext(), store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	var d campaignsData
	for _, k := range list {
		d.Campaigns = append(d.Campaigns, pt.campaignView(c, k, loc))
	}
	if next != nil {
		d.NextQuery = template.URL(url.Values{"after": {next.String()}}.Encode())
	}
	return pt.render(c, "campaigns", "campaigns.title", d)
}

// campaignForm is the wizard as typed, kept to fill it again.
type campaignForm struct {
	Name, Kind, Audience, Country, StartsOn, EndsOn, TargetOutcome,
	Volume, BudgetCap, Currency, DialingMode, RetentionDays string
	Languages   []string
	RecordCalls bool
}

func readCampaignForm(c *fiber.Ctx) campaignForm {
	v := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	return campaignForm{Name: v("name"), Kind: v("kind"), Audience: v("audience"), Country: strings.ToUpper(v("country")),
		Languages: formValues(c, "languages"), StartsOn: v("starts_on"), EndsOn: v("ends_on"), TargetOutcome: v("target_outcome"),
		Volume: v("volume"), BudgetCap: v("budget_cap"), Currency: v("currency"), DialingMode: v("dialing_mode"),
		RetentionDays: v("retention_days"), RecordCalls: c.FormValue("record_calls") == "yes"}
}

// formOf fills the wizard with a campaign's request, to edit it.
func formOf(k campaign.Campaign, locale string) campaignForm {
	f := campaignForm{Name: k.Name, Kind: string(k.Kind), Audience: string(k.Audience), Country: k.Country,
		Languages: k.Languages, StartsOn: day(k.StartsOn), EndsOn: day(k.EndsOn),
		TargetOutcome: k.TargetOutcome, Volume: strconv.Itoa(k.Volume), Currency: k.Currency,
		DialingMode: string(k.DialingMode), RetentionDays: strconv.Itoa(k.RetentionDays), RecordCalls: k.RecordCalls}
	if k.BudgetCap > 0 {
		f.BudgetCap = amountField(k.BudgetCap, locale)
	}
	return f
}

// amountField writes micro-units as a person types them back ("6000",
// "0,45"): no grouping and no currency, which the form says beside.
func amountField(micro int64, locale string) string {
	s := strconv.FormatInt(micro/money.Micro, 10)
	if frac := strings.TrimRight(strconv.FormatInt(money.Micro+micro%money.Micro, 10)[1:], "0"); frac != "" {
		point := "."
		if locale == "fr" {
			point = ","
		}
		s += point + frac
	}
	return s
}

// input reads the typed values into the domain's input. What cannot be
// read (a date, a number, an amount) is a problem at its field; the rest
// is campaign.Input.Validate's to judge.
func (f campaignForm) input() (campaign.Input, apperr.Fields) {
	var problems apperr.Fields
	in := campaign.Input{Name: f.Name, Kind: f.Kind, Audience: f.Audience, Country: f.Country, Languages: f.Languages,
		TargetOutcome: f.TargetOutcome, Currency: f.Currency, DialingMode: f.DialingMode, RecordCalls: f.RecordCalls}
	date := func(path, s string) *time.Time {
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			problems.Add(path, "form.date.invalid", "must be a date such as 2026-09-15 (got %q)", s)
			return nil
		}
		return &t
	}
	in.StartsOn, in.EndsOn = date("starts_on", f.StartsOn), date("ends_on", f.EndsOn)
	whole := func(path, s string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s))
		if err != nil {
			problems.Add(path, "form.whole.invalid", "must be a whole number (got %q)", s)
		}
		return n
	}
	in.Volume, in.RetentionDays = whole("volume", f.Volume), whole("retention_days", f.RetentionDays)
	if f.BudgetCap != "" {
		budget, err := money.Parse(f.BudgetCap)
		if err != nil {
			problems.AddError("budget_cap", err)
		}
		in.BudgetCap = budget
	}
	return in, problems
}

// check reads and validates the form without saving anything: every
// problem, the unreadable values' and the domain's, at its field.
func (f campaignForm) check() (campaign.Input, apperr.Fields) {
	in, problems := f.input()
	if _, err := in.Validate(); err != nil {
		if e := apperr.As(err); e != nil {
			problems = problems.Merge(e.Fields)
		}
	}
	return in, problems
}

// campaignInputs are the wizard's inputs, by name.
var campaignInputs = []string{"name", "kind", "audience", "target_outcome", "country", "languages", "starts_on", "ends_on",
	"volume", "budget_cap", "currency", "dialing_mode", "retention_days", "record_calls"}

type campaignFormData struct {
	Campaign   *campaignView // nil for a new one
	Form       campaignForm
	Problems   apperr.Fields
	Said       fiberhttp.Problems // Problems in the reader's language, beside their inputs
	Kinds      []option
	Audiences  []option
	Languages  []option
	Outcomes   []option
	Currencies []option
	Modes      []option
	Action     string
}

func (pt *Portal) renderCampaignForm(c *fiber.Ctx, d campaignFormData) error {
	if len(d.Problems) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		d.Said = pt.s.Problems(c, &apperr.Error{Kind: apperr.Invalid, Fields: d.Problems}, campaignInputs...)
	}
	choose := func(value string, values []string, label func(string) string) []option {
		out := make([]option, 0, len(values))
		for _, v := range values {
			out = append(out, option{Value: v, Label: label(v), Selected: v == value})
		}
		return out
	}
	key := func(prefix string) func(string) string { return func(v string) string { return pt.s.T(c, prefix+v) } }
	kinds := make([]string, 0, len(compliance.Kinds))
	for _, k := range compliance.Kinds {
		kinds = append(kinds, string(k))
	}
	d.Kinds = choose(d.Form.Kind, kinds, key("campaign_kind."))
	d.Audiences = choose(d.Form.Audience, []string{string(compliance.B2C), string(compliance.B2B)}, key("audience."))
	for _, l := range campaign.Languages {
		d.Languages = append(d.Languages, option{Value: l, Label: pt.s.T(c, "campaigns.language."+l), Selected: slices.Contains(d.Form.Languages, l)})
	}
	d.Outcomes = choose(d.Form.TargetOutcome, campaign.Outcomes, key("campaigns.outcome."))
	d.Currencies = choose(d.Form.Currency, money.Currencies, func(v string) string { return v })
	d.Modes = choose(d.Form.DialingMode, []string{string(campaign.Preview), string(campaign.Progressive), string(campaign.Predictive)},
		key("campaigns.dialing."))
	title := "campaigns.new.title"
	if d.Campaign != nil {
		title = "campaigns.edit.title"
	}
	return pt.render(c, "campaign-form", title, d)
}

func (pt *Portal) newCampaignPage(c *fiber.Ctx) error {
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	form := campaignForm{Kind: string(compliance.Prospecting), Audience: string(compliance.B2C), Country: org.Country,
		Languages: []string{"fr"}, Currency: "EUR", DialingMode: string(campaign.Preview),
		RetentionDays: strconv.Itoa(campaign.DefaultRetentionDays)}
	return pt.renderCampaignForm(c, campaignFormData{Form: form, Action: "/portal/campaigns"})
}

func (pt *Portal) createCampaign(c *fiber.Ctx) error {
	form := readCampaignForm(c)
	in, problems := form.check()
	if len(problems) > 0 {
		return pt.renderCampaignForm(c, campaignFormData{Form: form, Problems: problems, Action: "/portal/campaigns"})
	}
	made, err := pt.d.Campaigns.Create(c.UserContext(), in)
	if err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "campaigns.created", made.Name)); err != nil {
		return err
	}
	return c.Redirect("/portal/campaigns/"+made.ID.String(), fiber.StatusSeeOther)
}

// editable loads a campaign the viewer's org owns and may still edit.
func (pt *Portal) editable(c *fiber.Ctx, id uuid.UUID) (campaign.Campaign, error) {
	k, err := pt.d.Campaigns.Get(c.UserContext(), id)
	if err == nil && !campaign.Editable(k.Status) {
		err = apperr.New(apperr.Conflict, "store.campaign.not_editable", "a campaign that is %s cannot be edited; unpublish it first if no offer was accepted", k.Status)
	}
	return k, err
}

func (pt *Portal) editCampaignPage(c *fiber.Ctx) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	k, err := pt.editable(c, id)
	if err != nil {
		return err
	}
	v := pt.campaignView(c, k, loc)
	return pt.renderCampaignForm(c, campaignFormData{Campaign: &v, Form: formOf(k, fiberhttp.LocaleOf(c)), Action: "/portal/campaigns/" + v.ID})
}

// updateCampaign saves an edited request; one with problems is shown
// again with them, the campaign as it stands beside.
func (pt *Portal) updateCampaign(c *fiber.Ctx) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	form := readCampaignForm(c)
	in, problems := form.check()
	if len(problems) > 0 {
		k, err := pt.editable(c, id)
		if err != nil {
			return err
		}
		v := pt.campaignView(c, k, loc)
		return pt.renderCampaignForm(c, campaignFormData{Campaign: &v, Form: form, Problems: problems, Action: "/portal/campaigns/" + v.ID})
	}
	k, err := pt.d.Campaigns.Update(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "campaigns.saved", k.Name)); err != nil {
		return err
	}
	return c.Redirect("/portal/campaigns/"+id.String(), fiber.StatusSeeOther)
}

// setRecording turns the recording of a published campaign's calls on or
// off, the one thing of its request its client still changes (a draft's
// is in its form); it applies to the calls placed after it.
func (pt *Portal) setRecording(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	k, err := pt.d.Campaigns.SetRecording(c.UserContext(), id, c.FormValue("record_calls") == "yes")
	if err != nil {
		return err
	}
	said := "campaigns.recording.off"
	if k.RecordCalls {
		said = "campaigns.recording.on"
	}
	if err := pt.s.Flash(c, pt.s.T(c, said, k.Name)); err != nil {
		return err
	}
	return c.Redirect("/portal/campaigns/"+id.String(), fiber.StatusSeeOther)
}

// moveView is a move the viewer may make now, as a button.
type moveView struct {
	Event, Label string
	Primary      bool // the move forward; the others are secondary
}

type campaignData struct {
	Campaign  campaignView
	Moves     []moveView
	Offers    int
	Contracts []contractCard
	Error     string // a move refused
}

func (pt *Portal) campaignPage(c *fiber.Ctx) error {
	return pt.renderCampaign(c, "")
}

// renderCampaign shows the campaign of the address with the moves its
// viewer may make, its offers and its contracts; refused, when a move was.
func (pt *Portal) renderCampaign(c *fiber.Ctx, refused string) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	k, err := pt.d.Campaigns.Overview(c.UserContext(), id)
	if err != nil {
		return err
	}
	d := campaignData{Campaign: pt.campaignView(c, k.Campaign, loc), Offers: k.Offers, Error: refused,
		Contracts: pt.contractCards(c, k.Contracts, loc)}
	for _, e := range k.Moves {
		d.Moves = append(d.Moves, moveView{Event: string(e), Label: pt.s.T(c, "campaigns.move."+string(e)),
			Primary: e != campaign.Cancel && e != campaign.Unpublish})
	}
	return pt.render(c, "campaign", "campaigns.detail.title", d)
}

// moveCampaign makes a move of the campaign's life. Starting the calls is
// asked first: the page says what will start, and the campaign moves only
// when the start comes back confirmed.
func (pt *Portal) moveCampaign(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	event := campaign.Event(c.FormValue("event"))
	if event == campaign.Start && c.FormValue("confirm") != "yes" {
		// Starting the calls is asked first, saying what will start.
		k, err := pt.d.Campaigns.Overview(c.UserContext(), id)
		if err != nil {
			return err
		}
		if slices.Contains(k.Moves, campaign.Start) {
			return pt.renderStart(c, k)
		}
	}
	moved, err := pt.d.Campaigns.Move(c.UserContext(), id, event)
	if e := apperr.As(err); e != nil && (e.Kind == apperr.Conflict || e.Kind == apperr.Forbidden || e.Kind == apperr.Invalid) {
		// A move the state or the role does not allow: the page says why,
		// with the moves that are allowed now.
		c.Status(statusOf(e.Kind))
		said := pt.s.Localize(c, err)
		message := said.Message
		for _, f := range said.Fields {
			message += " " + f.Message
		}
		return pt.renderCampaign(c, message)
	} else if err != nil {
		return err
	}
	if err := pt.s.Flash(c, pt.s.T(c, "campaigns.moved", moved.Name, pt.s.T(c, "campaigns.status."+string(moved.Status)))); err != nil {
		return err
	}
	return c.Redirect("/portal/campaigns/"+id.String(), fiber.StatusSeeOther)
}

// startData is what starting a campaign's calls will start: the centers
// under an active contract, the leads ready and those blocked.
type startData struct {
	Campaign campaignView
	Centers  []string
	Ready    int
	Blocked  int
}

// renderStart asks before a campaign's calls start, saying what will.
func (pt *Portal) renderStart(c *fiber.Ctx, k store.CampaignOverview) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	d := startData{Campaign: pt.campaignView(c, k.Campaign, loc), Ready: k.Leads.ByStatus[lead.Ready], Blocked: k.Leads.ByStatus[lead.Blocked]}
	for _, ct := range k.Contracts {
		if ct.Status == market.ContractActive {
			d.Centers = append(d.Centers, ct.CenterName)
		}
	}
	return pt.s.Render(c, "portal/campaign-start", "portal", pt.s.T(c, "campaigns.start.title", d.Campaign.Name), d)
}

// statusOf is the HTTP status of a refusal a page shows itself.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.Conflict:
		return fiber.StatusConflict
	case apperr.Forbidden:
		return fiber.StatusForbidden
	}
	return fiber.StatusUnprocessableEntity
}
