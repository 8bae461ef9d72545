package compliance_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// at reads a local time in a zone: at("Europe/Paris", "2026-09-15 11:00").
func at(zone, local string) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", local, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func paris(local string) time.Time { return at("Europe/Paris", local) }

func number(t *testing.T, raw string) phone.Number {
	t.Helper()
	n, err := phone.Parse(raw, "FR")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// frConsumer is a French consumer who consented to the client's prospecting
// calls, called with a caller ID from the NPV ranges.
func frConsumer(t *testing.T) compliance.Input {
	return compliance.Input{
		Number: number(t, "06 12 34 56 78"), Audience: compliance.B2C, Kind: compliance.Prospecting,
		Consents: []compliance.Consent{{CapturedAt: paris("2026-01-10 09:00")}},
		CallerID: "+33162000001",
		National: map[string]compliance.NationalCheck{"FR-BLOCTEL": {FreshAt: paris("2026-07-01 00:00")}},
	}
}

type dated struct {
	name   string
	now    time.Time
	in     func(*compliance.Input)
	reason compliance.Reason
	next   time.Time // zero: none expected
}

func run(t *testing.T, base func(*testing.T) compliance.Input, cases []dated) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base(t)
			if c.in != nil {
				c.in(&in)
			}
			d := compliance.Decide(in, c.now)
			if d.Reason != c.reason || d.Allowed != (c.reason == compliance.Allowed) {
				t.Fatalf("at %s: %s (%s), want %s\n%s", c.now, d.Reason, d.RuleSet, c.reason, d.Explanation.EN)
			}
			switch {
			case c.next.IsZero() && d.NextAllowedAt != nil:
				t.Fatalf("next allowed at %s, want none", d.NextAllowedAt)
			case !c.next.IsZero() && (d.NextAllowedAt == nil || !d.NextAllowedAt.Equal(c.next)):
				t.Fatalf("next allowed at %v, want %s\n%s", d.NextAllowedAt, c.next, d.Explanation.EN)
			}
			if d.Explanation.FR == "" || d.Explanation.EN == "" || d.RuleSet == "" || (!d.Allowed && d.Source == "") {
				t.Fatalf("incomplete decision: %+v", d)
			}
		})
	}
}

