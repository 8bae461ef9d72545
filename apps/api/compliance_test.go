package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// A French consumer called for prospecting on a Tuesday at 11:00 Paris,
// after the consent law came into force (11 August 2026), from a number of
// the prospecting ranges.
const (
	calleeNational = "06 12 34 56 78"
	callee         = "+33612345678"
	tuesday11      = "2026-09-15T11:00:00+02:00"
)

func question(number, at string) map[string]any {
	q := map[string]any{"number": number, "country": "FR", "audience": "b2c", "kind": "prospecting",
		"caller_id": "+33162000001"}
	if at != "" {
		q["at"] = at
	}
	return q
}

type decision struct {
	Allowed     bool    `json:"allowed"`
	Reason      string  `json:"reason"`
	Rule        string  `json:"rule"`
	Source      string  `json:"source"`
	RuleSet     string  `json:"rule_set"`
	NextAllowed *string `json:"next_allowed_at"`
	Explanation struct {
		FR string `json:"fr"`
		EN string `json:"en"`
	} `json:"explanation"`
	CalleeRegion string   `json:"callee_region"`
	CalleeZones  []string `json:"callee_zones"`
}

func decide(t *testing.T, e *platformtest.Env, key string, q map[string]any) decision {
	t.Helper()
	return must[decision](t, e, http.MethodPost, "/api/v1/compliance/decisions", key, q, http.StatusOK)
}

type consent struct {
	ID          string   `json:"id"`
	Phone       string   `json:"phone"`
	Source      string   `json:"source"`
	CapturedAt  string   `json:"captured_at"`
	Kinds       []string `json:"kinds"`
	WithdrawnAt *string  `json:"withdrawn_at"`
}

type consents struct {
	Recorded   int       `json:"recorded"`
	Data       []consent `json:"data"`
	NextCursor *string   `json:"next_cursor"`
}

type suppressions struct {
	Data []struct {
		ID    string `json:"id"`
		List  string `json:"list"`
		Phone string `json:"phone"`
	} `json:"data"`
}

type added struct {
	Received      int `json:"received"`
	Added         int `json:"added"`
	AlreadyListed int `json:"already_listed"`
}

func recordConsent(t *testing.T, e *platformtest.Env, key, number string) consents {
	t.Helper()
	return must[consents](t, e, http.MethodPost, "/api/v1/consents", key, map[string]any{"country": "FR",
		"items": []map[string]any{{"phone": number, "source": "web form", "captured_at": "2026-09-01T10:00:00+02:00",
			"proof_ref": "form-123", "kinds": []string{"prospecting"}}}}, http.StatusCreated)
}

