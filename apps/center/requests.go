package center

// The open requests a center may answer, narrowed by kind and language,
// and a request's brief with the offer form. The form takes prices in
// currency units as people type them ("0,45" or "0.45"); money.Parse
// turns them into exact micro-units, and market.OfferInput's validation
// (run by the store's SubmitOffer) names every other problem by the path of
// its field, which is the name of the form's input.

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/money"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type requestRow struct {
	campaignView
	Offered bool // the center answered it already
}

type requestsData struct {
	Kinds       []option
	Languages   []option
	FilterError string
	Requests    []requestRow
	NextQuery   template.URL // a query made here, not to be escaped again
}

func (ce *Center) requestsPage(c *fiber.Ctx) error {
	var d requestsData
	var f store.RequestFilter
	next := url.Values{}
	if kind := c.Query("kind"); kind != "" {
		if k, err := compliance.ParseKind(kind); err == nil {
			f.Kind = k
			next.Set("kind", kind)
		} else {
			d.FilterError = ce.t(c, "center.requests.bad_filter")
		}
	}
	if l := c.Query("language"); l != "" {
		if slices.Contains(campaign.Languages, l) {
			f.Language = l
			next.Set("language", l)
		} else {
			d.FilterError = ce.t(c, "center.requests.bad_filter")
		}
	}
	d.Kinds = append(d.Kinds, option{Label: ce.t(c, "center.requests.any_kind")})
	for _, k := range compliance.Kinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: ce.t(c, "campaign_kind."+string(k)), Selected: k == f.Kind})
	}
	d.Languages = append(d.Languages, option{Label: ce.t(c, "center.requests.any_language")})
	for _, l := range campaign.Languages {
		d.Languages = append(d.Languages, option{Value: l, Label: ce.t(c, "campaigns.language."+l), Selected: l == f.Language})
	}
	list, cursor, err := ce.d.Views.MatchingRequests(c.UserContext(), f, store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	for _, k := range list {
		d.Requests = append(d.Requests, requestRow{campaignView: ce.campaignView(c, k.Campaign), Offered: k.Offered})
	}
	if cursor != nil {
		next.Set("after", cursor.String())
		d.NextQuery = template.URL(next.Encode())
	}
	return ce.s.Render(c, "center/requests", "center", ce.t(c, "center.requests.title"), d)
}

// offerForm is the offer form as typed, kept to show it again.
type offerForm struct {
	Currency                                                                 string
	PerConnectedCall, PerMinute, Minimum, Increment, PerAttempt, SeatMonthly string
	PerOutcome                                                               map[string]string
	Seats, Hours, StartsOn, Message                                          string
	Languages                                                                []string
}

// inputField is a text input of a form: its name is the path of the
// field it fills, so that a problem the domain names lands beside it.
type inputField struct {
	Name, Label, Hint, Value, Error string
	Mode                            string // the keyboard: "numeric" (whole numbers), "decimal" (amounts), "" (text)
}

type requestData struct {
	Campaign   campaignView
	TakesOffer bool // open to offers, and the center has none standing
	CanOffer   bool
	Offer      *offerView // the center's standing offer
	Form       offerForm
	Currencies []option
	Languages  []option
	Rate       []inputField
	Outcomes   []inputField
	Problems   fiberhttp.Problems // in the reader's language, by input name
	Refusal    string             // why the offer was refused as a whole
}

func (ce *Center) requestPage(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	r, err := ce.d.Views.Request(c.UserContext(), id)
	if err != nil {
		return err
	}
	k := r.Campaign
	form := offerForm{Currency: k.Currency, Minimum: "30", Increment: "6", Languages: k.Languages, StartsOn: day(k.StartsOn)}
	return ce.renderRequest(c, k, r.Standing, form, nil, "")
}

func (ce *Center) renderRequest(c *fiber.Ctx, k campaign.Campaign, standing *market.Offer, form offerForm, refused error, refusal string) error {
	canOffer, err := ce.can(c, tenancy.PermOffersWrite)
	if err != nil {
		return err
	}
	d := requestData{Campaign: ce.campaignView(c, k), CanOffer: canOffer, Form: form, Refusal: refusal,
		TakesOffer: standing == nil && k.Status.TakesOffers()}
	if standing != nil {
		v := ce.offerView(c, *standing)
		d.Offer = &v
	}
	inputs := []string{"rate_card.currency", "rate_card.per_connected_call", "rate_card.per_minute", "rate_card.minimum_seconds",
		"rate_card.increment_seconds", "rate_card.per_attempt", "rate_card.seat_monthly", "seats", "starts_on", "hours",
		"languages", "message"}
	for _, o := range campaign.Outcomes {
		inputs = append(inputs, "rate_card.per_outcome."+o)
	}
	d.Problems = ce.s.Problems(c, refused, inputs...)
	currency := form.Currency
	for _, cur := range money.Currencies {
		d.Currencies = append(d.Currencies, option{Value: cur, Label: cur, Selected: cur == currency})
	}
	for _, l := range k.Languages {
		d.Languages = append(d.Languages, option{Value: l, Label: ce.t(c, "campaigns.language."+l), Selected: slices.Contains(form.Languages, l)})
	}
	input := func(name, label, hint, value, mode string) inputField {
		return inputField{Name: name, Label: label, Hint: hint, Value: value, Error: d.Problems.At[name], Mode: mode}
	}
	d.Rate = []inputField{
		input("rate_card.per_connected_call", ce.t(c, "center.rate.per_connected_call"), "", form.PerConnectedCall, "decimal"),
		input("rate_card.per_minute", ce.t(c, "center.rate.per_minute"), "", form.PerMinute, "decimal"),
		input("rate_card.minimum_seconds", ce.t(c, "center.offer.minimum"), ce.t(c, "center.offer.minimum_hint"), form.Minimum, "numeric"),
		input("rate_card.increment_seconds", ce.t(c, "center.offer.increment"), ce.t(c, "center.offer.increment_hint"), form.Increment, "numeric"),
		input("rate_card.per_attempt", ce.t(c, "center.rate.per_attempt"), "", form.PerAttempt, "decimal"),
		input("rate_card.seat_monthly", ce.t(c, "center.rate.seat_monthly"), "", form.SeatMonthly, "decimal"),
	}
	for _, o := range campaign.Outcomes {
		d.Outcomes = append(d.Outcomes, input("rate_card.per_outcome."+o, ce.t(c, "campaigns.outcome."+o), "", form.PerOutcome[o], "decimal"))
	}
	return ce.s.Render(c, "center/request", "center", k.Name, d)
}

