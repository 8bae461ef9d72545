// Package campaign owns a client's phoning campaign: what it asks for (kind,
// audience, callee country, languages, dates, target outcome, volume,
// budget cap, dialing mode, retention, whether its calls are recorded) and
// its life: draft → open (the request is published on the marketplace) →
// contracted → running ⇄ paused → completed | cancelled, with who may make
// each move.
//
// It imports the standard library and domain packages only.
package campaign

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/money"
)

// Status is where a campaign is in its life.
type Status string

const (
	Draft      Status = "draft"
	Open       Status = "open"       // published: centers may answer with offers
	Contracted Status = "contracted" // at least one contract is active
	Running    Status = "running"
	Paused     Status = "paused"
	Completed  Status = "completed"
	Cancelled  Status = "cancelled"
)

// Statuses lists every status in life order.
var Statuses = []Status{Draft, Open, Contracted, Running, Paused, Completed, Cancelled}

// TermKey names the status in the catalogs, as pages show it.
func (s Status) TermKey() string { return "campaigns.status." + string(s) }

// Outcomes are what a call may achieve for a campaign: its target, and
// what a rate card may price.
var Outcomes = []string{"sale", "appointment", "promise_to_pay", "donation", "qualified_lead", "survey_completed", "callback_done"}

// DialingMode is how calls are placed.
type DialingMode string

const (
	Preview     DialingMode = "preview"     // the agent reads the lead, then clicks to call
	Progressive DialingMode = "progressive" // a call is placed when an agent is ready
	Predictive  DialingMode = "predictive"  // more calls than agents, paced under the abandon cap
)

// TermKey names the dialing mode in the catalogs.
func (m DialingMode) TermKey() string { return "campaigns.dialing." + string(m) }

// DefaultRetentionDays keeps leads three years after their last contact.
const DefaultRetentionDays = 3 * 365