func TestConsentThenWithdrawalFlipsTheDecision(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		q := question(calleeNational, tuesday11)
		if d := decide(t, e, ml.Key, q); d.Allowed || d.Reason != "no_consent" || d.NextAllowed != nil ||
			d.RuleSet != "FR-B2C-PROSPECTING@2026-08-11" || !strings.Contains(d.Source, "2025-594") || d.CalleeRegion != "FR" {
			t.Fatalf("before any consent: %+v, want no_consent under the 2026 rules", d)
		}

		got := recordConsent(t, e, ml.Key, calleeNational)
		if got.Recorded != 1 || len(got.Data) != 1 || got.Data[0].Phone != callee || got.Data[0].WithdrawnAt != nil {
			t.Fatalf("recorded: %+v", got)
		}
		d := decide(t, e, ml.Key, q)
		if !d.Allowed || d.Reason != "allowed" || d.NextAllowed != nil || d.Rule != "" ||
			len(d.CalleeZones) == 0 || d.CalleeZones[0] != "Europe/Paris" {
			t.Fatalf("with consent: %+v, want allowed", d)
		}
		// The same question in the callee's lunch break says when.
		lunch := decide(t, e, ml.Key, question(callee, "2026-09-15T13:15:00+02:00"))
		if lunch.Allowed || lunch.Reason != "outside_hours" || lunch.NextAllowed == nil {
			t.Fatalf("lunch break: %+v", lunch)
		}
		if next, _ := time.Parse(time.RFC3339, *lunch.NextAllowed); !next.Equal(time.Date(2026, 9, 15, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("lunch break: next_allowed_at %s, want 14:00 Paris", *lunch.NextAllowed)
		}

		listed := get[consents](t, e, "/api/v1/consents?phone="+strings.ReplaceAll(calleeNational, " ", ""), ml.Key)
		if len(listed.Data) != 1 || listed.Data[0].ID != got.Data[0].ID {
			t.Fatalf("consents of the number: %+v", listed)
		}

		// The callee withdraws (dated before the question): the next decision sees it.
		w := must[struct {
			Phone     string `json:"phone"`
			Withdrawn int    `json:"withdrawn"`
		}](t, e, http.MethodPost, "/api/v1/consents/withdraw", ml.Key,
			map[string]any{"phone": calleeNational, "country": "FR", "at": "2026-09-10T09:00:00+02:00"}, http.StatusOK)
		if w.Phone != callee || w.Withdrawn != 1 {
			t.Fatalf("withdrawal: %+v", w)
		}
		// A withdrawal is also an objection: the number is on the client's
		// opt-out list, saying why.
		if d := decide(t, e, ml.Key, q); d.Allowed || d.Reason != "suppressed_client" {
			t.Fatalf("after the withdrawal: %+v, want suppressed_client", d)
		}
		if list := get[suppressions](t, e, "/api/v1/suppressions", ml.Key); len(list.Data) != 1 || list.Data[0].Phone != callee ||
			list.Data[0].List != "client" {
			t.Fatalf("the opt-out list after the withdrawal: %+v", list)
		}
		// Taken off the list, the number is still blocked by the withdrawal.
		list := get[suppressions](t, e, "/api/v1/suppressions", ml.Key)
		if status, raw := call(t, e, http.MethodDelete, "/api/v1/suppressions/"+list.Data[0].ID, ml.Key, nil); status != http.StatusNoContent {
			t.Fatalf("removal: %d\n%s", status, raw)
		}
		if d := decide(t, e, ml.Key, q); d.Allowed || d.Reason != "consent_withdrawn" || d.NextAllowed != nil {
			t.Fatalf("after the withdrawal, off the list: %+v, want consent_withdrawn", d)
		}
		// A new consent, then a withdrawal without a date: honoured at once,
		// so a question about now is refused whatever the hour.
		recordConsent(t, e, ml.Key, callee)
		must[map[string]any](t, e, http.MethodPost, "/api/v1/consents/withdraw", ml.Key, map[string]any{"phone": callee}, http.StatusOK)
		if d := decide(t, e, ml.Key, question(callee, "")); d.Reason != "suppressed_client" {
			t.Fatalf("now, after a withdrawal now: %+v, want suppressed_client", d)
		}
		status, raw := call(t, e, http.MethodPost, "/api/v1/consents/withdraw", ml.Key, map[string]any{"phone": callee})
		wantProblem(t, "withdrawing again", status, raw, http.StatusNotFound, "")
		status, raw = call(t, e, http.MethodPost, "/api/v1/consents/withdraw", ml.Key,
			map[string]any{"phone": callee, "at": time.Now().Add(time.Hour).Format(time.RFC3339)})
		wantProblem(t, "a withdrawal in the future", status, raw, http.StatusUnprocessableEntity, "at")
		if listed := get[consents](t, e, "/api/v1/consents?phone="+callee, ml.Key); len(listed.Data) != 2 ||
			listed.Data[0].WithdrawnAt == nil || listed.Data[1].WithdrawnAt == nil {
			t.Errorf("both records should be withdrawn: %+v", listed)
		}
	})
}

