package api_test

import (
	"bufio"
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/agentfeed"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// tuesdayInGeneva is inside the calling hours of a Swiss campaign: claims
// are made at it.
var tuesdayInGeneva = time.Date(2027, 1, 12, 9, 30, 0, 0, time.UTC)

// person is a member of a center signed in in a browser.
type person struct {
	id      string
	browser *platformtest.Browser
}

func signedIn(t *testing.T, e *platformtest.Env, org tenancy.Org, email string, role tenancy.Role) person {
	t.Helper()
	m := e.Member(org, email, string(role), "correct horse battery")
	b := e.Browser()
	b.Login(email, "correct horse battery")
	b.Get("/agent") // a page with the session's CSRF token
	return person{id: m.ID.String(), browser: b}
}

// agentFloor is a running Swiss campaign of a client, contracted with a
// center whose supervisor and two agents are signed in, its leads queued.
type agentFloor struct {
	campaign, contract string
	leads              []string
	center             platformtest.Tenant
	supervisor         person
	agent, other       person
}

// newAgentFloor builds the floor. The center's confirmation is made as
// the platform (no person of the center in the client's audit trail).
func newAgentFloor(t *testing.T, e *platformtest.Env, client, center platformtest.Tenant, domain string, phones ...string) agentFloor {
	t.Helper()
	return newAgentFloorDialing(t, e, client, center, domain, "preview", phones...)
}

// newAgentFloorDialing is newAgentFloor, its campaign dialled in mode.
func newAgentFloorDialing(t *testing.T, e *platformtest.Env, client, center platformtest.Tenant, domain, mode string, phones ...string) agentFloor {
	t.Helper()
	f := agentFloor{center: center}
	body := newCampaign("Appels "+domain, "CH")
	body["dialing_mode"] = mode
	f.campaign = must[campaignBody](t, e, http.MethodPost, "/api/v1/campaigns", client.Key, body, http.StatusCreated).ID
	move(t, e, client.Key, f.campaign, "publish", http.StatusOK)
	offer := must[offerBody](t, e, http.MethodPost, "/api/v1/campaigns/"+f.campaign+"/offers", center.Key, newOffer(420_000), http.StatusCreated).ID
	f.contract = must[contractBody](t, e, http.MethodPost, "/api/v1/offers/"+offer+"/accept", client.Key, nil, http.StatusCreated).ID
	platformtest.Must(e.P.Services.Market.Confirm(platformtest.As(center.Org), uuid.MustParse(f.contract)))(t)
	items := make([]map[string]string, len(phones))
	for i, p := range phones {
		items[i] = map[string]string{"phone": p, "last_name": "Favre"}
	}
	for _, r := range must[batchBody](t, e, http.MethodPost, "/api/v1/campaigns/"+f.campaign+"/leads", client.Key, map[string]any{"items": items}, http.StatusOK).Results {
		f.leads = append(f.leads, r.Lead.ID)
	}
	move(t, e, client.Key, f.campaign, "start", http.StatusOK)
	platformtest.Must(e.P.Services.Dispatch.Fill(platformtest.As(client.Org), uuid.MustParse(f.campaign)))(t)
	f.supervisor = signedIn(t, e, center.Org, "chef@"+domain, tenancy.RoleSupervisor)
	f.agent = signedIn(t, e, center.Org, "amina@"+domain, tenancy.RoleAgent)
	f.other = signedIn(t, e, center.Org, "karim@"+domain, tenancy.RoleAgent)
	if resp := f.supervisor.browser.JSON(http.MethodPost, f.assignment(f.agent), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("assigning the agent: %d\n%s", resp.StatusCode, platformtest.ReadJSON(t, resp, nil))
	}
	return f
}

func (f agentFloor) assignment(p person) string {
	return "/api/v1/center/campaigns/" + f.campaign + "/agents/" + p.id
}

// at runs fn with the platform's clock at `at`, then gives it back.
func at(e *platformtest.Env, when time.Time, fn func()) {
	before := e.P.DB.Now
	e.P.DB.Now = func() time.Time { return when }
	defer func() { e.P.DB.Now = before }()
	fn()
}

// agentCallBody is AgentCall.
type agentCallBody struct {
	Call callBody `json:"call"`
	Lead leadBody `json:"lead"`
}

// callBody is Call.
type callBody struct {
	ID                string            `json:"id"`
	LeadID            string            `json:"lead_id"`
	AgentID           *string           `json:"agent_id"`
	Phone             string            `json:"phone"`
	Disposition       string            `json:"disposition"`
	DispositionFields map[string]string `json:"disposition_fields"`
	Notes             string            `json:"notes"`
	Recorded          bool              `json:"recorded"`
}

type presenceBody struct {
	AgentID string  `json:"agent_id"`
	State   string  `json:"state"`
	Reason  string  `json:"reason"`
	CallID  *string `json:"call_id"`
}

// agentAnswers drives an agent through a preview call over the API — as
// the next issue's workspace will — and checks each answer against
// openapi.json: presence, the next lead, the call in hand, the event
// stream, dial, notes, hang-up, the disposition, a skip; its supervisor
// assigns it and sets its presence; the client and the center read the
// calls.
func agentAnswers(t *testing.T, e *platformtest.Env, k *contract, client platformtest.Tenant) {
	t.Helper()
	center := e.Org(tenancy.KindCenter, "Atlas Agents", "MA")
	f := newAgentFloor(t, e, client, center, "atlas.test", "+41 22 345 00 01", "+41 22 345 00 02", "+41 22 345 00 03")
	as := func(p person, want int, method, path string, body any) string {
		t.Helper()
		resp := p.browser.JSON(method, path, body)
		if resp.StatusCode != want {
			raw := platformtest.ReadJSON(t, resp, nil)
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, resp.StatusCode, want, raw)
		}
		return string(k.check(t, method, path, resp))
	}
	withKey := func(want int, method, path, key string, body any) string {
		t.Helper()
		resp := e.API(method, path, key, body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
		}
		return string(k.check(t, method, path, resp))
	}
	ready := map[string]any{"state": "ready", "campaign_id": f.campaign}
	next, campaignCalls := "/api/v1/agent/campaigns/"+f.campaign+"/next", "/api/v1/campaigns/"+f.campaign+"/calls"

	var p presenceBody
	decodeInto(t, as(f.agent, 200, "GET", "/api/v1/agent/presence", nil), &p)
	if p.State != "offline" || p.AgentID != f.agent.id {
		t.Fatalf("a new agent's presence: %+v", p)
	}
	as(f.other, 422, "PUT", "/api/v1/agent/presence", ready) // not assigned
	as(f.agent, 422, "PUT", "/api/v1/agent/presence", map[string]any{"state": "paused"})
	as(f.agent, 409, "POST", next, nil) // not ready yet
	decodeInto(t, as(f.agent, 200, "PUT", "/api/v1/agent/presence", ready), &p)
	if p.State != "ready" {
		t.Fatalf("ready: %+v", p)
	}
	withKey(403, "PUT", "/api/v1/agent/presence", center.Key, ready) // a key is not a person

	// The event stream opens with the agent's presence, then carries what
	// the engine publishes for it.
	events := openEvents(t, e, k, f.agent)
	if first := events.next(t); first.kind != "presence" || !strings.Contains(first.data, `"state":"ready"`) {
		t.Fatalf("the stream's first event: %+v", first)
	}

	var taken agentCallBody
	at(e, tuesdayInGeneva, func() { decodeInto(t, as(f.agent, 200, "POST", next, nil), &taken) })
	if !taken.Lead.PhoneMasked || taken.Lead.Phone == "+41223450001" || strings.Contains(taken.Call.Phone, "345 00") {
		t.Fatalf("the agent reads the callee's number: %+v", taken)
	}
	callID := uuid.MustParse(taken.Call.ID)
	e.P.Feed.Publish(uuid.MustParse(f.agent.id), agentfeed.Event{Kind: agentfeed.CallOffered, CallID: &callID, At: tuesdayInGeneva})
	if ev := events.next(t); ev.kind != "call.offered" || !strings.Contains(ev.data, taken.Call.ID) {
		t.Fatalf("the offered call's event: %+v", ev)
	}
	events.close()
	var held agentCallBody
	decodeInto(t, as(f.agent, 200, "GET", "/api/v1/agent/call", nil), &held)
	if held.Call.ID != taken.Call.ID || held.Lead.ID != taken.Lead.ID {
		t.Fatalf("the agent's call: %+v, want %+v", held, taken)
	}
	as(f.other, 204, "GET", "/api/v1/agent/call", nil)

	calls := "/api/v1/calls/" + taken.Call.ID
	as(f.other, 404, "POST", calls+"/dial", nil)   // another agent's call
	as(f.agent, 409, "POST", calls+"/hangup", nil) // not dialled: a skip gives it back
	as(f.agent, 202, "POST", calls+"/dial", nil)
	asked := func() dispatch.Requests {
		t.Helper()
		r, err := e.P.Services.Dispatch.Requests(platformtest.As(client.Org), uuid.MustParse(f.campaign))
		ok(t, err)
		return r
	}
	if r := asked(); len(r.Dials) != 1 || r.Dials[0].Call.ID != callID || r.Dials[0].Lead.Phone != "+41223450001" || len(r.Hangups) != 0 {
		t.Fatalf("the pacer reads the requests %+v; want the dial of %s", r, callID)
	}
	ok(t, e.P.Services.Dispatch.Dialed(platformtest.As(client.Org), callID, tuesdayInGeneva)) // the pacer dialled it
	if r := asked(); len(r.Dials) != 0 {
		t.Fatalf("a dialled call is still asked to dial: %+v", r)
	}
	as(f.agent, 409, "POST", calls+"/dial", nil)                                      // dialled already
	as(f.agent, 409, "POST", calls+"/skip", map[string]string{"reason": "trop tard"}) // dialled: an attempt
	ok(t, e.P.Services.Dispatch.Record(platformtest.As(client.Org), dialing.Event{CallID: callID, Kind: dialing.EventAnswered, At: tuesdayInGeneva.Add(5 * time.Second)}))
	_, err := e.P.Services.Presence.Engage(platformtest.As(client.Org), uuid.MustParse(f.agent.id), callID, presence.OnCall)
	ok(t, err)
	as(f.agent, 204, "PUT", calls+"/notes", map[string]string{"notes": "rappeler le mari"})
	as(f.agent, 422, "PUT", calls+"/notes", map[string]string{"notes": strings.Repeat("x", 5001)})
	as(f.agent, 202, "POST", calls+"/hangup", nil)
	if r := asked(); len(r.Hangups) != 1 || r.Hangups[0] != callID || len(r.Dials) != 0 {
		t.Fatalf("the pacer reads the requests %+v; want the hang-up of %s", r, callID)
	}
	ok(t, e.P.Services.Dispatch.Record(platformtest.As(client.Org), dialing.Event{CallID: callID, Kind: dialing.EventEnded,
		At: tuesdayInGeneva.Add(3 * time.Minute), Result: dialing.Answered}))
	_, err = e.P.Services.Presence.Engage(platformtest.As(client.Org), uuid.MustParse(f.agent.id), callID, presence.WrapUp)
	ok(t, err)
	as(f.agent, 422, "POST", calls+"/disposition", map[string]any{"disposition": "callback"})
	var disposed callBody
	decodeInto(t, as(f.agent, 200, "POST", calls+"/disposition",
		map[string]any{"disposition": "sale", "fields": map[string]string{"amount": "129.90"}, "script_path": []string{"intro", "vente"}}), &disposed)
	if disposed.Disposition != "sale" || disposed.Notes != "rappeler le mari" {
		t.Fatalf("the disposed call: %+v", disposed)
	}
	as(f.supervisor, 409, "POST", calls+"/disposition", map[string]any{"disposition": "refused"})

	// The client reads the call whole; the center that placed it, masked.
	var byClient, byCenter callBody
	decodeInto(t, withKey(200, "GET", calls, client.Key, nil), &byClient)
	decodeInto(t, withKey(200, "GET", calls, center.Key, nil), &byCenter)
	if byClient.Phone != "+41223450001" || byCenter.Phone == byClient.Phone || byClient.DispositionFields["amount"] != "129.90" {
		t.Fatalf("the call as its client reads it %+v, as its center %+v", byClient, byCenter)
	}
	if got := get[page](t, e, campaignCalls+"?limit=1", client.Key); len(got.Data) != 1 || got.Data[0].ID != taken.Call.ID {
		t.Fatalf("the campaign's calls: %+v", got)
	}
	withKey(200, "GET", campaignCalls, center.Key, nil)
	var leadCalls page
	decodeInto(t, withKey(200, "GET", "/api/v1/campaigns/"+f.campaign+"/leads/"+taken.Lead.ID+"/calls", center.Key, nil), &leadCalls)
	if len(leadCalls.Data) != 1 || leadCalls.Data[0].ID != taken.Call.ID {
		t.Fatalf("the lead's calls, as the center reads them: %+v", leadCalls)
	}
	as(f.agent, 403, "GET", campaignCalls, nil) // an agent reads its own call, not the campaign's

	// Ready again, a preview lead given back without a dial.
	as(f.agent, 200, "PUT", "/api/v1/agent/presence", ready)
	var skipped agentCallBody
	at(e, tuesdayInGeneva.Add(4*time.Minute), func() { decodeInto(t, as(f.agent, 200, "POST", next, nil), &skipped) })
	as(f.agent, 422, "POST", "/api/v1/calls/"+skipped.Call.ID+"/skip", map[string]string{"reason": ""})
	as(f.agent, 204, "POST", "/api/v1/calls/"+skipped.Call.ID+"/skip", map[string]string{"reason": "doublon"})
	withKey(404, "GET", "/api/v1/calls/"+skipped.Call.ID, client.Key, nil)

	// The supervisor's floor: a pause it sets shows on the agent's stream.
	events = openEvents(t, e, k, f.agent)
	events.next(t) // the presence as the stream opens
	decodeInto(t, as(f.supervisor, 200, "PUT", "/api/v1/center/agents/"+f.agent.id+"/presence", map[string]any{"state": "paused", "reason": "briefing"}), &p)
	if p.State != "paused" || p.Reason != "briefing" {
		t.Fatalf("paused by the supervisor: %+v", p)
	}
	if ev := events.next(t); ev.kind != "presence" || !strings.Contains(ev.data, "briefing") {
		t.Fatalf("the agent's stream after the supervisor's pause: %+v", ev)
	}
	events.close()
	as(f.agent, 403, "PUT", "/api/v1/center/agents/"+f.other.id+"/presence", ready)
	var assigned page
	decodeInto(t, as(f.supervisor, 200, "GET", "/api/v1/center/campaigns/"+f.campaign+"/agents", nil), &assigned)
	if len(assigned.Data) != 1 {
		t.Fatalf("assignments: %+v", assigned)
	}
	as(f.supervisor, 200, "POST", f.assignment(f.other), nil)
	as(f.supervisor, 204, "DELETE", f.assignment(f.other), nil)
	as(f.supervisor, 404, "DELETE", "/api/v1/center/campaigns/"+uuid.Must(uuid.NewV7()).String()+"/agents/"+f.other.id, nil)
	as(f.supervisor, 200, "PUT", "/api/v1/center/agents/"+f.agent.id+"/presence", ready)
	at(e, tuesdayInGeneva.Add(5*time.Minute), func() { as(f.agent, 200, "POST", next, nil) })
	as(f.agent, 409, "PUT", "/api/v1/agent/presence", map[string]any{"state": "offline"}) // a lead in hand
	as(f.supervisor, 200, "PUT", "/api/v1/center/agents/"+f.agent.id+"/presence", map[string]any{"state": "offline"})
}

