package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// answered claims the next lead of contract for agent, in the client's
// name, and has the callee answer.
func (f floor) answered(t *testing.T, contract market.Contract, agent uuid.UUID, at time.Time) dispatch.Claim {
	t.Helper()
	c, found, err := f.svc.Dispatch.Claim(f.client, dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: contract.ID, Agent: &agent})
	if err != nil || !found {
		t.Fatalf("claim for the agent: %v (found %v)", err, found)
	}
	ok(t, f.svc.Dispatch.Record(f.client, dialing.Event{CallID: c.Call.ID, Kind: dialing.EventAnswered, At: at}))
	return c
}

func (f floor) leadStatus(t *testing.T, id uuid.UUID) lead.Status {
	t.Helper()
	l, err := f.svc.Leads.Get(f.client, f.campaign.ID, id)
	ok(t, err)
	return l.Lead.Status
}

// TestDispositionsSettleTheLead: each outcome settles the lead its
// answered call held — ended, on the client's opt-out list, or promised a
// callback at a time the rules allow — once, by the agent who held the
// call or its supervisor only.
func TestDispositionsSettleTheLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clk := newClock(db.App, tuesdayMorning)
		f := runningFloor(t, db.App, 9)
		atlas, teranga := staffOf(t, db.App, f.atlasCtx, "atlas.example"), staffOf(t, db.App, f.terCtx, "teranga.example")
		_, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		calls := f.svc.Calls

		// Not answered: its outcome is the dialer's.
		unanswered, found, err := f.svc.Dispatch.Claim(f.client, dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: f.atlas.ID, Agent: &atlas.agentID})
		if err != nil || !found {
			t.Fatal(err)
		}
		if _, err := calls.Dispose(atlas.agent, unanswered.Call.ID, call.Outcome{Disposition: script.Sale}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("disposing an unanswered call: %v", err)
		}

		// A sale with its fields, by the agent who held the call, once.
		sale := f.answered(t, f.atlas, atlas.agentID, clk.now)
		saleOutcome := call.Outcome{Disposition: script.Sale, Fields: map[string]string{"amount": "129.90"}, Notes: "client ravi",
			ScriptVersion: 3, ScriptPath: []string{"intro", "offre", "vente"}}
		for who, ctx := range map[string]context.Context{"another agent": atlas.other, "another center's supervisor": teranga.supervisor} {
			if _, err := calls.Dispose(ctx, sale.Call.ID, saleOutcome); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("%s disposing the call: %v", who, err)
			}
		}
		if _, err := calls.Dispose(f.client, sale.Call.ID, saleOutcome); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the client disposing the call: %v", err)
		}
		if _, err := calls.Dispose(atlas.agent, sale.Call.ID, call.Outcome{Disposition: "vendu"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("an unknown disposition: %v", err)
		}
		got, err := calls.Dispose(atlas.agent, sale.Call.ID, saleOutcome)
		ok(t, err)
		if got.Disposition != script.Sale || got.Phone == sale.Call.Phone {
			t.Fatalf("the disposed call, as the center sees it: %+v", got)
		}
		if _, err := calls.Dispose(atlas.supervisor, sale.Call.ID, call.Outcome{Disposition: script.Refused}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a second outcome: %v", err)
		}
		read, err := calls.Get(f.client, sale.Call.ID)
		ok(t, err)
		if read.Disposition != script.Sale || read.DispositionFields["amount"] != "129.90" || read.Notes != "client ravi" ||
			read.ScriptVersion != 3 || len(read.ScriptPath) != 3 || f.leadStatus(t, sale.Lead.ID) != lead.Done {
			t.Fatalf("the sale as the client reads it: %+v, lead %s", read, f.leadStatus(t, sale.Lead.ID))
		}

		// A refusal, recorded by the supervisor: the lead is done.
		refused := f.answered(t, f.atlas, atlas.agentID, clk.now)
		_, err = calls.Dispose(atlas.supervisor, refused.Call.ID, call.Outcome{Disposition: script.Refused})
		ok(t, err)
		if s := f.leadStatus(t, refused.Lead.ID); s != lead.Done {
			t.Fatalf("a refused lead is %s", s)
		}

		// Do not call: the number joins the client's opt-out list.
		optOut := f.answered(t, f.atlas, atlas.agentID, clk.now)
		_, err = calls.Dispose(atlas.agent, optOut.Call.ID, call.Outcome{Disposition: script.DoNotCall})
		ok(t, err)
		list, _, err := f.svc.Compliance.Suppressions(f.client, store.Page{})
		ok(t, err)
		if len(list) != 1 || list[0].Phone != optOut.Lead.Phone || list[0].List != compliance.ClientList || f.leadStatus(t, optOut.Lead.ID) != lead.Done {
			t.Fatalf("the client's opt-out list after do_not_call: %+v", list)
		}

		// A callback at night is refused with the next allowed time; in
		// the morning it is promised, and its lead comes first when due.
		back := f.answered(t, f.atlas, atlas.agentID, clk.now)
		night := time.Date(2027, 1, 12, 21, 30, 0, 0, time.UTC) // 22:30 in Geneva
		_, err = calls.Dispose(atlas.agent, back.Call.ID, call.Outcome{Disposition: script.Callback,
			Callback: &call.CallbackRequest{At: night, Zone: "Europe/Zurich"}})
		if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Path != "callback.at" ||
			e.Fields[0].Code != "store.callback.not_allowed_until" {
			t.Fatalf("a callback at night: %#v", err)
		}
		if _, err := calls.Dispose(atlas.agent, back.Call.ID, call.Outcome{Disposition: script.Callback}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a callback without its time: %v", err)
		}
		if _, err := calls.Dispose(atlas.agent, back.Call.ID, call.Outcome{Disposition: script.Callback,
			Callback: &call.CallbackRequest{At: clk.now.Add(-time.Minute)}}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a callback in the past: %v", err)
		}
		morning := time.Date(2027, 1, 13, 9, 0, 0, 0, time.UTC) // 10:00 in Geneva, Wednesday
		_, err = calls.Dispose(atlas.agent, back.Call.ID, call.Outcome{Disposition: script.Callback,
			Callback: &call.CallbackRequest{At: morning, Zone: "Europe/Zurich", Owner: &atlas.agentID}})
		ok(t, err)
		if s := f.leadStatus(t, back.Lead.ID); s != lead.Callback {
			t.Fatalf("a lead promised a callback is %s", s)
		}
		evidence, _, err := f.svc.Compliance.EvidenceFor(f.client, back.Lead.Phone, &back.Lead.ID, store.Page{})
		ok(t, err)
		var callbacks []bool
		for _, e := range evidence {
			if e.Purpose == compliance.PurposeCallback {
				callbacks = append(callbacks, e.Decision.Allowed)
			}
		}
		if len(callbacks) != 2 {
			t.Fatalf("the callback's decisions kept as evidence: %v, want a refusal and a leave", callbacks)
		}
		clk.now = morning.Add(-time.Minute)
		if next, found := f.claim(t, f.atlas); found && next.Lead.ID == back.Lead.ID {
			t.Fatal("the callback came before its time")
		}
		// Its owner takes it at its time; the others, and a predictive
		// dial, only once the owner's grace ended.
		clk.now = morning
		for who, agent := range map[string]*uuid.UUID{"another agent": &atlas.otherID, "a predictive dial": nil} {
			if next, found := f.claimFor(t, f.atlas, agent); found && next.Lead.ID == back.Lead.ID {
				t.Fatalf("%s took the callback its owner owns", who)
			}
		}
		// Asked in one batch behind the others, the owner still gets it.
		ask := func(agent *uuid.UUID) dispatch.ClaimRequest {
			return dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: f.atlas.ID, Agent: agent}
		}
		batch, found2, errs, err := f.svc.Dispatch.ClaimTogether(f.client, []dispatch.ClaimRequest{ask(&atlas.otherID), ask(nil), ask(&atlas.agentID)})
		ok(t, err)
		for i, who := range []string{"another agent", "a predictive dial", "its owner"} {
			if errs[i] != nil || (found2[i] && batch[i].Lead.ID == back.Lead.ID) != (who == "its owner") {
				t.Fatalf("in a batch, %s's next lead: %s (found %v, %v); the callback is %s", who, batch[i].Lead.ID, found2[i], errs[i], back.Lead.ID)
			}
		}
		mine := batch[2]
		ok(t, calls.Release(f.client, mine.Call.ID, "the owner went away"))
		clk.now = morning.Add(dispatch.OwnerGrace)
		if next, found := f.claimFor(t, f.atlas, &atlas.otherID); !found || next.Lead.ID != back.Lead.ID {
			t.Fatalf("after the owner's grace another agent's next lead is %+v (found %v), want %s", next.Lead, found, back.Lead.ID)
		}
	})
}