func TestDecisionInputIsCheckedFieldByField(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		with := func(k string, v any) map[string]any {
			q := question(callee, tuesday11)
			q[k] = v
			return q
		}
		cases := []struct {
			name  string
			body  any
			field string
		}{
			{"a time without zone", with("at", "2026-09-15T11:00:00"), "at"},
			{"not a time", with("at", "next Tuesday"), "at"},
			{"a date only", with("at", "2026-09-15"), "at"},
			{"a time as a number", with("at", 1789), "at"},
			{"an attempt without zone", with("attempts", []map[string]string{{"at": "2026-09-14T10:00:00", "result": "answered"}}), "attempts[0].at"},
			{"an attempt's result", with("attempts", []map[string]string{{"at": "2026-09-14T10:00:00Z", "result": "Answered!"}}), "attempts[0].result"},
			{"a refusal without zone", with("refusals", []string{"2026-09-14T10:00:00Z", "2026-09-14 10:00"}), "refusals[1]"},
			{"an impossible number", with("number", "06 12"), "number"},
			{"an unknown country", with("country", "XX"), "country"},
			{"an unknown audience", with("audience", "b2x"), "audience"},
			{"an unknown kind", with("kind", "cold_calling"), "kind"},
			{"an unknown zone", with("lead_timezone", "Europe/Lutece"), "lead_timezone"},
			{"a caller id that is no number", with("caller_id", "hidden"), "caller_id"},
			{"an unknown field", with("campaign", "x"), "campaign"},
		}
		for _, c := range cases {
			status, raw := call(t, e, http.MethodPost, "/api/v1/compliance/decisions", ml.Key, c.body)
			wantProblem(t, c.name, status, raw, http.StatusUnprocessableEntity, c.field)
		}
		// Every problem at once: the time and the audience.
		q := with("at", "2026-09-15T11:00:00")
		q["audience"] = "b2x"
		status, raw := call(t, e, http.MethodPost, "/api/v1/compliance/decisions", ml.Key, q)
		p := wantProblem(t, "two problems", status, raw, http.StatusUnprocessableEntity, "")
		var paths []string
		for _, f := range p.Errors {
			paths = append(paths, f.Path)
		}
		if strings.Join(paths, ",") != "audience,at" {
			t.Errorf("two problems: errors name %v, want audience and at", paths)
		}
		// A role without compliance:read is refused.
		billing := newKey(t, e, ml.Key, "billing")
		status, raw = call(t, e, http.MethodPost, "/api/v1/compliance/decisions", billing.Key, question(callee, tuesday11))
		wantProblem(t, "billing asking", status, raw, http.StatusForbidden, "")
	})
}

func TestOptOutBlocksUntilRemoved(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		recordConsent(t, e, ml.Key, callee)
		q := question(callee, tuesday11)
		if d := decide(t, e, ml.Key, q); !d.Allowed {
			t.Fatalf("with consent: %+v", d)
		}
		optOut := map[string]any{"country": "FR", "items": []map[string]string{{"phone": calleeNational, "reason": "asked on the phone", "source": "call"}}}
		if got := must[added](t, e, http.MethodPost, "/api/v1/suppressions", ml.Key, optOut, http.StatusOK); got != (added{1, 1, 0}) {
			t.Fatalf("first opt-out: %+v", got)
		}
		if got := must[added](t, e, http.MethodPost, "/api/v1/suppressions", ml.Key, optOut, http.StatusOK); got != (added{1, 0, 1}) {
			t.Fatalf("the same opt-out again: %+v, want nothing new", got)
		}
		d := decide(t, e, ml.Key, q)
		if d.Allowed || d.Reason != "suppressed_client" || d.NextAllowed != nil || d.Source == "" || d.Explanation.EN == "" {
			t.Fatalf("after the opt-out: %+v, want suppressed_client", d)
		}
		list := get[suppressions](t, e, "/api/v1/suppressions", ml.Key)
		if len(list.Data) != 1 || list.Data[0].Phone != callee || list.Data[0].List != "client" {
			t.Fatalf("the list: %+v", list)
		}
		if status, raw := call(t, e, http.MethodDelete, "/api/v1/suppressions/"+list.Data[0].ID, ml.Key, nil); status != http.StatusNoContent {
			t.Fatalf("removal: %d\n%s", status, raw)
		}
		if d := decide(t, e, ml.Key, q); !d.Allowed {
			t.Fatalf("after removal: %+v, want allowed", d)
		}
		status, raw := call(t, e, http.MethodDelete, "/api/v1/suppressions/"+list.Data[0].ID, ml.Key, nil)
		wantProblem(t, "removing again", status, raw, http.StatusNotFound, "")

		analyst := newKey(t, e, ml.Key, "analyst")
		status, raw = call(t, e, http.MethodPost, "/api/v1/suppressions", analyst.Key, optOut)
		wantProblem(t, "an analyst adding", status, raw, http.StatusForbidden, "")
		get[suppressions](t, e, "/api/v1/suppressions", analyst.Key) // reading is theirs
	})
}