// sse is an open event stream.
type sse struct {
	lines  *bufio.Scanner
	cancel func()
}

type sseEvent struct{ kind, data string }

// openEvents opens p's event stream on a real connection (a stream does
// not end, which the in-process test client waits for).
func openEvents(t *testing.T, e *platformtest.Env, k *contract, p person) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+e.Listen()+"/api/v1/agent/events", nil)
	ok(t, err)
	req.Header.Set("Accept", "text/event-stream")
	p.browser.Authorize(req)
	resp, err := http.DefaultClient.Do(req)
	ok(t, err)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("the event stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	k.checkBody(t, http.MethodGet, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), nil)
	s := &sse{lines: bufio.NewScanner(resp.Body), cancel: func() { cancel(); resp.Body.Close() }}
	t.Cleanup(s.close)
	return s
}

// next reads the stream's next event.
func (s *sse) next(t *testing.T) sseEvent {
	t.Helper()
	var ev sseEvent
	for s.lines.Scan() {
		line := s.lines.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			ev.kind = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data = strings.TrimPrefix(line, "data: ")
		case line == "" && ev.kind != "":
			return ev
		}
	}
	t.Fatalf("the event stream ended: %v", s.lines.Err())
	return ev
}

func (s *sse) close() { s.cancel() }

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// floorFixture is tenant A's floor in the two-tenant cases: a running
// campaign worked by center C, whose agent holds an answered call on it
// (a lead of its own in hand), and center B's agent and supervisor, who
// work nothing of A's.
type floorFixture struct {
	agentFloor
	call, lead string
	centerC    platformtest.Tenant
	bAgent     person
	bBoss      person
}