// TestAPreviewLeadIsTakenAndSkippedByItsAgent: an agent ready on a
// campaign takes its next lead, reads it masked, and may give it back
// undialled: no attempt is counted and the lead comes back behind the
// others.
func TestAPreviewLeadIsTakenAndSkippedByItsAgent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clk := newClock(db.App, tuesdayMorning)
		f := runningFloor(t, db.App, 6)
		atlas, teranga := staffOf(t, db.App, f.atlasCtx, "atlas.example"), staffOf(t, db.App, f.terCtx, "teranga.example")
		id := f.campaign.ID
		_, err := f.svc.Dispatch.Fill(f.client, id)
		ok(t, err)
		if _, _, err := f.svc.Agents.Next(atlas.agent, id); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("the next lead for an agent not assigned: %v", err)
		}
		_, err = f.svc.Assignments.Assign(atlas.supervisor, atlas.agentID, id)
		ok(t, err)
		if _, _, err := f.svc.Agents.Next(atlas.agent, id); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("the next lead for an agent not ready: %v", err)
		}
		if _, _, err := f.svc.Agents.Next(teranga.agent, id); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("Teranga's agent, not assigned: %v", err)
		}
		_, err = f.svc.Presence.Set(atlas.agent, presence.Ready, "", &id)
		ok(t, err)
		c, found, err := f.svc.Agents.Next(atlas.agent, id)
		if err != nil || !found || c.Call.AgentID == nil || *c.Call.AgentID != atlas.agentID || *c.Call.ContractID != f.atlas.ID {
			t.Fatalf("the next lead: %+v (found %v, %v)", c, found, err)
		}
		unmasked, err := f.svc.Calls.Get(f.client, c.Call.ID)
		ok(t, err)
		if c.Call.Phone == unmasked.Phone || c.Lead.Phone == unmasked.Phone || c.Lead.Email != "" {
			t.Fatalf("the agent reads the number: %+v", c)
		}
		if p, err := f.svc.Presence.Get(atlas.agent, atlas.agentID); err != nil || p.State != presence.Reserved || *p.CallID != c.Call.ID {
			t.Fatalf("the agent's presence with a lead in hand: %+v (%v)", p, err)
		}
		current, found, err := f.svc.Agents.Current(atlas.agent)
		if err != nil || !found || current.Call.ID != c.Call.ID || current.Lead.ID != c.Lead.ID || current.Lead.Phone == unmasked.Phone {
			t.Fatalf("the agent's current call: %+v (found %v, %v)", current, found, err)
		}
		if _, found, err := f.svc.Agents.Current(atlas.other); found || err != nil {
			t.Fatalf("another agent's current call: %v %v", found, err)
		}

		if err := f.svc.Calls.Skip(atlas.other, c.Call.ID, "doublon"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another agent skipping the lead: %v", err)
		}
		if err := f.svc.Calls.Skip(atlas.agent, c.Call.ID, " "); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a skip without a reason: %v", err)
		}
		clk.advance(time.Minute)
		ok(t, f.svc.Calls.Skip(atlas.agent, c.Call.ID, "doublon d'un client existant"))
		if _, err := f.svc.Calls.Get(f.client, c.Call.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the skipped call is still there: %v", err)
		}
		if s := f.leadStatus(t, c.Lead.ID); s != lead.Ready {
			t.Fatalf("a skipped fresh lead is %s", s)
		}
		if p, err := f.svc.Presence.Get(atlas.agent, atlas.agentID); err != nil || p.State != presence.Ready || p.CallID != nil {
			t.Fatalf("the agent after a skip: %+v (%v)", p, err)
		}
		next, found, err := f.svc.Agents.Next(atlas.agent, id)
		if err != nil || !found || next.Lead.ID == c.Lead.ID {
			t.Fatalf("after a skip the next lead is %+v (found %v, %v), want another", next.Lead, found, err)
		}
		ok(t, f.svc.Dispatch.Dialed(f.client, next.Call.ID, clk.now))
		if err := f.svc.Calls.Skip(atlas.agent, next.Call.ID, "trop tard"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("skipping a dialled call: %v", err)
		}
		all, _, err := f.svc.Calls.List(f.client, id, store.Page{})
		if err != nil || len(all) != 1 {
			t.Fatalf("calls after a skip: %d (%v), want the one dialled", len(all), err)
		}
	})
}