func (ce *Center) submitOffer(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form, in, problems := ce.readOfferForm(c)
	unread, refusal := problems != nil, ""
	var refused error
	if !unread {
		sent, err := ce.d.Market.SubmitOffer(ctx, id, in)
		e := apperr.As(err)
		switch {
		case err == nil:
			if err := ce.s.Flash(c, ce.t(c, "center.offer.sent", sent.Campaign.Name)); err != nil {
				return err
			}
			return c.Redirect("/center/offers", fiber.StatusSeeOther)
		case e != nil && e.Kind == apperr.Invalid:
			refused = err
		case e != nil && e.Kind == apperr.Conflict:
			refusal = ce.s.Localize(c, err).Message // the campaign closed, or the center answered it meanwhile
		default:
			return err
		}
	}
	// Refused: the request again, as it stands now, with the form as typed.
	r, err := ce.d.Views.Request(ctx, id)
	if err != nil {
		return err
	}
	if refusal != "" {
		c.Status(fiber.StatusConflict)
		return ce.renderRequest(c, r.Campaign, r.Standing, form, nil, refusal)
	}
	if unread {
		// Say what else is wrong at once: the domain checks the rest, the
		// unreadable inputs standing in as valid values.
		_, err := in.Validate(r.Campaign.Languages, ce.d.Now())
		if e := apperr.As(err); e != nil {
			problems = problems.Merge(e.Fields)
		}
		refused = &apperr.Error{Kind: apperr.Invalid, Fields: problems}
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return ce.renderRequest(c, r.Campaign, nil, form, refused, "")
}

// readOfferForm reads the form into what it shows again and the offer it
// asks for. An input that cannot be read is a problem named by its input,
// and stands in the offer as a valid value, so that validating the offer
// names only the other problems.
func (ce *Center) readOfferForm(c *fiber.Ctx) (offerForm, market.OfferInput, apperr.Fields) {
	v := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	form := offerForm{Currency: v("rate_card.currency"), PerConnectedCall: v("rate_card.per_connected_call"),
		PerMinute: v("rate_card.per_minute"), Minimum: v("rate_card.minimum_seconds"), Increment: v("rate_card.increment_seconds"),
		PerAttempt: v("rate_card.per_attempt"), SeatMonthly: v("rate_card.seat_monthly"), PerOutcome: map[string]string{},
		Seats: v("seats"), Hours: v("hours"), StartsOn: v("starts_on"), Message: c.FormValue("message")}
	for _, l := range c.Request().PostArgs().PeekMulti("languages") {
		form.Languages = append(form.Languages, string(l))
	}
	var problems apperr.Fields
	amount := func(name, typed string) int64 {
		if typed == "" {
			return 0 // not charged
		}
		micro, err := money.Parse(typed)
		if err != nil {
			problems.AddError(name, err)
			return 1
		}
		return micro
	}
	whole := func(name, typed string, stand int) int { return wholeField(&problems, name, typed, stand) }
	card := market.RateCard{Currency: form.Currency, PerConnectedCall: amount("rate_card.per_connected_call", form.PerConnectedCall),
		PerMinute: amount("rate_card.per_minute", form.PerMinute), Minimum: whole("rate_card.minimum_seconds", form.Minimum, 0),
		Increment: whole("rate_card.increment_seconds", form.Increment, 1), PerAttempt: amount("rate_card.per_attempt", form.PerAttempt),
		SeatMonthly: amount("rate_card.seat_monthly", form.SeatMonthly), PerOutcome: map[string]int64{}}
	for _, o := range campaign.Outcomes {
		name := "rate_card.per_outcome." + o
		form.PerOutcome[o] = v(name)
		if p := amount(name, form.PerOutcome[o]); p != 0 {
			card.PerOutcome[o] = p
		}
	}
	in := market.OfferInput{RateCard: card, Seats: whole("seats", form.Seats, 1), Hours: form.Hours, Languages: form.Languages,
		Message: form.Message}
	if form.StartsOn != "" {
		starts, err := time.Parse(time.DateOnly, form.StartsOn)
		if err != nil {
			problems.Add("starts_on", "form.date.invalid", "must be a date such as 2026-09-15 (got %q)", form.StartsOn)
			starts = ce.d.Now()
		}
		in.StartsOn = &starts
	}
	return form, in, problems
}

// wholeField is a form's whole number typed in field name: 0 when nothing
// was typed; stand, with the problem added to problems, when what was
// typed is not a whole number, so that the rest of the form is still
// checked.
func wholeField(problems *apperr.Fields, name, typed string, stand int) int {
	if typed == "" {
		return 0
	}
	n, err := strconv.Atoi(typed)
	if err != nil {
		problems.Add(name, "form.whole.invalid", "must be a whole number (got %q)", typed)
		return stand
	}
	return n
}