// Campaign is a client's campaign.
type Campaign struct {
	ID            uuid.UUID           `json:"id"`
	OrgID         uuid.UUID           `json:"org_id"` // the client
	Name          string              `json:"name"`
	Kind          compliance.Kind     `json:"kind"`
	Audience      compliance.Audience `json:"audience"`
	Country       string              `json:"country"` // of the callees
	Languages     []string            `json:"languages"`
	StartsOn      *time.Time          `json:"starts_on"`
	EndsOn        *time.Time          `json:"ends_on"`
	TargetOutcome string              `json:"target_outcome"`
	Volume        int                 `json:"volume"`     // leads to call
	BudgetCap     int64               `json:"budget_cap"` // micro-units of Currency; 0: no cap
	Currency      string              `json:"currency"`
	DialingMode   DialingMode         `json:"dialing_mode"`
	RetentionDays int                 `json:"retention_days"` // leads kept after their last contact
	RecordCalls   bool                `json:"record_calls"`   // the conversations are recorded, the callee told at call start
	Status        Status              `json:"status"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
}

// Input is what a client writes in the campaign wizard.
type Input struct {
	Name          string     `json:"name"`
	Kind          string     `json:"kind"`
	Audience      string     `json:"audience"`
	Country       string     `json:"country"`
	Languages     []string   `json:"languages"`
	StartsOn      *time.Time `json:"starts_on"`
	EndsOn        *time.Time `json:"ends_on"`
	TargetOutcome string     `json:"target_outcome"`
	Volume        int        `json:"volume"`
	BudgetCap     int64      `json:"budget_cap"`
	Currency      string     `json:"currency"`
	DialingMode   string     `json:"dialing_mode"`
	RetentionDays int        `json:"retention_days"`
	RecordCalls   bool       `json:"record_calls"`
}

// Languages lists the languages the platform's centers work in (ISO 639-1
// codes, Wolof as wo).
var Languages = []string{"fr", "en", "ar", "es", "de", "it", "pt", "nl", "wo"}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Validate checks the input and returns the campaign it describes, with
// every problem named by its field.
func (in Input) Validate() (Campaign, error) {
	var f apperr.Fields
	c := Campaign{Name: strings.TrimSpace(in.Name), Country: strings.ToUpper(strings.TrimSpace(in.Country)),
		StartsOn: utc(in.StartsOn), EndsOn: utc(in.EndsOn), TargetOutcome: in.TargetOutcome, Volume: in.Volume,
		BudgetCap: in.BudgetCap, Currency: strings.ToUpper(strings.TrimSpace(in.Currency)),
		RetentionDays: in.RetentionDays, RecordCalls: in.RecordCalls, Status: Draft}
	switch n := utf8.RuneCountInString(c.Name); {
	case n == 0:
		f.Add("name", "campaign.name.required", "is required")
	case n > 200:
		f.Add("name", "campaign.name.too_long", "must be at most 200 characters (got %d)", n)
	}
	var err error
	if c.Kind, err = compliance.ParseKind(in.Kind); err != nil {
		f.AddError("kind", err)
	}
	if c.Audience, err = compliance.ParseAudience(in.Audience); err != nil {
		f.AddError("audience", err)
	}
	if !phonenumbers.GetSupportedRegions()[c.Country] {
		f.Add("country", "campaign.country.unknown", "must be the ISO code of the callees' country, such as FR or US (got %q)", in.Country)
	}
	if len(in.Languages) == 0 {
		f.Add("languages", "campaign.languages.required", "name at least one language the calls are made in, such as fr")
	}
	for i, l := range in.Languages {
		l = strings.ToLower(strings.TrimSpace(l))
		if !slices.Contains(Languages, l) {
			f.Add("languages["+strconv.Itoa(i)+"]", "campaign.language.unknown", "must be one of %s (got %q)", strings.Join(Languages, ", "), in.Languages[i])
			continue
		}
		if !slices.Contains(c.Languages, l) {
			c.Languages = append(c.Languages, l)
		}
	}
	if in.StartsOn != nil && in.EndsOn != nil && in.EndsOn.Before(*in.StartsOn) {
		f.Add("ends_on", "campaign.ends_on.before_start", "is before starts_on")
	}
	if in.TargetOutcome != "" && !slices.Contains(Outcomes, in.TargetOutcome) {
		f.Add("target_outcome", "campaign.target_outcome.unknown", "must be one of %s (got %q)", strings.Join(Outcomes, ", "), in.TargetOutcome)
	}
	if in.Volume < 0 || in.Volume > 50_000_000 {
		f.Add("volume", "campaign.volume.out_of_range", "must be between 0 and 50 000 000 leads (got %d)", in.Volume)
	}
	if c.Currency == "" {
		c.Currency = "EUR"
	}
	if in.BudgetCap < 0 {
		f.Add("budget_cap", "campaign.budget_cap.negative", "cannot be negative (got %s)", money.FormatTotal(in.BudgetCap, c.Currency, "en"))
	}
	if !money.KnownCurrency(c.Currency) {
		f.Add("currency", "campaign.currency.unknown", "must be one of %s (got %q)", strings.Join(money.Currencies, ", "), in.Currency)
	}
	switch m := DialingMode(in.DialingMode); m {
	case "":
		c.DialingMode = Preview
	case Preview, Progressive, Predictive:
		c.DialingMode = m
	default:
		f.Add("dialing_mode", "campaign.dialing_mode.unknown", "must be preview, progressive or predictive (got %q)", in.DialingMode)
	}
	switch {
	case in.RetentionDays == 0:
		c.RetentionDays = DefaultRetentionDays
	case in.RetentionDays < 30 || in.RetentionDays > DefaultRetentionDays:
		f.Add("retention_days", "campaign.retention_days.out_of_range", "must be between 30 and %d days (got %d)", DefaultRetentionDays, in.RetentionDays)
	}
	return c, f.Err("campaign.invalid", "the campaign is not valid")
}
