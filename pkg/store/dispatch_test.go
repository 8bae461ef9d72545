package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// tuesdayMorning is inside the default rule set's hours in Geneva.
var tuesdayMorning = time.Date(2027, 1, 12, 9, 30, 0, 0, time.UTC) // 10:30 in Geneva

// floor is a running campaign of Maison Lumière, worked by Atlas (two
// seats) and Teranga (one), with its leads.
type floor struct {
	svc              store.Services
	client           context.Context
	clientOrg        tenancy.Org
	campaign         campaign.Campaign
	atlas, teranga   market.Contract
	atlasCtx, terCtx context.Context
}

func runningFloor(t *testing.T, d *store.DB, leads int) floor {
	t.Helper()
	return runningFloorDialing(t, d, leads, campaign.Progressive)
}

// runningFloorDialing is runningFloor, its campaign dialled in mode.
func runningFloorDialing(t *testing.T, d *store.DB, leads int, mode campaign.DialingMode) floor {
	t.Helper()
	f := floor{svc: services(d)}
	f.client, f.clientOrg = actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
	f.atlasCtx, _ = actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
	f.terCtx, _ = actingAs(t, d, tenancy.KindCenter, "Teranga", "SN")
	x := publish(t, f.svc, f.client, campaign.Input{Name: "Relance Genève", Kind: "customer_care", Audience: "b2c",
		Country: "CH", Languages: []string{"fr"}, Volume: leads, DialingMode: string(mode)})
	start := tuesdayMorning
	offer := func(center context.Context, seats int) market.Offer {
		o, err := submit(f.svc, center, x.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
			Seats: seats, Languages: []string{"fr"}, StartsOn: &start})
		ok(t, err)
		return o
	}
	contract := func(center context.Context, o market.Offer) market.Contract {
		k, err := f.svc.Market.Accept(f.client, x.ID, o.ID)
		ok(t, err)
		confirmed, err := f.svc.Market.Confirm(center, k.ID)
		ok(t, err)
		return confirmed.Contract
	}
	atlasOffer, terangaOffer := offer(f.atlasCtx, 2), offer(f.terCtx, 1)
	f.atlas, f.teranga = contract(f.atlasCtx, atlasOffer), contract(f.terCtx, terangaOffer)
	var file strings.Builder
	file.WriteString("Téléphone;Nom\n")
	for i := range leads {
		fmt.Fprintf(&file, "+41 22 345 %02d %02d;Client %d\n", i/100, i%100, i)
	}
	importFile(t, f.svc, f.client, x.ID, file.String())
	var err error
	f.campaign, err = f.svc.Campaigns.Move(f.client, x.ID, campaign.Start)
	ok(t, err)
	return f
}

func (f floor) claim(t *testing.T, contract market.Contract) (dispatch.Claim, bool) {
	t.Helper()
	return f.claimFor(t, contract, nil)
}

// claimFor claims the contract's next lead for agent (nil: a predictive
// dial).
func (f floor) claimFor(t *testing.T, contract market.Contract, agent *uuid.UUID) (dispatch.Claim, bool) {
	t.Helper()
	c, found, err := f.svc.Dispatch.Claim(f.client, dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: contract.ID, Agent: agent})
	ok(t, err)
	return c, found
}