func TestFranceB2CProspecting(t *testing.T) {
	attempts := func(ts ...time.Time) func(*compliance.Input) {
		return func(in *compliance.Input) {
			for _, a := range ts {
				in.Attempts = append(in.Attempts, compliance.Attempt{At: a, Result: "no_answer"})
			}
		}
	}
	refused := func(r time.Time) func(*compliance.Input) {
		return func(in *compliance.Input) { in.Refusals = []time.Time{r} }
	}
	run(t, frConsumer, []dated{
		{"Tuesday morning", paris("2026-09-15 11:00"), nil, compliance.Allowed, time.Time{}},
		{"lunch break", paris("2026-09-15 13:30"), nil, compliance.OutsideHours, paris("2026-09-15 14:00")},
		{"19:59", paris("2026-09-15 19:59"), nil, compliance.Allowed, time.Time{}},
		{"20:00", paris("2026-09-15 20:00"), nil, compliance.OutsideHours, paris("2026-09-16 10:00")},
		{"09:59", paris("2026-09-15 09:59"), nil, compliance.OutsideHours, paris("2026-09-15 10:00")},
		{"Saturday", paris("2026-09-19 11:00"), nil, compliance.DayNotAllowed, paris("2026-09-21 10:00")},
		{"14 July (old rule set, Bloctel)", paris("2026-07-14 11:00"), nil, compliance.Holiday, paris("2026-07-15 10:00")},
		{"25 December, then the weekend", paris("2026-12-25 11:00"), nil, compliance.Holiday, paris("2026-12-28 10:00")},
		{"1 November on a Sunday, 11 November on a Wednesday", paris("2026-11-11 15:00"), nil, compliance.Holiday, paris("2026-11-12 10:00")},
		// Paris leaves summer time on Sunday 25 October 2026: Monday 10:00 is 09:00 UTC.
		{"Friday night before autumn DST change", paris("2026-10-23 20:30"), nil, compliance.OutsideHours,
			time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)},
		// Paris enters summer time on Sunday 28 March 2027, between Good Friday
		// (a holiday in Alsace-Moselle, so for every French callee) and Easter
		// Monday: Tuesday 10:00 is 08:00 UTC.
		{"Thursday night before Easter and the spring DST change", paris("2027-03-25 21:00"), nil, compliance.OutsideHours,
			time.Date(2027, 3, 30, 8, 0, 0, 0, time.UTC)},
		{"fourth attempt in 30 days", paris("2026-09-15 11:00"),
			attempts(paris("2026-08-20 11:00"), paris("2026-09-01 11:00"), paris("2026-09-10 11:00")), compliance.Allowed, time.Time{}},
		{"fifth attempt in 30 days", paris("2026-09-15 11:00"),
			attempts(paris("2026-08-20 11:00"), paris("2026-09-01 11:00"), paris("2026-09-10 11:00"), paris("2026-09-14 16:00")),
			compliance.AttemptCap, paris("2026-09-21 10:00")}, // 20 Aug + 30 days = Saturday 19 Sept 11:00 → Monday 10:00
		{"fifth attempt ages out within hours", paris("2026-09-15 11:00"),
			attempts(paris("2026-08-16 15:00"), paris("2026-09-01 11:00"), paris("2026-09-10 11:00"), paris("2026-09-14 16:00")),
			compliance.AttemptCap, paris("2026-09-15 15:00")},
		// 60 calendar days « révolus » from the day after the refusal: 19 July
		// to 16 September; the 61st day, 17 September, from 10:00.
		{"day 59 after a refusal", paris("2026-09-15 11:00"), refused(paris("2026-07-18 11:00")),
			compliance.RefusalCooldown, paris("2026-09-17 10:00")},
		// Refused on 17 July at 19:50: 60 × 24 h end on 15 September at 19:50,
		// but the 60 days run from 18 July to 15 September.
		{"day 60 after a refusal, later in the day than the refusal", paris("2026-09-15 19:55"), refused(paris("2026-07-17 19:50")),
			compliance.RefusalCooldown, paris("2026-09-16 10:00")},
		{"day 61 after a refusal, at the first open hour", paris("2026-09-16 10:00"), refused(paris("2026-07-17 19:50")),
			compliance.Allowed, time.Time{}},
		// The days are the callee's: refused at 00:30 Paris on 18 July, which
		// is still 17 July in Montreal, where the lead lives: the 61st day
		// is 16 September there (17 September counted in Paris).
		{"the refusal's day is the callee's", at("America/Montreal", "2026-09-15 10:00"), func(in *compliance.Input) {
			in.LeadZone = "America/Montreal"
			in.Refusals = []time.Time{paris("2026-07-18 00:30")}
		}, compliance.RefusalCooldown, at("America/Montreal", "2026-09-16 10:00")},
		{"day 61 after a refusal", paris("2026-09-15 11:00"), refused(paris("2026-07-16 11:00")), compliance.Allowed, time.Time{}},
		{"no consent", paris("2026-09-15 11:00"), func(in *compliance.Input) { in.Consents = nil }, compliance.NoConsent, time.Time{}},
		{"consent withdrawn", paris("2026-09-15 11:00"), func(in *compliance.Input) {
			w := paris("2026-09-01 10:00")
			in.Consents[0].WithdrawnAt = &w
		}, compliance.ConsentWithdrawn, time.Time{}},
		{"consent given again after a withdrawal", paris("2026-09-15 11:00"), func(in *compliance.Input) {
			w := paris("2026-09-01 10:00")
			in.Consents = []compliance.Consent{{CapturedAt: paris("2026-01-10 09:00"), WithdrawnAt: &w},
				{CapturedAt: paris("2026-09-05 10:00")}}
		}, compliance.Allowed, time.Time{}},
		{"consent for another kind", paris("2026-09-15 11:00"), func(in *compliance.Input) {
			in.Consents[0].Kinds = []compliance.Kind{compliance.Survey}
		}, compliance.NoConsent, time.Time{}},
		{"contract in progress without consent", paris("2026-09-15 11:00"), func(in *compliance.Input) {
			in.Consents, in.ContractInProgress = nil, true
		}, compliance.Allowed, time.Time{}},
		{"before the consent law, without consent but Bloctel-clean", paris("2026-07-15 11:00"), func(in *compliance.Input) {
			in.Consents = nil
		}, compliance.Allowed, time.Time{}},
		// Bloctel ends with the consent law: a consented callee on Bloctel may
		// be called from its first allowed hour.
		{"before the consent law, on Bloctel, consented", paris("2026-07-15 11:00"), func(in *compliance.Input) {
			in.National["FR-BLOCTEL"] = compliance.NationalCheck{Listed: true, FreshAt: paris("2026-07-01 00:00")}
		}, compliance.NationalList, paris("2026-08-11 10:00")},
		{"before the consent law, on Bloctel, no consent", paris("2026-07-15 11:00"), func(in *compliance.Input) {
			in.National["FR-BLOCTEL"] = compliance.NationalCheck{Listed: true, FreshAt: paris("2026-07-01 00:00")}
			in.Consents = nil
		}, compliance.NationalList, time.Time{}},
		{"before the consent law, Bloctel copy 31 days old", paris("2026-08-01 11:00"), nil, compliance.ListStale, paris("2026-08-11 10:00")},
		{"banned sector", paris("2026-09-15 11:00"), func(in *compliance.Input) { in.Sector = "housing_adaptation" },
			compliance.BannedSector, time.Time{}},
		{"hidden caller ID", paris("2026-09-15 11:00"), func(in *compliance.Input) { in.CallerID = "" },
			compliance.CallerIDMissing, time.Time{}},
		{"caller ID outside the NPV ranges", paris("2026-09-15 11:00"), func(in *compliance.Input) { in.CallerID = "+33612345678" },
			compliance.CallerIDNotAllow, time.Time{}},
		{"on the client's opt-out list", paris("2026-09-15 11:00"), func(in *compliance.Input) {
			in.Suppressions = []compliance.ListKind{compliance.ClientList}
		}, compliance.SuppressedClient, time.Time{}},
		{"the lead's own zone wins", paris("2026-09-15 11:00"), func(in *compliance.Input) { in.LeadZone = "America/Montreal" },
			compliance.OutsideHours, at("America/Montreal", "2026-09-15 10:00")},
	})
}

