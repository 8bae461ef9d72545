package compliance_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// TestScreenKeepsTheCalleesBlocksOnly: at import, a lead is blocked for
// what belongs to it (lists, consent) and never for the hour, the day, a
// cap, a stale list copy or the caller ID.
func TestScreenKeepsTheCalleesBlocksOnly(t *testing.T) {
	sunday := paris("2026-09-20 23:30") // outside every French window
	cases := []struct {
		name   string
		in     func(*compliance.Input)
		reason compliance.Reason
	}{
		{"consented consumer at night on a Sunday", nil, compliance.Allowed},
		{"no consent", func(in *compliance.Input) { in.Consents = nil }, compliance.NoConsent},
		{"consent withdrawn", func(in *compliance.Input) {
			w := paris("2026-03-01 10:00")
			in.Consents[0].WithdrawnAt = &w
		}, compliance.ConsentWithdrawn},
		{"consent withdrawn, B2B", func(in *compliance.Input) {
			w := paris("2026-03-01 10:00")
			in.Consents[0].WithdrawnAt, in.Audience = &w, compliance.B2B
		}, compliance.ConsentWithdrawn},
		{"on the client's list", func(in *compliance.Input) { in.Suppressions = []compliance.ListKind{compliance.ClientList} }, compliance.SuppressedClient},
		{"on the platform's list", func(in *compliance.Input) { in.Suppressions = []compliance.ListKind{compliance.PlatformList} }, compliance.SuppressedPlatform},
		{"caller ID missing is not the callee's fault", func(in *compliance.Input) { in.CallerID = "" }, compliance.Allowed},
		{"attempt cap reached passes with time", func(in *compliance.Input) {
			for _, d := range []string{"2026-09-01", "2026-09-05", "2026-09-10", "2026-09-15"} {
				in.Attempts = append(in.Attempts, compliance.Attempt{At: paris(d + " 10:00")})
			}
		}, compliance.Allowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := frConsumer(t)
			if c.in != nil {
				c.in(&in)
			}
			d := compliance.Screen(in, sunday)
			if d.Reason != c.reason || d.Allowed != (c.reason == compliance.Allowed) || d.NextAllowedAt != nil {
				t.Fatalf("%s (%s), want %s: %s", d.Reason, d.RuleSet, c.reason, d.Explanation.EN)
			}
			if d.RuleSet == "" || d.Explanation.FR == "" || (!d.Allowed && d.Source == "") {
				t.Fatalf("incomplete decision: %+v", d)
			}
		})
	}

	us, err := phone.Parse("(310) 555-1234", "US")
	if err != nil {
		t.Fatal(err)
	}
	copyAt := at("UTC", "2026-09-01 00:00")
	later := at("UTC", "2026-11-20 12:00") // the copy is 80 days old
	for _, c := range []struct {
		name   string
		lists  map[string]compliance.NationalCheck
		reason compliance.Reason
	}{
		{"listed on a stale copy", map[string]compliance.NationalCheck{"US-DNC": {Listed: true, FreshAt: copyAt}}, compliance.NationalList},
		{"not listed on a stale copy", map[string]compliance.NationalCheck{"US-DNC": {FreshAt: copyAt}}, compliance.Allowed},
		{"no copy loaded", nil, compliance.Allowed},
		{"listed on a fresh copy", map[string]compliance.NationalCheck{"US-DNC": {Listed: true, FreshAt: later.Add(-24 * time.Hour)}}, compliance.NationalList},
	} {
		in := compliance.Input{Number: phone.Number{E164: us.E164, Region: us.Region}, Audience: compliance.B2C,
			Kind: compliance.Prospecting, National: c.lists}
		if d := compliance.Screen(in, later); d.Reason != c.reason {
			t.Errorf("US lead %s: %s, want %s", c.name, d.Reason, c.reason)
		}
	}
}