func newFloorFixture(t *testing.T, w *twoTenants) floorFixture {
	t.Helper()
	e := w.e
	f := floorFixture{centerC: e.Org(tenancy.KindCenter, "Sahel Appels", "SN")}
	f.agentFloor = newAgentFloor(t, e, w.a, f.centerC, "sahel.test", "+41 22 345 01 01", "+41 22 345 01 02")
	f.bAgent = signedIn(t, e, w.centerB.Org, "agent@teranga.test", tenancy.RoleAgent)
	f.bBoss = signedIn(t, e, w.centerB.Org, "chef@teranga.test", tenancy.RoleSupervisor)
	if resp := f.agent.browser.JSON(http.MethodPut, "/api/v1/agent/presence", map[string]any{"state": "ready", "campaign_id": f.campaign}); resp.StatusCode != http.StatusOK {
		t.Fatalf("A's agent ready: %d", resp.StatusCode)
	}
	var taken agentCallBody
	at(e, tuesdayInGeneva, func() {
		resp := f.agent.browser.JSON(http.MethodPost, "/api/v1/agent/campaigns/"+f.campaign+"/next", nil)
		if raw := platformtest.ReadJSON(t, resp, &taken); resp.StatusCode != http.StatusOK {
			t.Fatalf("A's agent taking a lead: %d\n%s", resp.StatusCode, raw)
		}
	})
	f.call, f.lead = taken.Call.ID, taken.Lead.ID
	ok(t, e.P.Services.Dispatch.Record(platformtest.As(w.a.Org), dialing.Event{CallID: uuid.MustParse(f.call), Kind: dialing.EventAnswered, At: tuesdayInGeneva}))
	w.aIDs = append(w.aIDs, f.campaign, f.contract, f.call, f.agent.id, f.supervisor.id)
	w.aIDs = append(w.aIDs, f.leads...)
	return f
}