func TestFranceOtherAudiencesAndKinds(t *testing.T) {
	b2b := func(t *testing.T) compliance.Input {
		return compliance.Input{Number: number(t, "01 42 68 53 00"), Audience: compliance.B2B, Kind: compliance.AppointmentSetting}
	}
	run(t, b2b, []dated{
		{"B2B at 09:00", paris("2026-09-15 09:00"), nil, compliance.Allowed, time.Time{}},
		{"B2B at 08:59", paris("2026-09-15 08:59"), nil, compliance.OutsideHours, paris("2026-09-15 09:00")},
		{"B2B at 18:00", paris("2026-09-15 18:00"), nil, compliance.OutsideHours, paris("2026-09-16 09:00")},
		{"B2B over lunch", paris("2026-09-15 13:30"), nil, compliance.Allowed, time.Time{}},
	})
	collection := func(t *testing.T) compliance.Input {
		return compliance.Input{Number: number(t, "06 12 34 56 78"), Audience: compliance.B2C, Kind: compliance.DebtCollection}
	}
	three := func(in *compliance.Input) {
		for _, h := range []string{"08:05", "10:00", "12:00"} {
			in.Attempts = append(in.Attempts, compliance.Attempt{At: paris("2026-09-19 " + h)})
		}
	}
	run(t, collection, []dated{
		{"collection on Saturday at 08:00", paris("2026-09-19 08:00"), nil, compliance.Allowed, time.Time{}},
		{"collection on Sunday", paris("2026-09-20 11:00"), nil, compliance.DayNotAllowed, paris("2026-09-21 08:00")},
		{"collection, fourth attempt of the day", paris("2026-09-19 15:00"), three, compliance.AttemptCap, paris("2026-09-21 08:00")},
	})
	martinique := func(t *testing.T) compliance.Input {
		in := frConsumer(t)
		in.Number = number(t, "0696 12 34 56")
		return in
	}
	run(t, martinique, []dated{
		{"Martinique: 22 May, a Saturday and a holiday there", at("America/Martinique", "2027-05-22 11:00"),
			nil, compliance.Holiday, at("America/Martinique", "2027-05-24 10:00")},
		{"Martinique: abolition day on a Friday, then Whit Monday", at("America/Martinique", "2026-05-22 11:00"), func(in *compliance.Input) {
			in.National["FR-BLOCTEL"] = compliance.NationalCheck{FreshAt: at("America/Martinique", "2026-05-01 00:00")}
		}, compliance.Holiday, at("America/Martinique", "2026-05-26 10:00")},
		{"Guadeloupe: 22 May is an ordinary day there", at("America/Guadeloupe", "2026-05-22 11:00"), func(in *compliance.Input) {
			in.Number = number(t, "0690 12 34 56")
			in.National["FR-BLOCTEL"] = compliance.NationalCheck{FreshAt: at("America/Martinique", "2026-05-01 00:00")}
		}, compliance.Allowed, time.Time{}},
		{"Martinique: its own zone", at("America/Martinique", "2026-09-15 09:30"), nil, compliance.OutsideHours,
			at("America/Martinique", "2026-09-15 10:00")},
	})
}

