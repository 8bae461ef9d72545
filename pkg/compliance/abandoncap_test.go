package compliance_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
)

// TestEveryRuleSetCapsAbandons: every rule set carries an abandon cap
// measured per campaign, no looser than the law it names: the US 3 % over
// 30 days (16 CFR 310.4(b)(4)), the UK and the default 1 %, France 3 %
// over 30 days as a platform default.
func TestEveryRuleSetCapsAbandons(t *testing.T) {
	const day = 24 * time.Hour
	want := map[string]struct {
		rate   float64
		window time.Duration
	}{"US": {0.03, 30 * day}, "GB": {0.01, day}, "FR": {0.03, 30 * day}, "*": {0.01, day}}
	for _, rs := range compliance.RuleSets {
		c := rs.AbandonCap
		if c == nil {
			t.Errorf("%s has no abandon cap", rs.Name())
			continue
		}
		w, ok := want[rs.Country]
		if !ok {
			t.Errorf("%s: no expected cap for country %q", rs.Name(), rs.Country)
			continue
		}
		if c.Rate != w.rate || c.Window != w.window || !c.PerCampaign || c.Name == "" || c.Source == "" {
			t.Errorf("%s: abandon cap %+v, want %.0f%% per campaign over %s with a name and source", rs.Name(), *c, w.rate*100, w.window)
		}
	}
}

// TestCampaignAbandonCap: a campaign may ask for a lower cap, never a
// higher one, and the rule's name and source stay.
func TestCampaignAbandonCap(t *testing.T) {
	rule := compliance.AbandonCap{Name: "rule", Source: "law", Rate: 0.03, Window: time.Hour, PerCampaign: true}
	rate := func(r float64) *float64 { return &r }
	for _, c := range []struct {
		campaign *float64
		want     float64
	}{{nil, 0.03}, {rate(0.01), 0.01}, {rate(0.05), 0.03}, {rate(0.03), 0.03}, {rate(0), 0}, {rate(-1), 0.03}} {
		got := compliance.CampaignAbandonCap(rule, c.campaign)
		if got.Rate != c.want || got.Name != rule.Name || got.Source != rule.Source || got.Window != rule.Window {
			t.Errorf("campaign %v: %+v, want rate %v", c.campaign, got, c.want)
		}
	}
}