func TestBatchesAreAllOrNothing(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		events := len(ids(t, e, "/api/v1/audit-events", ml.Key))
		good := func(i int) map[string]any {
			return map[string]any{"phone": fmt.Sprintf("06 10 00 00 %02d", i), "source": "checkout", "captured_at": "2026-09-01T10:00:00Z"}
		}
		items := []map[string]any{good(0), good(1), good(2), good(3)}
		items[2]["phone"] = "06 12"
		batch := func(items ...map[string]any) map[string]any { return map[string]any{"country": "FR", "items": items} }
		many := make([]map[string]any, 10_001)
		for i := range many {
			many[i] = map[string]any{"phone": fmt.Sprintf("+3361%07d", i)}
		}
		noZone := good(1)
		noZone["captured_at"] = "2026-09-01T10:00:00"
		noSource := good(1)
		delete(noSource, "source")
		cases := []struct {
			name, path string
			body       any
			field      string
		}{
			{"one bad number among good ones", "/api/v1/consents", batch(items...), "items[2].phone"},
			{"a lone bad number", "/api/v1/consents", batch(map[string]any{"phone": "06 12", "source": "x", "captured_at": "2026-09-01T10:00:00Z"}), "items[0].phone"},
			{"a capture time without zone", "/api/v1/consents", batch(good(0), noZone), "items[1].captured_at"},
			{"a consent without source", "/api/v1/consents", batch(good(0), noSource), "items[1].source"},
			{"an unknown kind", "/api/v1/consents", batch(map[string]any{"phone": callee, "source": "x", "captured_at": "2026-09-01T10:00:00Z", "kinds": []string{"spam"}}), "items[0].kinds[0]"},
			{"withdrawn before captured", "/api/v1/consents", batch(map[string]any{"phone": callee, "source": "x", "captured_at": "2026-09-01T10:00:00Z", "withdrawn_at": "2026-08-01T10:00:00Z"}), "items[0].withdrawn_at"},
			{"no consent", "/api/v1/consents", batch(), "items"},
			{"a bad country", "/api/v1/consents", map[string]any{"country": "France", "items": items[:1]}, "country"},
			{"one bad opt-out among good ones", "/api/v1/suppressions", batch(map[string]any{"phone": callee}, map[string]any{"phone": "+33 6 12 34 56 79"}, map[string]any{"phone": "not a number"}), "items[2].phone"},
			{"too many opt-outs", "/api/v1/suppressions", batch(many...), "items"},
		}
		for _, c := range cases {
			status, raw := call(t, e, http.MethodPost, c.path, ml.Key, c.body)
			wantProblem(t, c.name, status, raw, http.StatusUnprocessableEntity, c.field)
		}
		if got := get[consents](t, e, "/api/v1/consents", ml.Key); len(got.Data) != 0 {
			t.Errorf("refused batches recorded consents: %+v", got)
		}
		if got := get[suppressions](t, e, "/api/v1/suppressions", ml.Key); len(got.Data) != 0 {
			t.Errorf("refused batches added opt-outs: %+v", got)
		}
		if after := len(ids(t, e, "/api/v1/audit-events", ml.Key)); after != events {
			t.Errorf("refused batches left %d audit events", after-events)
		}

		// The largest batch goes through whole.
		if got := must[added](t, e, http.MethodPost, "/api/v1/suppressions", ml.Key, batch(many[:10_000]...), http.StatusOK); got != (added{10_000, 10_000, 0}) {
			t.Errorf("10 000 opt-outs: %+v", got)
		}
		if got := must[consents](t, e, http.MethodPost, "/api/v1/consents", ml.Key, batch(good(0), good(1), good(3)), http.StatusCreated); got.Recorded != 3 {
			t.Errorf("3 consents: %+v", got)
		}
	})
}

type centerProfile struct {
	OrgID            string   `json:"org_id"`
	Country          string   `json:"country"`
	SCCModule        string   `json:"scc_module"`
	Authority        string   `json:"authority"`
	AuthorityRef     string   `json:"authority_ref"`
	Documents        []string `json:"documents"`
	VerifiedAt       *string  `json:"verified_at"`
	MayProcessEUData bool     `json:"may_process_eu_data"`
	Missing          *string  `json:"missing"`
}

