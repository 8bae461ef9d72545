package store_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestAnAgentAsksThePacerToDialAndHangUp: the agent holding a preview
// call asks to dial it, then to hang it up; the campaign's client (its
// pacer) reads each request once, unmasked; no one else may ask, and no
// other client reads them.
func TestAnAgentAsksThePacerToDialAndHangUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clk := newClock(db.App, tuesdayMorning)
		f := runningFloorDialing(t, db.App, 4, campaign.Preview)
		atlas, teranga := staffOf(t, db.App, f.atlasCtx, "atlas.example"), staffOf(t, db.App, f.terCtx, "teranga.example")
		other, _ := actingAs(t, db.App, tenancy.KindClient, "Autre Boutique", "FR")
		id := f.campaign.ID
		c := previewInHand(t, f, atlas)
		asked := func() dispatch.Requests {
			t.Helper()
			r, err := f.svc.Dispatch.Requests(f.client, id)
			ok(t, err)
			return r
		}

		for _, stranger := range []struct {
			name string
			err  error
		}{
			{"another agent", f.svc.Calls.RequestDial(atlas.other, c.Call.ID)},
			{"another center's supervisor", f.svc.Calls.RequestDial(teranga.supervisor, c.Call.ID)},
			{"the client", f.svc.Calls.RequestDial(f.client, c.Call.ID)},
		} {
			if !apperr.Is(stranger.err, apperr.NotFound) && !apperr.Is(stranger.err, apperr.Forbidden) {
				t.Fatalf("%s asked to dial the agent's call: %v", stranger.name, stranger.err)
			}
		}
		if err := f.svc.Calls.RequestHangup(atlas.agent, c.Call.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("hanging up a call not dialled: %v", err)
		}
		if r := asked(); len(r.Dials)+len(r.Hangups) != 0 {
			t.Fatalf("requests before any: %+v", r)
		}
		ok(t, f.svc.Calls.RequestDial(atlas.agent, c.Call.ID))
		ok(t, f.svc.Calls.RequestDial(atlas.supervisor, c.Call.ID)) // asked twice: one request
		r := asked()
		if len(r.Dials) != 1 || r.Dials[0].Call.ID != c.Call.ID || r.Dials[0].Lead.ID != c.Lead.ID ||
			r.Dials[0].Lead.Phone != r.Dials[0].Call.Phone || r.Dials[0].Lead.Phone == c.Lead.Phone {
			t.Fatalf("the pacer reads %+v; want the unmasked dial of %s", r, c.Call.ID)
		}
		if r, err := f.svc.Dispatch.Requests(other, id); err != nil || len(r.Dials)+len(r.Hangups) != 0 {
			t.Fatalf("another client reads the requests %+v (%v)", r, err)
		}

		ok(t, f.svc.Dispatch.Dialed(f.client, c.Call.ID, clk.now))
		if r := asked(); len(r.Dials) != 0 {
			t.Fatalf("a dialled call is still to dial: %+v", r)
		}
		if err := f.svc.Calls.RequestDial(atlas.agent, c.Call.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("dialling a dialled call: %v", err)
		}
		if err := f.svc.Calls.RequestHangup(teranga.supervisor, c.Call.ID); !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("another center's supervisor hung up the call: %v", err)
		}
		ok(t, f.svc.Calls.RequestHangup(atlas.supervisor, c.Call.ID))
		if r := asked(); len(r.Hangups) != 1 || r.Hangups[0] != c.Call.ID {
			t.Fatalf("the pacer reads %+v; want the hang-up of %s", r, c.Call.ID)
		}
		if r, err := f.svc.Dispatch.Requests(other, id); err != nil || len(r.Dials)+len(r.Hangups) != 0 {
			t.Fatalf("another client reads the requests %+v (%v)", r, err)
		}
		ok(t, f.svc.Dispatch.Record(f.client, dialing.Event{CallID: c.Call.ID, Kind: dialing.EventEnded, At: clk.now.Add(time.Second),
			Result: dialing.NoAnswer, Cause: "CANCEL by Plateau"}))
		if r := asked(); len(r.Dials)+len(r.Hangups) != 0 {
			t.Fatalf("an ended call is still asked of: %+v", r)
		}
		if err := f.svc.Calls.RequestHangup(atlas.agent, c.Call.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("hanging up an ended call: %v", err)
		}
	})
}

// TestAPreviewLeadLeftUnreadGoesBackWithoutAnAttempt: a preview lead whose
// agent neither dialled it nor asked to before its lease ended goes back
// to the queue, no attempt counted, and its agent is ready again; one
// whose dial was asked ends as interrupted — the dial may have been placed
// — and counts.
func TestAPreviewLeadLeftUnreadGoesBackWithoutAnAttempt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		clk := newClock(db.App, tuesdayMorning)
		f := runningFloorDialing(t, db.App, 4, campaign.Preview)
		atlas := staffOf(t, db.App, f.atlasCtx, "atlas.example")
		id := f.campaign.ID
		unread := previewInHand(t, f, atlas)

		clk.advance(dispatch.Lease + time.Second)
		n, err := f.svc.Execution.Reap(f.client, id)
		if err != nil || n != 1 {
			t.Fatalf("reaped %d (%v), want the unread lead", n, err)
		}
		if _, err := f.svc.Calls.Get(f.client, unread.Call.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the unread lead's call is still there, an attempt: %v", err)
		}
		if s := f.leadStatus(t, unread.Lead.ID); s != lead.Ready {
			t.Fatalf("the unread lead is %s", s)
		}
		if p, err := f.svc.Presence.Get(atlas.agent, atlas.agentID); err != nil || p.State != presence.Ready || p.CallID != nil {
			t.Fatalf("the agent whose lead went back: %+v (%v)", p, err)
		}

		asked, found, err := f.svc.Agents.Next(atlas.agent, id)
		if err != nil || !found {
			t.Fatalf("the next lead: %v %v", found, err)
		}
		ok(t, f.svc.Calls.RequestDial(atlas.agent, asked.Call.ID))
		clk.advance(dispatch.Lease + time.Second)
		if n, err := f.svc.Execution.Reap(f.client, id); err != nil || n != 1 {
			t.Fatalf("reaped %d (%v), want the call asked to dial", n, err)
		}
		k, err := f.svc.Calls.Get(f.client, asked.Call.ID)
		if err != nil || k.Result != dialing.Failed || k.Cause != call.Interrupted {
			t.Fatalf("the call asked to dial whose pacer vanished: %+v (%v)", k, err)
		}
	})
}

// previewInHand has staff's agent ready on f's campaign take its next
// lead.
func previewInHand(t *testing.T, f floor, s staff) dispatch.Claim {
	t.Helper()
	id := f.campaign.ID
	_, err := f.svc.Dispatch.Fill(f.client, id)
	ok(t, err)
	_, err = f.svc.Assignments.Assign(s.supervisor, s.agentID, id)
	ok(t, err)
	_, err = f.svc.Presence.Set(s.agent, presence.Ready, "", &id)
	ok(t, err)
	c, found, err := f.svc.Agents.Next(s.agent, id)
	if err != nil || !found {
		t.Fatalf("the next lead: %+v (found %v, %v)", c, found, err)
	}
	return c
}