// aCallUnchanged checks, as A, that its floor's call is as the fixture
// left it: open, without outcome or notes.
func (w *twoTenants) aCallUnchanged(t *testing.T) {
	t.Helper()
	got := get[callBody](t, w.e, "/api/v1/calls/"+w.floor.call, w.a.Key)
	if got.Disposition != "" || got.Notes != "" || got.AgentID == nil || *got.AgentID != w.floor.agent.id {
		t.Errorf("A's call changed: %+v", got)
	}
	resp := w.floor.agent.browser.JSON(http.MethodGet, "/api/v1/agent/presence", nil)
	var p presenceBody
	if platformtest.ReadJSON(t, resp, &p); p.State != "reserved" || p.CallID == nil || *p.CallID != w.floor.call {
		t.Errorf("A's agent's presence changed: %+v", p)
	}
}

// notFoundIn is notFoundAs for a person signed in.
func (w *twoTenants) notFoundIn(t *testing.T, p person, method, prefix, id, suffix string, body any) {
	t.Helper()
	w.notFoundVia(t, func(path string) (int, []byte) {
		resp := p.browser.JSON(method, path, body)
		return resp.StatusCode, platformtest.ReadJSON(t, resp, nil)
	}, method, prefix, id, suffix)
}

// notFoundWith is notFoundAs for a path that names two of A's rows
// (prefix or suffix holds the other): the answer may echo the path sent.
func (w *twoTenants) notFoundWith(t *testing.T, key, method, prefix, id, suffix string, body any) {
	t.Helper()
	w.notFoundVia(t, func(path string) (int, []byte) { return call(t, w.e, method, path, key, body) }, method, prefix, id, suffix)
}