func TestCenterProfile(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		for _, method := range []string{http.MethodGet, http.MethodPatch} {
			status, raw := call(t, e, method, "/api/v1/center-profile", ml.Key, map[string]any{"authority_ref": "x"})
			wantProblem(t, "a client: "+method, status, raw, http.StatusForbidden, "")
		}

		empty := get[centerProfile](t, e, "/api/v1/center-profile", atlas.Key)
		if empty.OrgID != atlas.Org.ID.String() || empty.Country != "MA" || empty.Authority != "CNDP" || empty.MayProcessEUData ||
			empty.Missing == nil || !strings.Contains(*empty.Missing, "CNDP reference") || !strings.Contains(*empty.Missing, "standard contractual clauses") {
			t.Fatalf("a Moroccan center's empty profile: %+v", empty)
		}
		edit := func(body any) centerProfile {
			t.Helper()
			return must[centerProfile](t, e, http.MethodPatch, "/api/v1/center-profile", atlas.Key, body, http.StatusOK)
		}
		p := edit(map[string]any{"scc_signed_at": "2026-01-05T00:00:00Z", "scc_module": "2", "tia_on_file": true,
			"documents": []string{"scc-2026.pdf", "tia-2026.pdf"}})
		if p.MayProcessEUData || p.Missing == nil || !strings.Contains(*p.Missing, "CNDP reference") ||
			strings.Contains(*p.Missing, "standard contractual clauses") || len(p.Documents) != 2 {
			t.Fatalf("without a CNDP reference: %+v", p)
		}
		p = edit(map[string]any{"authority_ref": "A-GC-123/2025", "authority_expires_at": "2028-01-05T00:00:00+01:00"})
		if p.MayProcessEUData || p.Missing == nil || strings.Contains(*p.Missing, "CNDP") ||
			!strings.Contains(*p.Missing, "verification") || p.SCCModule != "2" || len(p.Documents) != 2 {
			t.Fatalf("complete, not verified (and the earlier fields kept): %+v", p)
		}
		verify(t, e, atlas)
		if p := get[centerProfile](t, e, "/api/v1/center-profile", atlas.Key); !p.MayProcessEUData || p.Missing != nil || p.VerifiedAt == nil {
			t.Fatalf("verified: %+v", p)
		}
		if p := edit(map[string]any{}); !p.MayProcessEUData {
			t.Fatalf("an empty patch voided the verification: %+v", p)
		}
		if p := edit(map[string]any{"documents": []string{"scc-2026.pdf"}}); p.MayProcessEUData || p.VerifiedAt != nil {
			t.Fatalf("a change keeps the verification: %+v", p)
		}
		if p := edit(map[string]any{"authority_expires_at": nil}); p.AuthorityRef != "A-GC-123/2025" {
			t.Fatalf("clearing a date: %+v", p)
		}

		for _, c := range []struct {
			name  string
			body  any
			field string
		}{
			{"an unknown module", map[string]any{"scc_module": "4"}, "scc_module"},
			{"a signature without zone", map[string]any{"scc_signed_at": "2026-01-05T00:00:00"}, "scc_signed_at"},
			{"an expiry that is no time", map[string]any{"authority_expires_at": "soon"}, "authority_expires_at"},
			{"a document on two lines", map[string]any{"documents": []string{"a\nb"}}, "documents[0]"},
			{"the country", map[string]any{"country": "FR"}, "country"},
			{"the verification", map[string]any{"verified_at": "2026-01-05T00:00:00Z"}, "verified_at"},
		} {
			status, raw := call(t, e, http.MethodPatch, "/api/v1/center-profile", atlas.Key, c.body)
			wantProblem(t, c.name, status, raw, http.StatusUnprocessableEntity, c.field)
		}

		supervisor := newKey(t, e, atlas.Key, "supervisor")
		get[centerProfile](t, e, "/api/v1/center-profile", supervisor.Key)
		status, raw := call(t, e, http.MethodPatch, "/api/v1/center-profile", supervisor.Key, map[string]any{"tia_on_file": false})
		wantProblem(t, "a supervisor editing", status, raw, http.StatusForbidden, "")

		// A center in the EU needs nothing more.
		paris := e.Org(tenancy.KindCenter, "Paris Appels", "FR")
		if p := get[centerProfile](t, e, "/api/v1/center-profile", paris.Key); !p.MayProcessEUData || p.Missing != nil {
			t.Errorf("a French center: %+v", p)
		}
	})
}