// TestTheEngineReleasesAnUndialledClaim: the campaign's client gives back
// a claim it never dialled, which counts as no attempt; another client
// cannot.
func TestTheEngineReleasesAnUndialledClaim(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		newClock(db.App, tuesdayMorning)
		f := runningFloor(t, db.App, 2)
		_, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		c, found := f.claim(t, f.atlas)
		if !found {
			t.Fatal("nothing to claim")
		}
		other, _ := actingAs(t, db.App, tenancy.KindClient, "Autre Client", "FR")
		if err := f.svc.Calls.Release(other, c.Call.ID, "agent gone"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client releasing the claim: %v", err)
		}
		if err := f.svc.Calls.Release(f.atlasCtx, c.Call.ID, "agent gone"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the center releasing in the client's stead: %v", err)
		}
		ok(t, f.svc.Calls.Release(f.client, c.Call.ID, "agent gone"))
		if _, err := f.svc.Calls.Get(f.client, c.Call.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the released call is still there: %v", err)
		}
		if s := f.leadStatus(t, c.Lead.ID); s != lead.Ready {
			t.Fatalf("a released fresh lead is %s", s)
		}
		again, found := f.claim(t, f.atlas)
		if !found || again.Lead.ID != c.Lead.ID {
			t.Fatalf("after the release the next claim is %+v (found %v), want the lead back", again.Lead, found)
		}
		ok(t, f.svc.Dispatch.Dialed(f.client, again.Call.ID, tuesdayMorning))
		if err := f.svc.Calls.Release(f.client, again.Call.ID, "too late"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("releasing a dialled call: %v", err)
		}
	})
}
