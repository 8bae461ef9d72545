package compliance_test

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

var sampleNumbers = []string{"+33612345678", "+33142685300", "+596696123456", "+262692123456", "+13105551234",
	"+13055550123", "+12125550123", "+442079460018", "+212612345678", "+221771234567", "+4915123456789"}

// genInput draws a callee, a campaign and a history of the last 90 days.
func genInput(t *rapid.T, now time.Time) compliance.Input {
	n, err := phone.Parse(rapid.SampledFrom(sampleNumbers).Draw(t, "number"), "")
	if err != nil {
		t.Fatal(err)
	}
	in := compliance.Input{
		Number:             n,
		Audience:           rapid.SampledFrom([]compliance.Audience{compliance.B2C, compliance.B2B}).Draw(t, "audience"),
		Kind:               rapid.SampledFrom(compliance.Kinds).Draw(t, "kind"),
		ContractInProgress: rapid.Bool().Draw(t, "contract"),
		CallerID:           rapid.SampledFrom([]string{"", "+33162000001", "+33612345678"}).Draw(t, "caller"),
		National:           map[string]compliance.NationalCheck{},
	}
	ago := func(label string) time.Time {
		return now.Add(-time.Duration(rapid.Int64Range(0, int64(90*24*time.Hour)).Draw(t, label)))
	}
	for i := range rapid.IntRange(0, 8).Draw(t, "attempts") {
		in.Attempts = append(in.Attempts, compliance.Attempt{At: ago("attempt"),
			Result: rapid.SampledFrom([]string{"no_answer", compliance.ResultAnswered, compliance.ResultAbandoned}).Draw(t, "result")})
		_ = i
	}
	for range rapid.IntRange(0, 2).Draw(t, "refusals") {
		in.Refusals = append(in.Refusals, ago("refusal"))
	}
	if rapid.Bool().Draw(t, "consented") {
		in.Consents = []compliance.Consent{{CapturedAt: ago("consent")}}
		if rapid.Bool().Draw(t, "out of hours") {
			in.Consents[0].Kinds = []compliance.Kind{compliance.OutOfHours}
		}
		if rapid.IntRange(0, 3).Draw(t, "withdrawn") == 0 {
			w := in.Consents[0].CapturedAt.Add(time.Duration(rapid.Int64Range(0, int64(90*24*time.Hour)).Draw(t, "withdrawal")))
			in.Consents[0].WithdrawnAt = &w
		}
	}
	for _, code := range []string{"FR-BLOCTEL", "US-DNC", "UK-TPS", "UK-CTPS"} {
		if rapid.Bool().Draw(t, code) {
			in.National[code] = compliance.NationalCheck{Listed: rapid.Bool().Draw(t, code+" listed"), FreshAt: ago(code + " fresh")}
		}
	}
	return in
}

// TestPropertyDecisions: an allowed decision breaks none of its rule set's
// rules (checked here independently, by brute force); a blocked one's next
// allowed time is itself allowed, and nothing earlier is.
func TestPropertyDecisions(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		now := start.Add(time.Duration(rapid.Int64Range(0, int64(3*365*24*time.Hour)).Draw(t, "now"))).Truncate(time.Second)
		in := genInput(t, now)
		d := compliance.Decide(in, now)
		if d.Allowed {
			verifyAllowed(t, in, now)
			return
		}
		if d.NextAllowedAt == nil {
			return
		}
		next := *d.NextAllowedAt
		if next.Before(now) {
			t.Fatalf("next allowed %s is before now %s", next, now)
		}
		again := compliance.Decide(in, next)
		if !again.Allowed {
			t.Fatalf("blocked at %s (%s) until %s, but then: %s %s", now, d.Reason, next, again.Reason, again.Explanation.EN)
		}
		verifyAllowed(t, in, next)
		if before := next.Add(-time.Second); before.After(now) && compliance.Decide(in, before).Allowed {
			t.Fatalf("next allowed %s is not the earliest: %s is allowed too", next, before)
		}
	})
}