// TestDecisionBeforeTheRulesIsRefused: a question about a time before any
// rule set is in force for the callee gets a 422 naming the first day the
// rules cover, never a 500.
func TestDecisionBeforeTheRulesIsRefused(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		us := question("+1 310 555 1234", "2023-03-01T12:00:00Z")
		us["country"] = "US"
		for _, c := range []struct {
			name string
			q    map[string]any
			want string
		}{
			{"France, the day before the decree", question(callee, "2023-02-28T11:00:00+01:00"), "2023-03-01"},
			{"the United States on 1 March 2023", us, "2024-01-01"},
		} {
			status, raw := call(t, e, http.MethodPost, "/api/v1/compliance/decisions", ml.Key, c.q)
			p := wantProblem(t, c.name, status, raw, http.StatusUnprocessableEntity, "at")
			if len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Message, c.want) {
				t.Errorf("%s: the problem should name %s\n%s", c.name, c.want, raw)
			}
		}
		if d := decide(t, e, ml.Key, question(callee, "2023-03-01T11:00:00+01:00")); d.Reason == "" || d.RuleSet != "FR-B2C-PROSPECTING@2023-03-01" {
			t.Errorf("on the decree's first day: %+v", d)
		}
	})
}

// TestSixteenDigitsAreRefusedEverywhere: one parser, one answer: a number
// of more than 15 digits is not a phone number for decisions, consents or
// suppressions.
func TestSixteenDigitsAreRefusedEverywhere(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		const long = "+49 30 123456789012"
		q := question(long, tuesday11)
		q["country"] = "DE"
		for _, c := range []struct {
			name, path, field string
			body              any
		}{
			{"a decision", "/api/v1/compliance/decisions", "number", q},
			{"a consent", "/api/v1/consents", "items[0].phone", map[string]any{"items": []map[string]any{{"phone": long, "source": "web form",
				"captured_at": "2026-09-01T10:00:00+02:00"}}}},
			{"a suppression", "/api/v1/suppressions", "items[0].phone", map[string]any{"items": []map[string]string{{"phone": long}}}},
		} {
			status, raw := call(t, e, http.MethodPost, c.path, ml.Key, c.body)
			p := wantProblem(t, c.name, status, raw, http.StatusUnprocessableEntity, c.field)
			if len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Message, "at most 15 digits") {
				t.Errorf("%s: %s", c.name, raw)
			}
		}
	})
}

// TestOutOfHoursConsentThroughTheAPI: a consent listing out_of_hours, with
// its proof, lets the client call outside the decree's days and hours.
func TestOutOfHoursConsentThroughTheAPI(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		saturday := question(callee, "2026-09-19T11:00:00+02:00")
		recordConsent(t, e, ml.Key, callee)
		if d := decide(t, e, ml.Key, saturday); d.Allowed || d.Reason != "day_not_allowed" {
			t.Fatalf("on Saturday with a consent to prospecting: %+v", d)
		}
		got := must[consents](t, e, http.MethodPost, "/api/v1/consents", ml.Key, map[string]any{"country": "FR",
			"items": []map[string]any{{"phone": callee, "source": "call recording", "captured_at": "2026-09-02T10:00:00+02:00",
				"proof_ref": "rec-2026-09-02-1042", "kinds": []string{"prospecting", "out_of_hours"}}}}, http.StatusCreated)
		if len(got.Data) != 1 || strings.Join(got.Data[0].Kinds, ",") != "prospecting,out_of_hours" {
			t.Fatalf("recorded: %+v", got)
		}
		if d := decide(t, e, ml.Key, saturday); !d.Allowed || !strings.Contains(d.Explanation.EN, "express prior consent") {
			t.Fatalf("on Saturday with an out-of-hours consent: %+v", d)
		}
		status, raw := call(t, e, http.MethodPost, "/api/v1/consents", ml.Key, map[string]any{"country": "FR",
			"items": []map[string]any{{"phone": callee, "source": "x", "captured_at": "2026-09-02T10:00:00+02:00", "kinds": []string{"overtime"}}}})
		wantProblem(t, "an unknown kind", status, raw, http.StatusUnprocessableEntity, "items[0].kinds[0]")
	})
}
