package store_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/store"
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
		_, err := f.svc.Trunks.Add(atlas.supervisor, store.NewTrunk{Name: "Orange", Trunk: dialing.Trunk{Host: "sip.example",
			CallerIDs: []string{"+41225550000"}, MaxConcurrent: 10, CallsPerSecond: 5}})
		ok(t, err)
		c := previewInHand(t, f, atlas)
		if c.Call.CallerID != "+41225550000" {
			t.Fatalf("the preview claim presents %q, want the center's trunk's number", c.Call.CallerID)
		}
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

// TestACallerIDTheRulesRefuseBlocksNoLead: a French prospecting call must
// present a number of the NPV ranges. A claim presenting none is refused
// with why, and the lead stays queued for the claim that presents one.
func TestACallerIDTheRulesRefuseBlocksNoLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		newClock(db.App, tuesdayMorning.Add(-30*time.Minute)) // 09:30 in Paris, inside the decree's hours
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		atlas, atlasOrg := actingAs(t, db.App, tenancy.KindCenter, "Atlas Contact", "MA")
		platform, _ := actingAs(t, db.App, tenancy.KindPlatform, "Plateau", "FR")
		signed, expires := time.Now().AddDate(-1, 0, 0), time.Now().AddDate(2, 0, 0)
		_, err := svc.Compliance.SaveCenterProfile(atlas, compliance.CenterProfile{SCCSignedAt: &signed, SCCModule: "2", TIAOnFile: true,
			AuthorityRef: "D-GC-1", AuthorityExpiresAt: &expires})
		ok(t, err)
		_, err = svc.Compliance.VerifyCenterProfile(platform, atlasOrg.ID)
		ok(t, err)
		x := publish(t, svc, client, campaign.Input{Name: "Nouveautés", Kind: "prospecting", Audience: "b2c",
			Country: "FR", Languages: []string{"fr"}, Volume: 1, DialingMode: string(campaign.Progressive)})
		start := tuesdayMorning
		o, err := submit(svc, atlas, x.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
			Seats: 1, Languages: []string{"fr"}, StartsOn: &start})
		ok(t, err)
		k, err := svc.Market.Accept(client, x.ID, o.ID)
		ok(t, err)
		_, err = svc.Market.Confirm(atlas, k.ID)
		ok(t, err)
		captured := tuesdayMorning.AddDate(0, -1, 0)
		_, err = svc.Compliance.RecordConsents(client, "FR", []compliance.NewConsent{{Phone: "06 12 34 56 78", Source: "web form",
			CapturedAt: &captured, Kinds: []string{"prospecting"}}})
		ok(t, err)
		importFile(t, svc, client, x.ID, "Téléphone;Nom\n06 12 34 56 78;Favre\n")
		_, err = svc.Campaigns.Move(client, x.ID, campaign.Start)
		ok(t, err)
		_, err = svc.Dispatch.Fill(client, x.ID)
		ok(t, err)

		req := dispatch.ClaimRequest{CampaignID: x.ID, ContractID: k.ID}
		// In a batch, the claim presenting no number fails alone.
		npv := req
		npv.CallerID = "+33948000001"
		_, found2, errs, err := svc.Dispatch.ClaimTogether(client, []dispatch.ClaimRequest{req, npv})
		if e := apperr.As(errs[0]); err != nil || e == nil || e.Code != "store.dispatch.caller_id" || found2[0] || errs[1] != nil || found2[1] {
			t.Fatalf("a batch of a claim presenting no number and one presenting an NPV number (the only lead went to the first): %v, %v (found %v)", err, errs, found2)
		}
		_, found, err := svc.Dispatch.Claim(client, req)
		if e := apperr.As(err); e == nil || e.Code != "store.dispatch.caller_id" || found {
			t.Fatalf("a claim presenting no number: %v (found %v)", err, found)
		}
		req.CallerID = "+33948000001"
		c, found, err := svc.Dispatch.Claim(client, req)
		if err != nil || !found || c.Call.CallerID != req.CallerID {
			t.Fatalf("the claim presenting an NPV number: %+v (found %v, %v)", c.Call, found, err)
		}
	})
}
