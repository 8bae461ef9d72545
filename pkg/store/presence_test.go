package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// staff is a center's supervisor and two agents on a running floor.
type staff struct {
	supervisor       context.Context
	agent, other     context.Context
	agentID, otherID uuid.UUID
	supervisorID     uuid.UUID
	center           tenancy.Org
}

// staffOf adds a supervisor and two agents to the center ctx acts for.
func staffOf(t *testing.T, db *store.DB, center context.Context, domain string) staff {
	t.Helper()
	p, err := tenancy.PrincipalFrom(center)
	ok(t, err)
	org := tenancy.Org{ID: p.OrgID, Kind: p.OrgKind}
	s := staff{center: org}
	s.supervisor, s.supervisorID = memberOf(t, db, org, "Chef", "chef@"+domain, tenancy.RoleSupervisor)
	s.agent, s.agentID = memberOf(t, db, org, "Amina", "amina@"+domain, tenancy.RoleAgent)
	s.other, s.otherID = memberOf(t, db, org, "Karim", "karim@"+domain, tenancy.RoleAgent)
	return s
}

// clock is a test's settable time.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time                  { return c.now }
func (c *clock) advance(d time.Duration)         { c.now = c.now.Add(d) }
func newClock(db *store.DB, at time.Time) *clock { c := &clock{at}; db.Now = c.Now; return c }

// TestPresenceIsChosenWithinTheRulesAndLogged: an agent goes ready only on
// a campaign its supervisor assigned it to, pauses with a reason, and
// every change is logged with its time; only its center's supervisors
// assign it or move it.
func TestPresenceIsChosenWithinTheRulesAndLogged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clk := newClock(db.App, tuesdayMorning)
		f := runningFloor(t, db.App, 2)
		atlas, teranga := staffOf(t, db.App, f.atlasCtx, "atlas.example"), staffOf(t, db.App, f.terCtx, "teranga.example")
		svc := f.svc
		id := f.campaign.ID

		if _, err := svc.Presence.Set(atlas.agent, presence.Ready, "", &id); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("ready before being assigned: %v", err)
		}
		if _, err := svc.Assignments.Assign(atlas.agent, atlas.agentID, id); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an agent assigning itself: %v", err)
		}
		if _, err := svc.Assignments.Assign(teranga.supervisor, atlas.agentID, id); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another center's supervisor assigning Atlas's agent: %v", err)
		}
		if _, err := svc.Assignments.Assign(atlas.supervisor, atlas.agentID, uuid.New()); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("assigning to a campaign the center has no contract on: %v", err)
		}
		first, err := svc.Assignments.Assign(atlas.supervisor, atlas.agentID, id)
		ok(t, err)
		clk.advance(time.Minute)
		again, err := svc.Assignments.Assign(atlas.supervisor, atlas.agentID, id)
		if err != nil || !again.AssignedAt.Equal(first.AssignedAt) {
			t.Fatalf("assigned again: %+v (%v), want the first assignment %+v", again, err, first)
		}
		if list, err := svc.Assignments.List(teranga.supervisor, id); err != nil || len(list) != 0 {
			t.Fatalf("Teranga's assignments: %+v (%v)", list, err)
		}

		start := clk.now
		p, err := svc.Presence.Set(atlas.agent, presence.Ready, "", &id)
		if err != nil || p.State != presence.Ready || *p.CampaignID != id || !p.Since.Equal(start) {
			t.Fatalf("ready: %+v (%v)", p, err)
		}
		if _, err := svc.Presence.Set(atlas.agent, presence.Paused, " ", nil); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a pause without a reason: %v", err)
		}
		clk.advance(5 * time.Minute)
		if p, err = svc.Presence.Set(atlas.agent, presence.Paused, "pause café", nil); err != nil || p.Reason != "pause café" || *p.CampaignID != id {
			t.Fatalf("paused: %+v (%v)", p, err)
		}
		clk.advance(10 * time.Minute)
		if _, err := svc.Presence.SetFor(teranga.supervisor, atlas.agentID, presence.Ready, "", &id); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Teranga's supervisor moving Atlas's agent: %v", err)
		}
		if _, err := svc.Presence.SetFor(atlas.other, atlas.agentID, presence.Ready, "", &id); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an agent moving another: %v", err)
		}
		if p, err = svc.Presence.SetFor(atlas.supervisor, atlas.agentID, presence.Ready, "", &id); err != nil || p.State != presence.Ready || p.Reason != "" {
			t.Fatalf("made ready by the supervisor: %+v (%v)", p, err)
		}
		clk.advance(time.Minute)
		_, err = svc.Presence.Set(atlas.agent, presence.Ready, "", &id) // asked again: nothing changes
		ok(t, err)
		if got, err := svc.Presence.Get(atlas.agent, atlas.agentID); err != nil || got.State != presence.Ready || !got.Since.Equal(start.Add(15*time.Minute)) {
			t.Fatalf("the agent's own presence: %+v (%v)", got, err)
		}
		if _, err := svc.Presence.Get(atlas.agent, atlas.otherID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("an agent reading another's presence: %v", err)
		}
		if got, err := svc.Presence.Get(atlas.supervisor, atlas.otherID); err != nil || got.State != presence.Offline {
			t.Fatalf("an agent who never came: %+v (%v)", got, err)
		}
		if _, err := svc.Presence.Get(teranga.supervisor, atlas.agentID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another center reading the agent's presence: %v", err)
		}

		ok(t, svc.Assignments.Unassign(atlas.supervisor, atlas.agentID, id))
		if got, err := svc.Presence.Get(atlas.agent, atlas.agentID); err != nil || got.State != presence.Offline {
			t.Fatalf("unassigned while ready: %+v (%v), want offline", got, err)
		}
		log, err := svc.Presence.Log(atlas.supervisor, atlas.agentID, start)
		ok(t, err)
		want := []struct {
			state presence.State
			after time.Duration
		}{{presence.Ready, 0}, {presence.Paused, 5 * time.Minute}, {presence.Ready, 15 * time.Minute}, {presence.Offline, 16 * time.Minute}}
		if len(log) != len(want) {
			t.Fatalf("presence log: %+v, want %d changes", log, len(want))
		}
		for i, w := range want {
			if log[i].State != w.state || !log[i].At.Equal(start.Add(w.after)) {
				t.Errorf("change %d: %+v, want %s at +%s", i, log[i], w.state, w.after)
			}
		}
		if _, err := svc.Presence.Log(teranga.supervisor, atlas.agentID, start); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another center reading the log: %v", err)
		}
	})
}

