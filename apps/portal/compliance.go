package portal

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// decisionForm is the question as typed, kept to fill the form again.
type decisionForm struct {
	Number, Country, Audience, Kind, At, CallerID string
}

type option struct {
	Value, Label string
	Selected     bool
}

type decisionView struct {
	Allowed     bool
	Reason      string // the code, for tests
	ReasonLabel string
	Explanation string
	Rule        string
	Source      string
	RuleSet     string
	Next        string // in the callee's zone
	Zone        string
	Region      string
	E164        string
	Phone       string // as the reader writes it
}

type evidenceView struct {
	DecidedAt   string
	Purpose     string
	Campaign    string
	Allowed     bool
	Reason      string
	ReasonLabel string
	RuleSet     string
	Explanation string
}

type blockView struct {
	Campaign    string
	Reason      string
	ReasonLabel string
	Rule        string
	Count       int
}

type complianceData struct {
	Form      decisionForm
	Audiences []option
	Kinds     []option
	Zone      string // the org's zone: the one of the time typed
	Problems  fiberhttp.Problems
	Decision  *decisionView
	Evidence  []evidenceView
	Blocks    []blockView
}

func (pt *Portal) compliancePage(c *fiber.Ctx) error {
	org, _, err := pt.org(c)
	if err != nil {
		return err
	}
	form := decisionForm{Country: org.Country, Audience: string(compliance.B2C), Kind: string(compliance.Prospecting)}
	return pt.renderCompliance(c, form, nil, nil)
}

func (pt *Portal) decide(c *fiber.Ctx) error {
	org, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	form := decisionForm{Number: strings.TrimSpace(c.FormValue("number")), Country: strings.ToUpper(strings.TrimSpace(c.FormValue("country"))),
		Audience: c.FormValue("audience"), Kind: c.FormValue("kind"), At: strings.TrimSpace(c.FormValue("at")),
		CallerID: strings.TrimSpace(c.FormValue("caller_id"))}
	if form.Country == "" {
		form.Country = org.Country
	}
	q := compliance.Question{Number: form.Number, Country: form.Country, Audience: form.Audience, Kind: form.Kind, CallerID: form.CallerID}
	if form.At != "" {
		at, ok := parseLocal(form.At, loc)
		if !ok {
			c.Status(fiber.StatusUnprocessableEntity)
			return pt.renderCompliance(c, form, &apperr.Error{Kind: apperr.Invalid, Fields: []apperr.FieldError{
				apperr.Field("at", "form.datetime.invalid", "must be a date and a time, such as 2026-09-15T10:00 (got %q)", form.At)}}, nil)
		}
		q.At = &at
	}
	d, err := pt.d.Compliance.Decide(c.UserContext(), q)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderCompliance(c, form, err, nil)
	} else if err != nil {
		return err
	}
	locale := fiberhttp.LocaleOf(c)
	view := &decisionView{Allowed: d.Allowed, Reason: string(d.Reason), ReasonLabel: pt.s.T(c, "reason."+string(d.Reason)),
		Explanation: textIn(locale, d.Explanation), Rule: ruleIn(locale, d.Rule), Source: sourceIn(locale, d.Source), RuleSet: d.RuleSet,
		Region: d.CalleeRegion}
	if n, err := phone.Parse(form.Number, form.Country); err == nil {
		view.E164, view.Phone = n.E164, phone.Display(n.E164, org.Country)
	}
	if len(d.CalleeZones) > 0 {
		view.Zone = d.CalleeZones[0]
	}
	if d.NextAllowedAt != nil {
		zone := time.UTC
		if l, err := time.LoadLocation(view.Zone); err == nil {
			zone = l
		}
		view.Next = when(*d.NextAllowedAt, zone)
	}
	return pt.renderCompliance(c, form, nil, view)
}

// renderCompliance shows the question form, the answer when there is one
// with the evidence recorded for the number, and the blocked decisions per
// campaign and rule.
func (pt *Portal) renderCompliance(c *fiber.Ctx, form decisionForm, refused error, d *decisionView) error {
	org, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	locale := fiberhttp.LocaleOf(c)
	data := complianceData{Form: form, Zone: org.Timezone, Decision: d,
		Problems: pt.s.Problems(c, refused, "number", "country", "audience", "kind", "at", "caller_id")}
	for _, a := range []compliance.Audience{compliance.B2C, compliance.B2B} {
		data.Audiences = append(data.Audiences, option{Value: string(a), Label: pt.s.T(c, "audience."+string(a)), Selected: string(a) == form.Audience})
	}
	for _, k := range compliance.Kinds {
		data.Kinds = append(data.Kinds, option{Value: string(k), Label: pt.s.T(c, "campaign_kind."+string(k)), Selected: string(k) == form.Kind})
	}
	number := ""
	if d != nil {
		number = d.E164
	}
	record, err := pt.d.Compliance.Decisions(c.UserContext(), number)
	if err != nil {
		return err
	}
	campaignOf := pt.campaignNames(c)
	for _, b := range record.Blocks {
		data.Blocks = append(data.Blocks, blockView{Campaign: campaignOf(b.CampaignID), Reason: b.Reason,
			ReasonLabel: pt.s.T(c, "reason."+b.Reason), Rule: ruleIn(locale, b.Rule), Count: b.Count})
	}
	for _, e := range record.Evidence {
		data.Evidence = append(data.Evidence, evidenceView{DecidedAt: when(e.DecidedAt, loc), Purpose: pt.s.T(c, "purpose."+string(e.Purpose)),
			Campaign: campaignOf(e.CampaignID), Allowed: e.Decision.Allowed, Reason: string(e.Decision.Reason),
			ReasonLabel: pt.s.T(c, "reason."+string(e.Decision.Reason)), RuleSet: e.Decision.RuleSet,
			Explanation: textIn(locale, e.Decision.Explanation)})
	}
	return pt.render(c, "compliance", "compliance.title", data)
}

// campaignNames names the org's campaigns by their ids, reading each once:
// "—" for a decision of no campaign, or of one the org cannot read.
func (pt *Portal) campaignNames(c *fiber.Ctx) func(id *uuid.UUID) string {
	names := map[uuid.UUID]string{}
	return func(id *uuid.UUID) string {
		if id == nil {
			return "—"
		}
		name, ok := names[*id]
		if !ok {
			name = "—"
			if k, err := pt.d.Campaigns.Get(c.UserContext(), *id); err == nil {
				name = k.Name
			}
			names[*id] = name
		}
		return name
	}
}

func textIn(locale string, t compliance.Text) string {
	if locale == "fr" && t.FR != "" {
		return t.FR
	}
	return t.EN
}

// ruleIn is a rule's name, as a decision carries it, in locale.
func ruleIn(locale, rule string) string { return textIn(locale, compliance.RuleText(rule)) }

// sourceIn is a rule's legal source, as a decision carries it, in locale.
func sourceIn(locale, source string) string { return textIn(locale, compliance.SourceText(source)) }
