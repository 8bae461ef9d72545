package compliance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// everyRule lists the name and source of every rule a decision can name.
func everyRule() []Rule {
	rules := []Rule{clientListRule, platformListRule, withdrawalRule, noZoneRule, notCoveredRule}
	for _, rs := range RuleSets {
		rules = append(rules, Rule{rs.Hours.Name, rs.Hours.Source})
		if rs.Consent != nil {
			rules = append(rules, *rs.Consent)
		}
		for _, cp := range rs.Caps {
			rules = append(rules, Rule{cp.Name, cp.Source})
		}
		for _, cd := range []*Cooldown{rs.Refusal, rs.Abandon} {
			if cd != nil {
				rules = append(rules, Rule{cd.Name, cd.Source})
			}
		}
		for _, l := range rs.National {
			rules = append(rules, Rule{l.Name, l.Source})
		}
		for _, s := range rs.BannedSectors {
			rules = append(rules, bannedRule(s, rs.BannedSource))
		}
		if rs.CallerID != nil {
			rules = append(rules, rs.CallerID.Rule)
		}
		if rs.AbandonCap != nil {
			rules = append(rules, Rule{rs.AbandonCap.Name, rs.AbandonCap.Source})
		}
	}
	for day, ext := range extensions {
		rules = append(rules, extensionRule(day.Name, ext))
	}
	return rules
}

// TestEveryRuleIsNamedInFrench: a decision page shows the rule and its
// source; both have a French form.
func TestEveryRuleIsNamedInFrench(t *testing.T) {
	rules := everyRule()
	if len(rules) < 40 {
		t.Fatalf("only %d rules", len(rules))
	}
	for _, r := range rules {
		name, source := RuleText(r.Name), SourceText(r.Source)
		if name.EN != r.Name || source.EN != r.Source {
			t.Errorf("%q (%q): the English is not the rule's own: %+v %+v", r.Name, r.Source, name, source)
		}
		if !french(r.Name) || !french(r.Source) {
			t.Errorf("%q (%q) has no French form: %+v %+v", r.Name, r.Source, name, source)
		}
	}
}

// french reports whether the catalog of rule names and sources has the
// English s, or can compose its French form.
func french(s string) bool {
	_, ok := rulesInFrench[s]
	if !ok {
		ok = RuleText(s).FR != s || SourceText(s).FR != s
	}
	return ok
}

// TestFrenchExplanationsNameTheRuleInFrench: the French explanation of a
// block names the rule in French, and the decision carries both forms.
func TestFrenchExplanationsNameTheRuleInFrench(t *testing.T) {
	n, err := phone.Parse("01 23 45 67 89", "FR")
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	evening := time.Date(2026, time.September, 21, 19, 0, 0, 0, paris)
	d := Decide(Input{Number: n, Audience: B2B, Kind: Prospecting}, evening)
	if d.Allowed || d.Reason != OutsideHours {
		t.Fatalf("a B2B call on a Monday at 19:00: %+v", d)
	}
	fr := RuleText(d.Rule).FR
	if fr == d.Rule || !strings.Contains(d.Explanation.FR, fr) || strings.Contains(d.Explanation.FR, d.Rule) {
		t.Errorf("the French explanation %q does not name the rule in French (%q, not %q)", d.Explanation.FR, fr, d.Rule)
	}
	if d.RuleText().FR != fr || d.SourceText().EN != d.Source || d.SourceText().FR == d.Source {
		t.Errorf("the decision's rule %+v and source %+v", d.RuleText(), d.SourceText())
	}
}

// TestParseErrorsAreCoded: a kind or an audience that is not one is an
// Invalid error a field can carry in the reader's language.
func TestParseErrorsAreCoded(t *testing.T) {
	_, err1 := ParseKind("robocall")
	_, err2 := ParseAudience("b2x")
	_, err3 := ParseConsentKind("robocall")
	for code, err := range map[string]error{"compliance.kind.unknown": err1, "compliance.audience.unknown": err2, "compliance.consent_kind.unknown": err3} {
		if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || e.Code != code {
			t.Errorf("%#v, want an Invalid %s error", err, code)
		}
	}
}

// TestWhatACenterLacksIsSaidInFrench: the refusal to send EU personal
// data to a center is a coded Conflict whose gaps are said in the
// reader's language.
func TestWhatACenterLacksIsSaidInFrench(t *testing.T) {
	err := MayProcessEUData(CenterProfile{Country: "MA"}, time.Now())
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.Conflict || e.Code != "compliance.eu_data.gaps" || len(e.Args) != 2 {
		t.Fatalf("%#v", err)
	}
	if !strings.Contains(e.Message, "CNDP reference") {
		t.Errorf("English %q", e.Message)
	}
	french := map[string]string{"dp.missing.authority_ref": "la référence %s"}
	tr := func(key string, args ...any) (string, bool) {
		text, ok := french[key]
		if ok {
			text = fmt.Sprintf(text, args...)
		}
		return text, ok
	}
	gaps, ok := e.Args[1].(interface {
		Say(apperr.Translator) string
	})
	if !ok || !strings.Contains(gaps.Say(tr), "la référence CNDP; ") && !strings.Contains(gaps.Say(tr), "; la référence CNDP") {
		t.Errorf("the gaps %#v", e.Args[1])
	}
}
