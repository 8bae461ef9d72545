package compliance

import (
	"fmt"
	"time"

	"github.com/plateau-bpo/plateau/pkg/phone"
)

// RuleSetNamed returns the rule set of a name as Name writes it
// (ID@version), or nil.
func RuleSetNamed(name string) *RuleSet {
	for _, r := range RuleSets {
		if r.Name() == name {
			return r
		}
	}
	return nil
}

// Recheck applies again, after the fact, the time-bound rules of the rule
// set a call was allowed under — the days and hours, the public holidays,
// the attempt caps — at the instant it was placed, in the callee's zone,
// with the client's earlier attempts to the number and the callee's
// consents (an out-of-hours consent lifts the hours where the rule set
// says so). It answers the rule broken, or the empty Reason.
func Recheck(ruleSet string, number phone.Number, zone string, consents []Consent, earlier []time.Time, at time.Time) (Reason, error) {
	rs := RuleSetNamed(ruleSet)
	if rs == nil {
		return "", fmt.Errorf("compliance: no rule set %q", ruleSet)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return "", fmt.Errorf("compliance: the callee's zone %q: %w", zone, err)
	}
	in := Input{Number: number, Consents: consents}
	for _, a := range earlier {
		if a.Before(at) {
			in.Attempts = append(in.Attempts, Attempt{At: a})
		}
	}
	c := checker{rs: rs, in: in, locs: []*time.Location{loc}}
	if f := c.hours(at); f != nil {
		return f.reason, nil
	}
	if f := c.caps(at); f != nil {
		return f.reason, nil
	}
	return "", nil
}