// verifyAllowed checks every rule of the rule set in force at t, the simple
// way, and fails the property if one is broken.
func verifyAllowed(t *rapid.T, in compliance.Input, at time.Time) {
	rs := compliance.Lookup(in.Number.E164, in.Number.Region, in.Audience, in.Kind, at)
	locs, err := in.Number.Locations(in.LeadZone)
	if err != nil {
		t.Fatalf("allowed without a zone: %v", err)
	}
	lifted := rs.Hours.ConsentLifts && len(in.Consents) > 0 && in.Consents[0].AllowsOutOfHours(in.Kind, at)
	for _, loc := range locs {
		if lifted {
			break
		}
		local := at.In(loc)
		minute := local.Hour()*60 + local.Minute()
		if !slices.ContainsFunc(rs.Hours.Days[local.Weekday()], func(s compliance.Span) bool { return minute >= s.From && minute < s.To }) {
			t.Fatalf("%s: allowed at %s local, outside %s", rs.Name(), local, rs.Hours.Name)
		}
		if holiday, name := compliance.IsHoliday(in.Number.Region, local); holiday && rs.Hours.Holidays {
			t.Fatalf("%s: allowed on %s (%s)", rs.Name(), local.Format("2006-01-02"), name)
		}
	}
	for _, cp := range rs.Caps {
		n := 0
		for _, a := range in.Attempts {
			sameDay := false
			for _, loc := range locs {
				sameDay = sameDay || a.At.In(loc).Format("2006-01-02") == at.In(loc).Format("2006-01-02")
			}
			if !a.At.After(at) && ((cp.PerDay && sameDay) || (!cp.PerDay && at.Sub(a.At) < cp.Window)) {
				n++
			}
		}
		if n >= cp.Max {
			t.Fatalf("%s: allowed with %d attempts counted by %q", rs.Name(), n, cp.Name)
		}
	}
	for _, r := range in.Refusals {
		if rs.Refusal == nil || r.After(at) {
			continue
		}
		if rs.Refusal.Days == 0 && at.Sub(r) < rs.Refusal.For {
			t.Fatalf("%s: allowed %s after a refusal", rs.Name(), at.Sub(r))
		}
		for _, loc := range locs { // the refusal's day, then Days whole days, in the callee's calendar
			if rs.Refusal.Days > 0 && at.In(loc).Format("2006-01-02") <= r.In(loc).AddDate(0, 0, rs.Refusal.Days).Format("2006-01-02") {
				t.Fatalf("%s: allowed on %s after a refusal on %s (%s)", rs.Name(), at.In(loc).Format("2006-01-02"),
					r.In(loc).Format("2006-01-02"), loc)
			}
		}
	}
	for _, a := range in.Attempts {
		if rs.Abandon != nil && a.Result == compliance.ResultAbandoned && !a.At.After(at) && at.Sub(a.At) < rs.Abandon.For {
			t.Fatalf("%s: allowed %s after an abandoned call", rs.Name(), at.Sub(a.At))
		}
	}
	for _, l := range rs.National {
		c, ok := in.National[l.Code]
		if !ok || c.Listed || at.Sub(c.FreshAt) > l.MaxAge {
			t.Fatalf("%s: allowed although %s is %+v (loaded %v)", rs.Name(), l.Code, c, ok)
		}
	}
	if w := in.Consents; len(w) > 0 && w[0].WithdrawnAt != nil && !w[0].WithdrawnAt.After(at) {
		t.Fatalf("%s: allowed after the consent was withdrawn on %s", rs.Name(), w[0].WithdrawnAt)
	}
	if rs.Consent != nil && !(rs.ContractExempts && in.ContractInProgress) {
		if len(in.Consents) == 0 || !in.Consents[0].Covers(in.Kind, at) {
			t.Fatalf("%s: allowed without consent", rs.Name())
		}
	}
	if rs.CallerID != nil && !slices.ContainsFunc(rs.CallerID.Prefixes, func(p string) bool {
		return len(in.CallerID) >= len(p) && in.CallerID[:len(p)] == p
	}) {
		t.Fatalf("%s: allowed with caller ID %q", rs.Name(), in.CallerID)
	}
}