// notFoundVia sends method prefix+id+suffix through send for A's row id
// and for a row that never existed: both answer the same 404, which shows
// nothing of A's but the path the caller sent.
func (w *twoTenants) notFoundVia(t *testing.T, send func(path string) (int, []byte), method, prefix, id, suffix string) {
	t.Helper()
	answer := func(id string) (problem, string) {
		status, raw := send(prefix + id + suffix)
		got := wantProblem(t, method+" "+prefix+id+suffix, status, raw, http.StatusNotFound, "")
		got.Detail, got.RequestID = strings.ReplaceAll(got.Detail, id, "{id}"), ""
		text := strings.ReplaceAll(string(raw), id, "{id}")
		return got, strings.NewReplacer(prefix, "{prefix}", suffix, "{suffix}").Replace(text)
	}
	ofA, raw := answer(id)
	never, _ := answer(uuid.Must(uuid.NewV7()).String())
	if !reflect.DeepEqual(ofA, never) {
		t.Errorf("%s %s{id}%s: A's row answers %+v, a row that never existed %+v", method, prefix, suffix, ofA, never)
	}
	w.noneOfA(t, method+" "+prefix+"{id}"+suffix, []byte(raw))
}

// floorCases are the two-tenant cases of the calls and agents routes:
// client B and center B (its owner's key, its agent, its supervisor) never
// read nor act on A's floor.
func (w *twoTenants) floorCases() map[string]func(t *testing.T) {
	e, b, f := w.e, w.b, w.floor
	campaigns, calls := "/api/v1/campaigns/", "/api/v1/calls/"
	readers := []string{b.Key, w.centerB.Key, w.centerA.Key}
	actOnCall := func(method, suffix string, body any) func(t *testing.T) {
		return func(t *testing.T) {
			w.notFoundAs(t, w.centerB.Key, method, calls, f.call, suffix, body)
			w.notFoundIn(t, f.bAgent, method, calls, f.call, suffix, body)
			w.notFoundIn(t, f.bBoss, method, calls, f.call, suffix, body)
			status, raw := call(t, e, method, calls+f.call+suffix, b.Key, body)
			wantProblem(t, "client B acting on a call", status, raw, http.StatusForbidden, "")
			w.aCallUnchanged(t)
		}
	}
	return map[string]func(t *testing.T){
		"GET /api/v1/campaigns/:id/calls": func(t *testing.T) {
			for _, key := range readers {
				w.notFoundAs(t, key, http.MethodGet, campaigns, f.campaign, "/calls", nil)
			}
			if got := get[page](t, e, campaigns+f.campaign+"/calls", f.centerC.Key); len(got.Data) != 1 || got.Data[0].ID != f.call {
				t.Errorf("center C's calls: %+v", got)
			}
		},
		"GET /api/v1/campaigns/:id/leads/:lead_id/calls": func(t *testing.T) {
			for _, key := range readers {
				w.notFoundWith(t, key, http.MethodGet, campaigns, f.campaign, "/leads/"+f.lead+"/calls", nil)
			}
		},
		"GET /api/v1/calls/:id": func(t *testing.T) {
			for _, key := range readers {
				w.notFoundAs(t, key, http.MethodGet, calls, f.call, "", nil)
			}
		},
		"GET /api/v1/calls/:id/recording": func(t *testing.T) {
			for _, key := range readers {
				w.notFoundAs(t, key, http.MethodGet, calls, f.call, "/recording", nil)
			}
			w.notFoundIn(t, f.bBoss, http.MethodGet, calls, f.call, "/recording", nil)
		},
		"POST /api/v1/calls/:id/dial":        actOnCall(http.MethodPost, "/dial", nil),
		"POST /api/v1/calls/:id/hangup":      actOnCall(http.MethodPost, "/hangup", nil),
		"POST /api/v1/calls/:id/disposition": actOnCall(http.MethodPost, "/disposition", map[string]any{"disposition": "do_not_call"}),
		"POST /api/v1/calls/:id/skip":        actOnCall(http.MethodPost, "/skip", map[string]string{"reason": "taken over"}),
		"PUT /api/v1/calls/:id/notes":        actOnCall(http.MethodPut, "/notes", map[string]string{"notes": "taken over"}),
		"GET /api/v1/agent/presence": func(t *testing.T) {
			resp := f.bAgent.browser.JSON(http.MethodGet, "/api/v1/agent/presence", nil)
			var p presenceBody
			if raw := platformtest.ReadJSON(t, resp, &p); resp.StatusCode != http.StatusOK || p.AgentID != f.bAgent.id {
				t.Errorf("B's agent's presence: %d\n%s", resp.StatusCode, raw)
			} else {
				w.noneOfA(t, "B's agent's presence", raw)
			}
		},
		"PUT /api/v1/agent/presence": func(t *testing.T) {
			resp := f.bAgent.browser.JSON(http.MethodPut, "/api/v1/agent/presence", map[string]any{"state": "ready", "campaign_id": f.campaign})
			raw := platformtest.ReadJSON(t, resp, nil)
			wantProblem(t, "B's agent ready on A's campaign", resp.StatusCode, raw, http.StatusUnprocessableEntity, "")
			w.noneOfA(t, "B's agent ready on A's campaign", raw)
			w.aCallUnchanged(t)
		},
		"POST /api/v1/agent/campaigns/:id/next": func(t *testing.T) {
			w.notFoundIn(t, f.bAgent, http.MethodPost, "/api/v1/agent/campaigns/", f.campaign, "/next", nil)
			status, raw := call(t, e, http.MethodPost, "/api/v1/agent/campaigns/"+f.campaign+"/next", w.centerB.Key, nil)
			wantProblem(t, "center B's key taking a lead", status, raw, http.StatusForbidden, "") // a key is no agent
			w.aCallUnchanged(t)
		},
		"GET /api/v1/agent/call": func(t *testing.T) {
			if resp := f.bAgent.browser.JSON(http.MethodGet, "/api/v1/agent/call", nil); resp.StatusCode != http.StatusNoContent {
				t.Errorf("B's agent's call: %d, want none", resp.StatusCode)
			}
		},
		"GET /api/v1/agent/events": func(t *testing.T) {
			// A key is no agent: it has no stream, and reads no one's.
			status, raw := call(t, e, http.MethodGet, "/api/v1/agent/events", w.centerB.Key, nil)
			wantProblem(t, "center B's key opening an event stream", status, raw, http.StatusNotFound, "")
			status, raw = call(t, e, http.MethodGet, "/api/v1/agent/events", b.Key, nil)
			wantProblem(t, "client B opening an event stream", status, raw, http.StatusForbidden, "")
		},
		"PUT /api/v1/center/agents/:id/presence": func(t *testing.T) {
			offline := map[string]string{"state": "offline"}
			w.notFoundAs(t, w.centerB.Key, http.MethodPut, "/api/v1/center/agents/", f.agent.id, "/presence", offline)
			w.notFoundIn(t, f.bBoss, http.MethodPut, "/api/v1/center/agents/", f.agent.id, "/presence", offline)
			w.aCallUnchanged(t)
		},
		"GET /api/v1/center/campaigns/:id/agents": func(t *testing.T) {
			w.notFoundAs(t, w.centerB.Key, http.MethodGet, "/api/v1/center/campaigns/", f.campaign, "/agents", nil)
			w.notFoundIn(t, f.bBoss, http.MethodGet, "/api/v1/center/campaigns/", f.campaign, "/agents", nil)
		},
		"POST /api/v1/center/campaigns/:id/agents/:agent_id": func(t *testing.T) {
			w.notFoundIn(t, f.bBoss, http.MethodPost, "/api/v1/center/campaigns/", f.campaign, "/agents/"+f.bAgent.id, nil)
			w.notFoundIn(t, f.bBoss, http.MethodPost, "/api/v1/center/campaigns/"+f.campaign+"/agents/", f.agent.id, "", nil)
			status, raw := call(t, e, http.MethodPost, "/api/v1/center/campaigns/"+f.campaign+"/agents/"+f.bAgent.id, b.Key, nil)
			wantProblem(t, "client B assigning", status, raw, http.StatusForbidden, "")
		},
		"DELETE /api/v1/center/campaigns/:id/agents/:agent_id": func(t *testing.T) {
			w.notFoundIn(t, f.bBoss, http.MethodDelete, "/api/v1/center/campaigns/", f.campaign, "/agents/"+f.agent.id, nil)
			w.notFoundWith(t, w.centerB.Key, http.MethodDelete, "/api/v1/center/campaigns/", f.campaign, "/agents/"+f.agent.id, nil)
			var list page
			resp := f.supervisor.browser.JSON(http.MethodGet, "/api/v1/center/campaigns/"+f.campaign+"/agents", nil)
			if platformtest.ReadJSON(t, resp, &list); len(list.Data) != 1 {
				t.Errorf("center C's assignments after B's tries: %+v", list)
			}
		},
	}
}
