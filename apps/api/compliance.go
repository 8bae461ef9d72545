package api

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// The compliance engine for client systems: the decision for a number, the
// evidence of decisions that mattered, and the count of blocked calls.
//
// Times in bodies are decoded as strings and read here, so that a time
// without its zone ("2026-09-15T11:00:00": whose 11:00?) is refused with the
// path of its field rather than as an unreadable body.

// exampleTime shows the form every time of the API takes.
const exampleTime = "2026-09-15T11:00:00+02:00"

// instantOf reads an RFC 3339 time carrying its zone, adding a problem at
// path when it cannot.
func instantOf(f *apperr.Fields, path, raw string) time.Time {
	raw = strings.TrimSpace(raw)
	t, err := time.Parse(time.RFC3339, raw)
	if err == nil {
		return t
	}
	if _, local := time.Parse("2006-01-02T15:04:05", raw); local == nil {
		f.Add(path, "api.time.no_zone", "has no time zone: add the offset or Z, such as %s (got %q)", exampleTime, raw)
	} else {
		f.Add(path, "api.time.invalid", "must be an RFC 3339 time with its zone, such as %s (got %q)", exampleTime, raw)
	}
	return time.Time{}
}

// optionalInstant reads a time that may be left out (nil).
func optionalInstant(f *apperr.Fields, path string, raw *string) *time.Time {
	if raw == nil {
		return nil
	}
	t := instantOf(f, path, *raw)
	if t.IsZero() {
		return nil
	}
	return &t
}

// decisionInput is DecisionRequest: compliance.Question as a client sends
// it.
type decisionInput struct {
	Number             string         `json:"number"`
	Country            string         `json:"country"`
	Audience           string         `json:"audience"`
	Kind               string         `json:"kind"`
	At                 *string        `json:"at"`
	LeadTimezone       string         `json:"lead_timezone"`
	Sector             string         `json:"sector"`
	CallerID           string         `json:"caller_id"`
	ContractInProgress bool           `json:"contract_in_progress"`
	Attempts           []attemptInput `json:"attempts"`
	Refusals           []string       `json:"refusals"`
}

type attemptInput struct {
	At     string `json:"at"`
	Result string `json:"result"`
}

// attemptResult is the form of an attempt's result: the engine reads
// "abandoned" (and counts every attempt); a free-form word would let a
// misspelt "abandonned" slip past the cooling-off after an abandoned call
// unnoticed, so at least the form is held.
var attemptResult = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)

// question turns the body into the engine's question, naming each time or
// attempt at fault; the use case checks the rest.
func (in decisionInput) question() (compliance.Question, apperr.Fields) {
	var f apperr.Fields
	r := compliance.Question{Number: in.Number, Country: in.Country, Audience: in.Audience, Kind: in.Kind,
		LeadZone: in.LeadTimezone, Sector: in.Sector, CallerID: in.CallerID, ContractInProgress: in.ContractInProgress,
		At: optionalInstant(&f, "at", in.At), Purpose: compliance.PurposeAPI}
	for i, a := range in.Attempts {
		path := "attempts[" + strconv.Itoa(i) + "]."
		at := instantOf(&f, path+"at", a.At)
		if !attemptResult.MatchString(a.Result) {
			f.Add(path+"result", "api.attempt.result.invalid", "must be a lower-case word such as answered, abandoned or no_answer (got %q)", a.Result)
		}
		r.Attempts = append(r.Attempts, compliance.Attempt{At: at, Result: a.Result})
	}
	for i, raw := range in.Refusals {
		r.Refusals = append(r.Refusals, instantOf(&f, "refusals["+strconv.Itoa(i)+"]", raw))
	}
	return r, f
}

// decide answers the engine's decision for the principal's org: its
// consents and opt-outs, and the platform's list, count. Asking records no
// evidence: only a dial or a callback refused is a decision that mattered.
func (a *API) decide(c *fiber.Ctx) error {
	var in decisionInput
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	q, f := in.question()
	d, err := a.d.Compliance.Decide(c.UserContext(), q)
	if len(f) > 0 {
		// The use case checked the other fields: report them all at once.
		if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
			f = apperr.Fields(e.Fields).Merge(f)
		}
		return f.Err("api.question.invalid", "the question is not valid")
	}
	if err != nil {
		return err
	}
	return c.JSON(decisionOf(d))
}

// phoneQuery reads ?phone= and ?country=: a number in international
// format, or in the national format of country (by default the org's).
func phoneQuery(c *fiber.Ctx) store.PhoneQuery {
	return store.PhoneQuery{Number: c.Query("phone"), Country: c.Query("country")}
}

// evidence lists the org's recorded decisions, for one number (?phone=)
// and/or one lead (?lead_id=).
func (a *API) evidence(c *fiber.Ctx) error {
	var leadID *uuid.UUID
	if raw := c.Query("lead_id"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			return apperr.InvalidFields("http.query.invalid", "the query parameters are not valid",
				apperr.Field("lead_id", "api.query.lead_id.invalid", "must be a lead id (a UUID), got %q", raw))
		}
		leadID = &id
	}
	return list(func(ctx context.Context, page store.Page) ([]compliance.Evidence, *uuid.UUID, error) {
		return a.d.Compliance.EvidenceOf(ctx, phoneQuery(c), leadID, page)
	}, evidenceOf)(c)
}

// blocks counts the org's blocked calls per campaign and rule.
func (a *API) blocks(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(ctx context.Context) (blockCountsView, error) {
		counts, err := a.d.Compliance.BlockCounts(ctx)
		out := blockCountsView{Data: make([]blockCountView, 0, len(counts))}
		for _, b := range counts {
			out.Data = append(out.Data, blockCountView(b))
		}
		return out, err
	})
}