// TestDispatchSharesLeadsAndRetriesWithinTheRules: a started campaign's
// leads are queued once, shared by seats; a claim opens a call under the
// rules with its evidence; a busy line comes back after the policy's ten
// minutes, not before.
func TestDispatchSharesLeadsAndRetriesWithinTheRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		now := tuesdayMorning
		db.App.Now = func() time.Time { return now }
		f := runningFloor(t, db.App, 6)
		queued, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		if again, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID); queued != 6 || again != 0 || err != nil {
			t.Fatalf("queued %d, then %d more (%v); want 6 then 0", queued, again, err)
		}

		got := map[uuid.UUID]int{}
		var first dispatch.Claim
		for _, k := range []market.Contract{f.atlas, f.teranga} {
			for {
				c, found := f.claim(t, k)
				if !found {
					break
				}
				if c.Call.ContractID == nil || *c.Call.ContractID != k.ID || c.Call.RuleSet == "" || c.Lead.Status != lead.InCall {
					t.Fatalf("claim: %+v", c)
				}
				if first.Call.ID == uuid.Nil {
					first = c
				}
				got[k.ID]++
			}
		}
		if got[f.atlas.ID] != 4 || got[f.teranga.ID] != 2 {
			t.Fatalf("claims per contract: Atlas %d, Teranga %d; want 4 and 2 (seats 2:1)", got[f.atlas.ID], got[f.teranga.ID])
		}

		ring := dialing.Event{CallID: first.Call.ID, Kind: dialing.EventRinging, At: now.Add(2 * time.Second)}
		ok(t, f.svc.Dispatch.Record(f.client, ring))
		ok(t, f.svc.Dispatch.Record(f.client, dialing.Event{CallID: first.Call.ID, Kind: dialing.EventRinging, At: now.Add(5 * time.Second)}))
		busy := dialing.Event{CallID: first.Call.ID, Kind: dialing.EventEnded, At: now.Add(20 * time.Second), Result: dialing.Busy, Cause: "486 Busy Here"}
		ok(t, f.svc.Dispatch.Record(f.client, busy))
		ok(t, f.svc.Dispatch.Record(f.client, busy)) // a repeated end changes nothing
		ended, err := f.svc.Calls.Get(f.client, first.Call.ID)
		ok(t, err)
		if ended.RingingAt == nil || !ended.RingingAt.Equal(ring.At) || ended.Result != dialing.Busy || ended.EndedAt == nil || !ended.EndedAt.Equal(busy.At) {
			t.Fatalf("the call after ringing twice and ending busy twice: %+v", ended)
		}
		now = now.Add(9 * time.Minute)
		if c, found := f.claim(t, f.atlas); found {
			t.Fatalf("a busy lead came back after 9 minutes: %+v", c)
		}
		now = now.Add(2 * time.Minute)
		again, found := f.claim(t, f.atlas)
		if !found || again.Lead.ID != first.Lead.ID || again.Call.ID == first.Call.ID {
			t.Fatalf("the busy lead after 11 minutes: %+v (found %v), want lead %s in a new call", again, found, first.Lead.ID)
		}
	})
}

// TestAClaimIsNeverDoubled: claimers racing on one contract never get the
// same lead, and get them all.
func TestAClaimIsNeverDoubled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		db.App.Now = func() time.Time { return tuesdayMorning }
		f := runningFloor(t, db.App, 60)
		_, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		seen := map[uuid.UUID]int{}
		// One batch across both contracts: a lead each, of its contract.
		var reqs []dispatch.ClaimRequest
		for range 4 {
			reqs = append(reqs, dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: f.atlas.ID},
				dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: f.teranga.ID})
		}
		batch, found, errs, err := f.svc.Dispatch.ClaimTogether(f.client, reqs)
		ok(t, err)
		for i, c := range batch {
			if errs[i] != nil || !found[i] || *c.Call.ContractID != reqs[i].ContractID || seen[c.Lead.ID] > 0 {
				t.Fatalf("claim %d of a batch: lead %s of contract %v (found %v, %v), leads before %v", i, c.Lead.ID, c.Call.ContractID, found[i], errs[i], seen)
			}
			if reqs[i].ContractID == f.atlas.ID {
				seen[c.Lead.ID]++
			}
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for {
					c, found, err := f.svc.Dispatch.Claim(f.client, dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: f.atlas.ID})
					if err != nil {
						t.Error(err)
						return
					}
					if !found {
						return
					}
					mu.Lock()
					seen[c.Lead.ID]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for id, n := range seen {
			if n != 1 {
				t.Errorf("lead %s claimed %d times", id, n)
			}
		}
		if len(seen) != 40 {
			t.Errorf("Atlas's share claimed: %d leads, want 40 (two thirds of 60)", len(seen))
		}
	})
}

