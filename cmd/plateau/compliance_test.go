package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestComplianceDecide is what support staff do to answer "why wasn't this
// called?": the decision as JSON, for a client or for the platform.
func TestComplianceDecide(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, fresh dbtest.DB) {
		db := "--database-url=" + fresh.URL
		// A French consumer, for prospecting, on Tuesday 15 September 2026.
		question := func(at string, more ...string) []string {
			return append([]string{"compliance", "decide", db, "--number", "06 12 34 56 78", "--country", "FR",
				"--audience", "b2c", "--kind", "prospecting", "--at", at, "--caller-id", "+33162000001"}, more...)
		}
		decide := func(args ...string) compliance.Decision {
			t.Helper()
			code, out, errOut := plateau(t, args...)
			if code != 0 {
				t.Fatalf("plateau %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
			}
			var d compliance.Decision
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatalf("plateau %s printed no decision: %v\n%s", strings.Join(args, " "), err, out)
			}
			return d
		}
		refused := func(want string, args ...string) {
			t.Helper()
			code, out, errOut := plateau(t, args...)
			if code == 0 || !strings.Contains(errOut, want) || out != "" {
				t.Errorf("plateau %s: exit %d, want a failure naming %q\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
			}
		}

		refused("no platform org", question("2026-09-15T11:00:00+02:00")...)

		var platformOrg, client, center tenancy.Org
		mustJSON(t, &platformOrg, "org", "create", db, "--kind", "platform", "--name", "Plateau", "--country", "FR")
		mustJSON(t, &client, "org", "create", db, "--kind", "client", "--name", "Maison Lumière", "--country", "FR")
		mustJSON(t, &center, "org", "create", db, "--kind", "center", "--name", "Atlas Contact", "--country", "MA")
		asClient := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(client, "test"))
		captured := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		svc := store.NewServices(fresh.App, nationallist.NewRegistry(), slog.Default())
		if _, err := svc.Compliance.RecordConsents(asClient, "FR", []compliance.NewConsent{{Phone: "0612345678", Source: "web form", CapturedAt: &captured}}); err != nil {
			t.Fatal(err)
		}

		// Allowed: the client holds the callee's consent; 11:00 Paris on a weekday.
		d := decide(question("2026-09-15T11:00:00+02:00", "--client", client.ID.String())...)
		if !d.Allowed || d.Reason != compliance.Allowed || d.RuleSet != "FR-B2C-PROSPECTING@2026-08-11" ||
			d.NextAllowedAt != nil || d.CalleeRegion != "FR" || len(d.CalleeZones) == 0 || d.CalleeZones[0] != "Europe/Paris" {
			t.Errorf("with the client's consent at 11:00: %+v", d)
		}
		// The platform holds no consent of its own.
		if d := decide(question("2026-09-15T11:00:00+02:00")...); d.Allowed || d.Reason != compliance.NoConsent {
			t.Errorf("as the platform: %+v, want no_consent", d)
		}
		// A B2B call at 09:00 needs no consent, as the platform too.
		b2b := decide("compliance", "decide", db, "--number", "+33 1 42 68 53 00", "--country", "FR", "--audience", "b2b",
			"--kind", "prospecting", "--at", "2026-09-15T07:00:00Z", "--json")
		if !b2b.Allowed || b2b.RuleSet != "FR-B2B@2023-03-01" {
			t.Errorf("B2B at 09:00 Paris: %+v", b2b)
		}

		// The lunch break: 13:00 is closed, 14:00 Paris is the next allowed time.
		d = decide(question("2026-09-15T13:00:00+02:00", "--client", client.ID.String())...)
		want := time.Date(2026, 9, 15, 14, 0, 0, 0, time.FixedZone("CEST", 2*3600))
		if d.Allowed || d.Reason != compliance.OutsideHours || d.NextAllowedAt == nil || !d.NextAllowedAt.Equal(want) ||
			!strings.Contains(d.Explanation.FR, "14:00") || d.Source == "" {
			t.Errorf("in the lunch break: %+v, want outside_hours until %s", d, want)
		}

		// The callee tells the client "do not call me": blocked, with no next time.
		if _, err := svc.Compliance.AddSuppressions(asClient, "FR", []compliance.NewSuppression{{Phone: "+33612345678", Reason: "asked on the phone"}}); err != nil {
			t.Fatal(err)
		}
		d = decide(question("2026-09-15T11:00:00+02:00", "--client", client.ID.String())...)
		if d.Allowed || d.Reason != compliance.SuppressedClient || d.NextAllowedAt != nil {
			t.Errorf("after the client's opt-out: %+v, want suppressed_client", d)
		}
		// The client's list is the client's: the platform's answer is unchanged.
		if d := decide(question("2026-09-15T11:00:00+02:00")...); d.Reason != compliance.NoConsent {
			t.Errorf("as the platform after the client's opt-out: %+v, want no_consent", d)
		}
		// Asking records no evidence.
		ev, _, err := svc.Compliance.EvidenceFor(asClient, "", nil, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev) != 0 {
			t.Errorf("plateau compliance decide recorded evidence: %+v", ev)
		}

		// Bad flags say which flag to fix.
		refused("--at", question("2026-09-15T11:00:00")...)
		refused("--at", question("tomorrow")...)
		refused(`"at" not set`, "compliance", "decide", db, "--number", "0612345678", "--country", "FR", "--audience", "b2c", "--kind", "prospecting")
		refused("--audience", append(question("2026-09-15T11:00:00Z"), "--audience", "b2x")...)
		refused("--kind", append(question("2026-09-15T11:00:00Z"), "--kind", "cold_calling")...)
		refused("--number", append(question("2026-09-15T11:00:00Z"), "--number", "06 12")...)
		refused("--country", append(question("2026-09-15T11:00:00Z"), "--country", "XX")...)
		refused("--lead-timezone", append(question("2026-09-15T11:00:00Z"), "--lead-timezone", "Europe/Lutece")...)
		refused("--caller-id", append(question("2026-09-15T11:00:00Z"), "--caller-id", "hidden")...)
		refused("--client", append(question("2026-09-15T11:00:00Z"), "--client", "maison-lumiere")...)
		refused("no such org", append(question("2026-09-15T11:00:00Z"), "--client", uuid.Must(uuid.NewV7()).String())...)
		refused("a center org", append(question("2026-09-15T11:00:00Z"), "--client", center.ID.String())...)
		// Before any rule set is in force for the callee: refused, naming the
		// first day the rules cover (not a crash).
		refused("2023-03-01", question("2023-02-28T11:00:00+01:00")...)
		refused("2024-01-01", "compliance", "decide", db, "--number", "+1 310 555 1234", "--country", "US", "--audience", "b2c",
			"--kind", "prospecting", "--at", "2023-03-01T12:00:00Z")
		refused("at most 15 digits", append(question("2026-09-15T11:00:00Z"), "--number", "+49 30 123456789012")...)
	})
}

func TestComplianceDecideExplainsItself(t *testing.T) {
	code, out, _ := plateau(t, "compliance", "decide", "--help")
	for _, flag := range []string{"Usage:", "--number", "--country", "--audience", "--kind", "--at", "--client", "--caller-id",
		"--lead-timezone", "--sector", "--database-url"} {
		if code != 0 || !strings.Contains(out, flag) {
			t.Errorf("compliance decide --help: exit %d, lacks %s\n%s", code, flag, out)
		}
	}
}