func TestUnitedStates(t *testing.T) {
	us := func(raw string) func(*testing.T) compliance.Input {
		return func(t *testing.T) compliance.Input {
			n, err := phone.Parse(raw, "US")
			if err != nil {
				t.Fatal(err)
			}
			return compliance.Input{Number: n, Audience: compliance.B2C, Kind: compliance.Prospecting,
				National: map[string]compliance.NationalCheck{"US-DNC": {FreshAt: at("UTC", "2026-09-01 00:00")}}}
		}
	}
	la := func(local string) time.Time { return at("America/Los_Angeles", local) }
	run(t, us("(310) 555-1234"), []dated{
		// Called from Tanger at 16:00 Casablanca time = 08:00 Pacific.
		{"Los Angeles at 08:00 Pacific, from Tanger", at("Africa/Casablanca", "2026-09-15 16:00"), nil, compliance.Allowed, time.Time{}},
		{"Los Angeles at 07:59 Pacific", la("2026-09-15 07:59"), nil, compliance.OutsideHours, la("2026-09-15 08:00")},
		{"Los Angeles at 20:30 Pacific", la("2026-09-15 20:30"), nil, compliance.Allowed, time.Time{}},
		{"Los Angeles on Sunday", la("2026-09-20 10:00"), nil, compliance.Allowed, time.Time{}},
		{"on the DNC registry", la("2026-09-15 10:00"), func(in *compliance.Input) {
			in.National["US-DNC"] = compliance.NationalCheck{Listed: true, FreshAt: at("UTC", "2026-09-01 00:00")}
		}, compliance.NationalList, time.Time{}},
		{"DNC copy 32 days old", la("2026-10-03 10:00"), nil, compliance.ListStale, time.Time{}},
		{"DNC not loaded", la("2026-09-15 10:00"), func(in *compliance.Input) { in.National = nil }, compliance.ListMissing, time.Time{}},
		{"customer care ignores the DNC registry", la("2026-09-15 10:00"), func(in *compliance.Input) {
			in.Kind, in.National = compliance.CustomerCare, nil
		}, compliance.Allowed, time.Time{}},
	})
	miami := func(local string) time.Time { return at("America/New_York", local) }
	run(t, us("(305) 555-0123"), []dated{
		{"Miami at 20:30", miami("2026-09-15 20:30"), nil, compliance.OutsideHours, miami("2026-09-16 08:00")},
		{"Miami, fourth call in 24 hours", miami("2026-09-15 15:00"), func(in *compliance.Input) {
			for _, h := range []string{"2026-09-14 16:00", "2026-09-15 09:00", "2026-09-15 12:00"} {
				in.Attempts = append(in.Attempts, compliance.Attempt{At: miami(h)})
			}
		}, compliance.AttemptCap, miami("2026-09-15 16:00")},
	})
}

func TestUnitedKingdomAndDefault(t *testing.T) {
	uk := func(t *testing.T) compliance.Input {
		n, err := phone.Parse("+44 20 7946 0018", "")
		if err != nil {
			t.Fatal(err)
		}
		return compliance.Input{Number: n, Audience: compliance.B2C, Kind: compliance.CustomerCare}
	}
	london := func(local string) time.Time { return at("Europe/London", local) }
	run(t, uk, []dated{
		{"UK weekday", london("2026-09-15 10:00"), nil, compliance.Allowed, time.Time{}},
		{"71 hours after an abandoned call", london("2026-09-15 10:00"), func(in *compliance.Input) {
			in.Attempts = []compliance.Attempt{{At: london("2026-09-12 11:00"), Result: compliance.ResultAbandoned}}
		}, compliance.AbandonCooldown, london("2026-09-15 11:00")},
		{"73 hours after an abandoned call", london("2026-09-15 12:00"), func(in *compliance.Input) {
			in.Attempts = []compliance.Attempt{{At: london("2026-09-12 11:00"), Result: compliance.ResultAbandoned}}
		}, compliance.Allowed, time.Time{}},
		{"UK marketing needs a fresh TPS copy", london("2026-09-15 10:00"), func(in *compliance.Input) {
			in.Kind = compliance.Prospecting
		}, compliance.ListMissing, time.Time{}},
		{"Boxing Day", london("2026-12-28 10:00"), nil, compliance.Holiday, london("2026-12-29 09:00")},
	})
	morocco := func(t *testing.T) compliance.Input {
		n, err := phone.Parse("+212 6 12 34 56 78", "")
		if err != nil {
			t.Fatal(err)
		}
		return compliance.Input{Number: n, Audience: compliance.B2C, Kind: compliance.CustomerCare}
	}
	run(t, morocco, []dated{
		// Casablanca is UTC+0 during Ramadan 2026 (15 Feb – 21 Mar), UTC+1 otherwise.
		{"Casablanca in Ramadan: 08:30 UTC is 08:30 local", time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), nil,
			compliance.OutsideHours, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		{"Casablanca after Ramadan: 08:30 UTC is 09:30 local", time.Date(2026, 3, 23, 8, 30, 0, 0, time.UTC), nil,
			compliance.Allowed, time.Time{}},
	})
}