// TestDispatchIsTheClientsOnly: another client can neither queue nor claim
// the campaign's leads, nor end its calls.
func TestDispatchIsTheClientsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		db.App.Now = func() time.Time { return tuesdayMorning }
		f := runningFloor(t, db.App, 3)
		other, _ := actingAs(t, db.App, tenancy.KindClient, "Autre Client", "FR")
		if _, err := f.svc.Dispatch.Fill(other, f.campaign.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client filling the queue: %v", err)
		}
		_, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		if c, found, err := f.svc.Dispatch.Claim(other, dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: f.atlas.ID}); found || !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client claimed %+v (%v)", c, err)
		}
		if _, _, err := f.svc.Dispatch.Claim(f.atlasCtx, dispatch.ClaimRequest{CampaignID: f.campaign.ID, ContractID: f.atlas.ID}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the center claiming in its own name: %v", err)
		}
		c, found := f.claim(t, f.atlas)
		if !found {
			t.Fatal("nothing to claim")
		}
		ok(t, f.svc.Dispatch.Record(other, dialing.Event{CallID: c.Call.ID, Kind: dialing.EventEnded, At: tuesdayMorning, Result: dialing.Failed}))
		if k, err := f.svc.Calls.Get(f.client, c.Call.ID); err != nil || !k.Open() {
			t.Fatalf("another client ended the call: %+v (%v)", k, err)
		}
		if _, _, err := f.svc.Calls.List(other, f.campaign.ID, store.Page{}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client listing the campaign's calls: %v", err)
		}
		if _, err := f.svc.Calls.Get(other, c.Call.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client reading the call: %v", err)
		}
		atlasCalls, _, err := f.svc.Calls.List(f.atlasCtx, f.campaign.ID, store.Page{})
		ok(t, err)
		if len(atlasCalls) != 1 || atlasCalls[0].ID != c.Call.ID || atlasCalls[0].Phone == c.Call.Phone {
			t.Fatalf("Atlas's calls: %+v; want its one call, the number masked", atlasCalls)
		}
		terangaCalls, _, err := f.svc.Calls.List(f.terCtx, f.campaign.ID, store.Page{})
		if err != nil || len(terangaCalls) != 0 {
			t.Fatalf("Teranga reads Atlas's calls: %+v (%v)", terangaCalls, err)
		}
	})
}

// TestPacingIsTheClientsOnly: another client can take no pacer lease on
// the campaign, reaps none of its claims, and reads neither its shares
// nor its figures.
func TestPacingIsTheClientsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		db.App.Now = func() time.Time { return tuesdayMorning }
		f := runningFloor(t, db.App, 3)
		other, _ := actingAs(t, db.App, tenancy.KindClient, "Autre Client", "FR")
		if held, err := f.svc.Execution.Pace(other, f.campaign.ID, "intruder", time.Minute); held || !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client took the pacer lease: %v %v", held, err)
		}
		if held, err := f.svc.Execution.Pace(f.client, f.campaign.ID, "pacer", time.Minute); !held || err != nil {
			t.Fatalf("the client's pacer: %v %v", held, err)
		}
		_, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		c, found := f.claim(t, f.atlas)
		if !found {
			t.Fatal("nothing to claim")
		}
		db.App.Now = func() time.Time { return tuesdayMorning.Add(time.Hour) } // its lease lapsed
		if n, err := f.svc.Execution.Reap(other, f.campaign.ID); n != 0 || err != nil {
			t.Fatalf("another client reaped %d claims (%v)", n, err)
		}
		if shares, err := f.svc.Execution.Shares(other, f.campaign.ID); len(shares) != 0 || err != nil {
			t.Fatalf("another client read the shares %v (%v)", shares, err)
		}
		sum, err := f.svc.Execution.Summarize(other, f.campaign.ID, tuesdayMorning, tuesdayMorning.Add(2*time.Hour))
		if err != nil || sum.Attempts != 0 {
			t.Fatalf("another client read %d attempts (%v)", sum.Attempts, err)
		}
		if n, err := f.svc.Execution.Reap(f.client, f.campaign.ID); n != 1 || err != nil {
			t.Fatalf("the client reaped %d claims (%v), want 1", n, err)
		}
		k, err := f.svc.Calls.Get(f.client, c.Call.ID)
		ok(t, err)
		if k.Result != dialing.Failed || k.Cause != call.Interrupted {
			t.Fatalf("the lapsed call ended %q (%q)", k.Result, k.Cause)
		}
	})
}
