package market

// Assumptions describe how a campaign is expected to go, to compare what
// rate cards would cost for its volume. Rates are in per mille, so that
// the arithmetic stays in integers.
type Assumptions struct {
	Leads           int            // leads to call
	AttemptsPerLead int            // per mille: 2500 is 2.5 attempts per lead
	ConnectRate     int            // per mille of attempts answered by the callee
	TalkSeconds     int            // average talk time of a connected call
	OutcomeRates    map[string]int // per mille of connected calls ending in each outcome
	Seats           int            // agents on the campaign
	Months          int            // months the seats are paid for
}

// DefaultAssumptions are the platform's starting figures per campaign kind;
// the client may change them on the comparison page.
func DefaultAssumptions(kind string, leads int) Assumptions {
	a := Assumptions{Leads: leads, AttemptsPerLead: 2500, ConnectRate: 350, TalkSeconds: 150, Seats: 5, Months: 1}
	switch kind {
	case "prospecting":
		a.OutcomeRates = map[string]int{"sale": 40}
	case "appointment_setting":
		a.OutcomeRates = map[string]int{"appointment": 80}
	case "debt_collection":
		a.OutcomeRates = map[string]int{"promise_to_pay": 250}
		a.TalkSeconds = 240
	case "fundraising":
		a.OutcomeRates = map[string]int{"donation": 60}
	case "customer_care":
		a.OutcomeRates = map[string]int{"sale": 120}
		a.ConnectRate = 450
	case "survey":
		a.OutcomeRates = map[string]int{"survey_completed": 300}
		a.TalkSeconds = 300
	}
	return a
}

// Estimate is what a rate card would cost under assumptions, by component.
type Estimate struct {
	Currency   string           `json:"currency"`
	Components map[string]int64 `json:"components"` // connected_call, minutes, outcome:sale, attempt, seats
	Total      int64            `json:"total"`
}

// EstimateCost prices the assumptions with the rate card. Counts are
// rounded half to even to whole calls; amounts are exact micro-units.
func EstimateCost(r RateCard, a Assumptions) Estimate {
	e := Estimate{Currency: r.Currency, Components: map[string]int64{}}
	attempts := divRound(int64(a.Leads)*int64(a.AttemptsPerLead), 1000)
	connected := divRound(attempts*int64(a.ConnectRate), 1000)
	add := func(name string, v int64) {
		if v != 0 {
			e.Components[name] = v
			e.Total += v
		}
	}
	add("attempt", attempts*r.PerAttempt)
	add("connected_call", connected*r.PerConnectedCall)
	add("minutes", connected*r.MinutesPrice(r.BillableSeconds(a.TalkSeconds)))
	for outcome, rate := range a.OutcomeRates {
		add("outcome:"+outcome, divRound(connected*int64(rate), 1000)*r.PerOutcome[outcome])
	}
	add("seats", int64(a.Seats)*int64(a.Months)*r.SeatMonthly)
	return e
}