func TestRuleSetVersions(t *testing.T) {
	n := number(t, "06 12 34 56 78")
	before := compliance.Lookup(n.E164, n.Region, compliance.B2C, compliance.Prospecting, paris("2026-08-10 23:59"))
	after := compliance.Lookup(n.E164, n.Region, compliance.B2C, compliance.Prospecting, paris("2026-08-11 00:00"))
	if before.Name() != "FR-B2C-PROSPECTING@2023-03-01" || after.Name() != "FR-B2C-PROSPECTING@2026-08-11" {
		t.Fatalf("versions: %s then %s", before.Name(), after.Name())
	}
	sn, _ := phone.Parse("+221771234567", "")
	if rs := compliance.Lookup(sn.E164, sn.Region, compliance.B2B, compliance.Survey, paris("2026-09-15 10:00")); rs.ID != "DEFAULT" {
		t.Fatalf("Senegal: %s", rs.Name())
	}
	fl, _ := phone.Parse("+13055550123", "")
	if rs := compliance.Lookup(fl.E164, fl.Region, compliance.B2C, compliance.Prospecting, paris("2026-09-15 10:00")); rs.ID != "US-FL-TELEMARKETING" {
		t.Fatalf("Florida: %s", rs.Name())
	}
}

// TestFrenchOverseasLandlines: a landline written the French way is its
// territory's, with its clock and holidays: 11:00 in Paris is 05:00 in
// Martinique and 06:00 in Saint-Pierre, 19:30 in Paris is 20:30 in Mayotte.
func TestFrenchOverseasLandlines(t *testing.T) {
	in := func(raw string) func(*compliance.Input) {
		return func(in *compliance.Input) { in.Number = number(t, raw) }
	}
	run(t, frConsumer, []dated{
		{"Martinique landline at 05:00 there", paris("2026-09-15 11:00"), in("05 96 30 12 34"), compliance.OutsideHours,
			at("America/Martinique", "2026-09-15 10:00")},
		{"Martinique landline at 10:00 there", at("America/Martinique", "2026-09-15 10:00"), in("05 96 30 12 34"), compliance.Allowed, time.Time{}},
		{"Mayotte landline at 20:30 there", paris("2026-09-15 19:30"), in("02 69 61 23 45"), compliance.OutsideHours,
			at("Indian/Mayotte", "2026-09-16 10:00")},
		{"Mayotte landline on 27 April, its abolition day", at("Indian/Mayotte", "2027-04-27 11:00"), in("02 69 61 23 45"), compliance.Holiday,
			at("Indian/Mayotte", "2027-04-28 10:00")},
		{"Saint-Pierre landline at 06:00 there", paris("2026-09-15 11:00"), in("05 08 41 23 45"), compliance.OutsideHours,
			at("America/Miquelon", "2026-09-15 10:00")},
		{"Guyane mobile at 06:00 there", paris("2026-09-15 11:00"), in("06 94 20 12 34"), compliance.OutsideHours,
			at("America/Cayenne", "2026-09-15 10:00")},
	})
}