// TestTheEngineSeesAndMovesItsCampaignsAgentsOnly: the campaign's client
// reads the agents ready on it across its centers and moves them as calls
// go; another client reads and moves none.
func TestTheEngineSeesAndMovesItsCampaignsAgentsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clk := newClock(db.App, tuesdayMorning)
		f := runningFloor(t, db.App, 3)
		atlas, teranga := staffOf(t, db.App, f.atlasCtx, "atlas.example"), staffOf(t, db.App, f.terCtx, "teranga.example")
		svc, id := f.svc, f.campaign.ID
		for _, s := range []staff{teranga, atlas} {
			_, err := svc.Assignments.Assign(s.supervisor, s.agentID, id)
			ok(t, err)
			_, err = svc.Presence.Set(s.agent, presence.Ready, "", &id)
			ok(t, err)
			clk.advance(time.Second)
		}
		other, _ := actingAs(t, db.App, tenancy.KindClient, "Autre Client", "FR")
		if got, err := svc.Presence.Ready(other, id); !apperr.Is(err, apperr.NotFound) || len(got) != 0 {
			t.Fatalf("another client reads the ready agents: %+v (%v)", got, err)
		}
		if got, err := svc.Presence.Ready(f.atlasCtx, id); !apperr.Is(err, apperr.NotFound) || len(got) != 0 {
			t.Fatalf("a center reads the campaign's ready agents: %+v (%v)", got, err)
		}
		ready, err := svc.Presence.Ready(f.client, id)
		ok(t, err)
		if len(ready) != 2 || ready[0].AgentID != teranga.agentID || ready[0].ContractID != f.teranga.ID ||
			ready[1].AgentID != atlas.agentID || ready[1].ContractID != f.atlas.ID || ready[1].CenterID != atlas.center.ID {
			t.Fatalf("ready agents: %+v; want Teranga's then Atlas's, each with its contract", ready)
		}

		_, err = svc.Dispatch.Fill(f.client, id)
		ok(t, err)
		c, found, err := svc.Dispatch.Claim(f.client, dispatch.ClaimRequest{CampaignID: id, ContractID: f.atlas.ID, Agent: &atlas.agentID})
		if err != nil || !found {
			t.Fatalf("claim: %v %v", found, err)
		}
		if _, err := svc.Presence.Engage(other, atlas.agentID, c.Call.ID, presence.Reserved); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client reserving the agent: %v", err)
		}
		if _, err := svc.Presence.Engage(f.client, atlas.agentID, c.Call.ID, presence.OnCall); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("on a call before being reserved: %v", err)
		}
		p, err := svc.Presence.Engage(f.client, atlas.agentID, c.Call.ID, presence.Reserved)
		if err != nil || p.State != presence.Reserved || *p.CallID != c.Call.ID {
			t.Fatalf("reserved: %+v (%v)", p, err)
		}
		if ready, err := svc.Presence.Ready(f.client, id); err != nil || len(ready) != 1 || ready[0].AgentID != teranga.agentID {
			t.Fatalf("ready once Atlas's agent is reserved: %+v (%v)", ready, err)
		}
		if _, err := svc.Presence.Engage(f.client, teranga.agentID, c.Call.ID, presence.OnCall); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("Teranga's agent put on Atlas's call: %v", err)
		}
		_, err = svc.Presence.Engage(f.client, atlas.agentID, c.Call.ID, presence.OnCall)
		ok(t, err)
		if _, err := svc.Presence.Set(atlas.agent, presence.Paused, "pause", nil); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("leaving a call for a pause: %v", err)
		}
		ok(t, svc.Dispatch.Record(f.client, dialing.Event{CallID: c.Call.ID, Kind: dialing.EventEnded, At: clk.now, Result: dialing.Answered}))
		if p, err = svc.Presence.Engage(f.client, atlas.agentID, c.Call.ID, presence.WrapUp); err != nil || p.State != presence.WrapUp {
			t.Fatalf("wrap-up: %+v (%v)", p, err)
		}
		if p, err = svc.Presence.Set(atlas.agent, presence.Ready, "", &id); err != nil || p.CallID != nil {
			t.Fatalf("ready again after the wrap-up: %+v (%v)", p, err)
		}
		log, err := svc.Presence.Log(atlas.agent, atlas.agentID, tuesdayMorning)
		ok(t, err)
		var states []presence.State
		for _, l := range log {
			states = append(states, l.State)
		}
		if len(states) != 5 || states[1] != presence.Reserved || states[2] != presence.OnCall || states[3] != presence.WrapUp {
			t.Fatalf("the log of a call: %v", states)
		}
	})
}
