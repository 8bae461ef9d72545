package compliance_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// TestDecideBeforeTheRules: before any rule set is in force for the callee
// the engine refuses, naming the first day it covers; it never allows and
// never panics.
func TestDecideBeforeTheRules(t *testing.T) {
	for _, c := range []struct {
		number   string
		audience compliance.Audience
		kind     compliance.Kind
		at       time.Time
		earliest time.Time
	}{
		{"+33612345678", compliance.B2C, compliance.Prospecting, paris("2023-02-28 11:00"), paris("2023-03-01 00:00")},
		{"+33142685300", compliance.B2B, compliance.Survey, paris("2023-02-28 23:59"), paris("2023-03-01 00:00")},
		{"+596696123456", compliance.B2C, compliance.DebtCollection, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), paris("2023-03-01 00:00")},
		{"+13105551234", compliance.B2C, compliance.Prospecting, paris("2023-03-01 12:00"), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"+212612345678", compliance.B2C, compliance.CustomerCare, paris("2023-03-01 12:00"), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		n, err := phone.Parse(c.number, "")
		if err != nil {
			t.Fatal(err)
		}
		in := compliance.Input{Number: n, Audience: c.audience, Kind: c.kind, CallerID: "+33162000001"}
		if got := compliance.Earliest(in); !got.Equal(c.earliest) {
			t.Errorf("%s %s %s: rules from %s, want %s", c.number, c.audience, c.kind, got, c.earliest)
		}
		d := compliance.Decide(in, c.at)
		if d.Allowed || d.Reason != compliance.NotCovered || d.NextAllowedAt != nil || d.Rule == "" || d.Source == "" {
			t.Errorf("%s at %s: %+v, want a refusal for want of rules", c.number, c.at, d)
		}
		want := c.earliest.Format("2006-01-02")
		if !strings.Contains(d.Explanation.EN, want) || !strings.Contains(d.Explanation.FR, c.earliest.Format("02/01/2006")) {
			t.Errorf("%s at %s: the explanation does not name %s: %+v", c.number, c.at, want, d.Explanation)
		}
		if s := compliance.Screen(in, c.at); s.Allowed || s.Reason != compliance.NotCovered {
			t.Errorf("Screen %s at %s: %+v", c.number, c.at, s)
		}
		if d := compliance.Decide(in, c.earliest); d.Reason == compliance.NotCovered {
			t.Errorf("%s at %s, the first day of the rules: %+v", c.number, c.earliest, d)
		}
	}
}

// fuzzNumbers are callees of every rule set family, French overseas
// included.
var fuzzNumbers = []string{"+33612345678", "+33142685300", "+596696123456", "+262269612345", "+508412345", "+13105551234",
	"+13055550123", "+442079460018", "+212612345678", "+221771234567", "+21321123456", "+4915123456789"}

// FuzzDecide: over any time from 1970 to 2100, any callee, audience, kind
// and history, Decide never panics; before the rules cover the callee it
// refuses (not_covered); a block's next allowed time is not before now and
// is itself allowed. Seeds: testdata/fuzz/FuzzDecide.
func FuzzDecide(f *testing.F) {
	f.Add(int64(1677538800), uint8(0), uint8(0), uint8(0), uint8(0), int64(0)) // 2023-02-28, FR consumer prospecting
	f.Add(int64(1677672000), uint8(5), uint8(0), uint8(0), uint8(0), int64(0)) // 2023-03-01, US
	f.Add(int64(1677672000), uint8(8), uint8(0), uint8(4), uint8(0), int64(0)) // 2023-03-01, Morocco customer care
	f.Add(int64(0), uint8(2), uint8(1), uint8(2), uint8(3), int64(86400))
	f.Add(int64(4102444799), uint8(3), uint8(0), uint8(0), uint8(7), int64(3600)) // 2099-12-31
	f.Add(int64(1789466400), uint8(0), uint8(0), uint8(0), uint8(15), int64(5*86400))
	start, end := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 12, 31, 23, 59, 59, 0, time.UTC)
	span := end.Unix() - start.Unix() + 1
	f.Fuzz(func(t *testing.T, at int64, number, audience, kind, history uint8, ago int64) {
		now := time.Unix(start.Unix()+mod(at, span), 0).UTC()
		n, err := phone.Parse(fuzzNumbers[int(number)%len(fuzzNumbers)], "")
		if err != nil {
			t.Fatal(err)
		}
		in := compliance.Input{Number: n, Audience: []compliance.Audience{compliance.B2C, compliance.B2B}[audience%2],
			Kind: compliance.Kinds[int(kind)%len(compliance.Kinds)], CallerID: "+33162000001",
			ContractInProgress: history&1 != 0,
			National:           map[string]compliance.NationalCheck{}}
		past := now.Add(-time.Duration(mod(ago, 90*86400)) * time.Second)
		if history&2 != 0 {
			in.Consents = []compliance.Consent{{CapturedAt: past}}
		}
		if history&4 != 0 {
			in.Attempts = []compliance.Attempt{{At: past, Result: compliance.ResultAbandoned}}
		}
		if history&8 != 0 {
			in.Refusals = []time.Time{past}
		}
		for _, code := range []string{"FR-BLOCTEL", "US-DNC", "UK-TPS", "UK-CTPS"} {
			if history&16 != 0 {
				in.National[code] = compliance.NationalCheck{FreshAt: past}
			}
		}
		d := compliance.Decide(in, now)
		if now.Before(compliance.Earliest(in)) {
			if d.Allowed || d.Reason != compliance.NotCovered {
				t.Fatalf("at %s, before the rules (from %s): %+v", now, compliance.Earliest(in), d)
			}
			return
		}
		if d.Reason == compliance.NotCovered || d.RuleSet == "" || d.Explanation.FR == "" || d.Explanation.EN == "" {
			t.Fatalf("at %s: %+v", now, d)
		}
		if d.NextAllowedAt != nil {
			next := *d.NextAllowedAt
			if next.Before(now) {
				t.Fatalf("at %s: next allowed %s is before now", now, next)
			}
			if again := compliance.Decide(in, next); !again.Allowed {
				t.Fatalf("at %s: next allowed %s, where the answer is %+v", now, next, again)
			}
		}
	})
}

func mod(a, m int64) int64 { return ((a % m) + m) % m }