// TestNextAllowedIsInTheCalleesOffset: the next allowed time is printed in
// the callee's offset, whatever the zone of the history it comes from.
func TestNextAllowedIsInTheCalleesOffset(t *testing.T) {
	in := frConsumer(t)
	in.Number = number(t, "0696 12 34 56")
	utc := func(local string) time.Time { return at("UTC", local) }
	for _, a := range []string{"2026-08-17 15:00", "2026-09-01 15:00", "2026-09-10 15:00", "2026-09-14 15:00"} {
		in.Attempts = append(in.Attempts, compliance.Attempt{At: utc(a)})
	}
	d := compliance.Decide(in, at("America/Martinique", "2026-09-15 10:30"))
	if d.Reason != compliance.AttemptCap || d.NextAllowedAt == nil {
		t.Fatalf("%+v", d)
	}
	if got := d.NextAllowedAt.Format(time.RFC3339); got != "2026-09-16T11:00:00-04:00" {
		t.Fatalf("next allowed at %s, want 2026-09-16T11:00:00-04:00 (16 September 15:00 UTC, in Martinique)", got)
	}
	in.Attempts = nil
	in.Refusals = []time.Time{utc("2026-07-18 02:00")} // 17 July, 22:00 in Martinique
	d = compliance.Decide(in, at("America/Martinique", "2026-09-15 10:30"))
	if d.Reason != compliance.RefusalCooldown || d.NextAllowedAt == nil || d.NextAllowedAt.Format(time.RFC3339) != "2026-09-16T10:00:00-04:00" {
		t.Fatalf("after a refusal on 17 July in Martinique: %+v", d)
	}
	if !strings.Contains(d.Explanation.FR, "17/07/2026") || !strings.Contains(d.Explanation.EN, "2026-07-17") {
		t.Fatalf("the refusal's date is the callee's: %+v", d.Explanation)
	}
}

// TestWithdrawalIsAnObjection: a withdrawn consent is also an objection
// (GDPR art. 7(3), 21(3)): the number is blocked for the client whatever
// the date and the legal basis — B2B, a contract in progress, service
// calls, collection, before the consent law, years later — until the
// callee consents again.
func TestWithdrawalIsAnObjection(t *testing.T) {
	withdrawn := func(in *compliance.Input) {
		w := paris("2024-05-02 10:00")
		in.Consents = []compliance.Consent{{CapturedAt: paris("2024-01-10 09:00"), WithdrawnAt: &w, Kinds: []compliance.Kind{compliance.Survey}}}
	}
	and := func(more func(*compliance.Input)) func(*compliance.Input) {
		return func(in *compliance.Input) { withdrawn(in); more(in) }
	}
	run(t, frConsumer, []dated{
		{"prospecting, years later", paris("2028-09-12 11:00"), withdrawn, compliance.ConsentWithdrawn, time.Time{}},
		{"before the consent law, Bloctel-clean", paris("2024-09-10 11:00"), and(func(in *compliance.Input) {
			in.National["FR-BLOCTEL"] = compliance.NationalCheck{FreshAt: paris("2024-09-01 00:00")}
		}), compliance.ConsentWithdrawn, time.Time{}},
		{"a contract in progress", paris("2026-09-15 11:00"), and(func(in *compliance.Input) { in.ContractInProgress = true }),
			compliance.ConsentWithdrawn, time.Time{}},
		{"B2B", paris("2026-09-15 11:00"), and(func(in *compliance.Input) { in.Audience = compliance.B2B }),
			compliance.ConsentWithdrawn, time.Time{}},
		{"customer care", paris("2026-09-15 11:00"), and(func(in *compliance.Input) {
			in.Kind, in.ContractInProgress = compliance.CustomerCare, true
		}), compliance.ConsentWithdrawn, time.Time{}},
		{"debt collection", paris("2026-09-15 11:00"), and(func(in *compliance.Input) { in.Kind = compliance.DebtCollection }),
			compliance.ConsentWithdrawn, time.Time{}},
		{"outside the hours too: no next time", paris("2026-09-15 21:00"), withdrawn, compliance.ConsentWithdrawn, time.Time{}},
		{"before the withdrawal", paris("2024-04-30 11:00"), and(func(in *compliance.Input) {
			in.National["FR-BLOCTEL"] = compliance.NationalCheck{FreshAt: paris("2024-04-20 00:00")}
		}), compliance.Allowed, time.Time{}},
		{"a new consent after the withdrawal", paris("2026-09-15 11:00"), and(func(in *compliance.Input) {
			in.Consents = append(in.Consents, compliance.Consent{CapturedAt: paris("2026-09-01 10:00")})
		}), compliance.Allowed, time.Time{}},
		{"a new consent to another kind still lifts the objection, not the consent rule", paris("2026-09-15 11:00"),
			and(func(in *compliance.Input) {
				in.Consents = append(in.Consents, compliance.Consent{CapturedAt: paris("2026-09-01 10:00"), Kinds: []compliance.Kind{compliance.Survey}})
			}), compliance.NoConsent, time.Time{}},
	})
	us := func(t *testing.T) compliance.Input {
		n, err := phone.Parse("+1 310 555 1234", "")
		if err != nil {
			t.Fatal(err)
		}
		return compliance.Input{Number: n, Audience: compliance.B2B, Kind: compliance.CustomerCare}
	}
	run(t, us, []dated{
		{"a US business line, customer care", at("America/Los_Angeles", "2026-09-15 10:00"), withdrawn, compliance.ConsentWithdrawn, time.Time{}},
	})
}

// TestOutOfHoursConsent: the decree's second paragraph — a consumer's
// express prior consent, recorded as its own kind with its proof, allows
// calls outside the decree's days and hours (weekends and public holidays
// included, Plateau's holiday extension too); the attempt cap, the
// cooling-off after a refusal and a withdrawal still hold, and rule sets
// whose hours are not the decree's (B2B, collection) are not lifted.
func TestOutOfHoursConsent(t *testing.T) {
	outOfHours := func(in *compliance.Input) {
		in.Consents = []compliance.Consent{{CapturedAt: paris("2026-01-10 09:00"), Kinds: []compliance.Kind{compliance.Prospecting, compliance.OutOfHours}}}
	}
	and := func(more func(*compliance.Input)) func(*compliance.Input) {
		return func(in *compliance.Input) { outOfHours(in); more(in) }
	}
	run(t, frConsumer, []dated{
		{"Saturday", paris("2026-09-19 11:00"), outOfHours, compliance.Allowed, time.Time{}},
		{"Tuesday 21:00", paris("2026-09-15 21:00"), outOfHours, compliance.Allowed, time.Time{}},
		{"lunch break", paris("2026-09-15 13:30"), outOfHours, compliance.Allowed, time.Time{}},
		{"11 November, a holiday of the decree", paris("2026-11-11 15:00"), outOfHours, compliance.Allowed, time.Time{}},
		{"Good Friday, Plateau's extension", paris("2027-03-26 11:00"), outOfHours, compliance.Allowed, time.Time{}},
		{"only the out-of-hours kind: every kind of call, out of hours too", paris("2026-09-19 11:00"), func(in *compliance.Input) {
			in.Consents = []compliance.Consent{{CapturedAt: paris("2026-01-10 09:00"), Kinds: []compliance.Kind{compliance.OutOfHours}}}
		}, compliance.Allowed, time.Time{}},
		{"a consent to every kind is not one to out-of-hours calls", paris("2026-09-19 11:00"), nil, compliance.DayNotAllowed,
			paris("2026-09-21 10:00")},
		{"out of hours for surveys only", paris("2026-09-19 11:00"), func(in *compliance.Input) {
			in.Consents = append(in.Consents, compliance.Consent{CapturedAt: paris("2026-01-10 09:00"),
				Kinds: []compliance.Kind{compliance.Survey, compliance.OutOfHours}})
		}, compliance.DayNotAllowed, paris("2026-09-21 10:00")},
		{"given later that day: allowed from then", paris("2026-09-19 11:00"), func(in *compliance.Input) {
			in.Consents = append(in.Consents, compliance.Consent{CapturedAt: paris("2026-09-19 15:00"), Kinds: []compliance.Kind{compliance.OutOfHours}})
		}, compliance.DayNotAllowed, paris("2026-09-19 15:00")},
		{"the cap still holds", paris("2026-09-19 11:00"), and(func(in *compliance.Input) {
			for _, d := range []string{"2026-09-01", "2026-09-05", "2026-09-10", "2026-09-18"} {
				in.Attempts = append(in.Attempts, compliance.Attempt{At: paris(d + " 21:00")})
			}
		}), compliance.AttemptCap, paris("2026-10-01 21:00")},
		{"the cooling-off still holds", paris("2026-09-19 11:00"), and(func(in *compliance.Input) {
			in.Refusals = []time.Time{paris("2026-09-01 21:00")}
		}), compliance.RefusalCooldown, paris("2026-11-01 00:00")}, // 2 September + 60 days: 1 November, a Sunday and a holiday
		{"a withdrawal is an objection", paris("2026-09-19 11:00"), and(func(in *compliance.Input) {
			w := paris("2026-09-02 10:00")
			in.Consents[0].WithdrawnAt = &w
		}), compliance.ConsentWithdrawn, time.Time{}},
		{"customer care keeps the decree's hours, and their exception", paris("2026-09-19 11:00"), and(func(in *compliance.Input) {
			in.Kind = compliance.CustomerCare
			in.Consents[0].Kinds = []compliance.Kind{compliance.OutOfHours}
		}), compliance.Allowed, time.Time{}},
		{"B2B business hours are not the decree's", paris("2026-09-15 19:00"), and(func(in *compliance.Input) {
			in.Audience = compliance.B2B
		}), compliance.OutsideHours, paris("2026-09-16 09:00")},
		{"collection hours are not the decree's", paris("2026-09-20 11:00"), and(func(in *compliance.Input) {
			in.Kind = compliance.DebtCollection
		}), compliance.DayNotAllowed, paris("2026-09-21 08:00")},
	})
	d := compliance.Decide(func() compliance.Input { in := frConsumer(t); outOfHours(&in); return in }(), paris("2026-09-19 11:00"))
	if !strings.Contains(d.Explanation.FR, "consentement exprès") || !strings.Contains(d.Explanation.EN, "express prior consent") {
		t.Errorf("allowed out of hours: the explanation should say why: %+v", d.Explanation)
	}
}

func TestConsentKinds(t *testing.T) {
	if k, err := compliance.ParseConsentKind("out_of_hours"); err != nil || k != compliance.OutOfHours {
		t.Errorf("ParseConsentKind(out_of_hours): %v %v", k, err)
	}
	if _, err := compliance.ParseKind("out_of_hours"); err == nil {
		t.Error("out_of_hours is no campaign kind")
	}
	if _, err := compliance.ParseConsentKind("overtime"); err == nil || !strings.Contains(err.Error(), "out_of_hours") {
		t.Errorf("ParseConsentKind(overtime): %v", err)
	}
	at := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	rec, f := compliance.NewConsent{Phone: "0612345678", Source: "web form", CapturedAt: &at, ProofRef: "form-42",
		Kinds: []string{"prospecting", "out_of_hours"}}.Validate("", "FR", at)
	if len(f) != 0 || len(rec.Kinds) != 2 || rec.Kinds[1] != compliance.OutOfHours {
		t.Errorf("a consent to out-of-hours calls: %+v %v", rec, f)
	}
}

// TestHolidaysNameTheirLaw: the decree's holidays are the 11 of Code du
// travail L3133-1; the others Plateau keeps (Alsace-Moselle's Good Friday
// and 26 December, the overseas abolition days) are its stricter
// extension, and the decision says so, with that rule and source.
func TestHolidaysNameTheirLaw(t *testing.T) {
	for _, c := range []struct {
		name      string
		raw       string
		now       time.Time
		extension bool
		words     []string // in the French and English explanations
	}{
		{"Christmas", "06 12 34 56 78", paris("2026-12-25 11:00"), false, []string{"Noël", "L3133-1"}},
		{"14 July", "06 12 34 56 78", paris("2026-07-14 11:00"), false, []string{"Fête Nationale", "L3133-1"}},
		{"Good Friday", "06 12 34 56 78", paris("2027-03-26 11:00"), true, []string{"Vendredi saint", "Alsace-Moselle", "L3134-13"}},
		{"26 December", "06 12 34 56 78", paris("2028-12-26 11:00"), true, []string{"Saint-Étienne", "Alsace-Moselle", "L3134-13"}},
		{"22 May in Martinique", "06 96 12 34 56", at("America/Martinique", "2026-05-22 11:00"), true,
			[]string{"Abolition de l'esclavage (Martinique)", "L3422-2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := frConsumer(t)
			in.Number = number(t, c.raw)
			in.National["FR-BLOCTEL"] = compliance.NationalCheck{FreshAt: c.now.Add(-24 * time.Hour)}
			d := compliance.Decide(in, c.now)
			if d.Reason != compliance.Holiday {
				t.Fatalf("%+v", d)
			}
			for _, w := range c.words {
				if !strings.Contains(d.Explanation.FR, w) || !strings.Contains(d.Explanation.EN, w) {
					t.Errorf("the explanation lacks %q: %+v", w, d.Explanation)
				}
			}
			ext := strings.Contains(d.Explanation.FR, "extension") && strings.Contains(d.Explanation.EN, "extension")
			if ext != c.extension || strings.Contains(d.Source, "2022-1313") == c.extension || strings.Contains(d.Rule, "extension") != c.extension {
				t.Errorf("extension %v: rule %q, source %q, explanation %+v", c.extension, d.Rule, d.Source, d.Explanation)
			}
		})
	}
}
