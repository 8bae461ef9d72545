package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// actingAs returns a context acting as an owner of a new org.
func actingAs(t *testing.T, db *store.DB, kind tenancy.OrgKind, name, country string) (context.Context, tenancy.Org) {
	t.Helper()
	org, err := db.CreateOrg(context.Background(), tenancy.NewOrgInput{Kind: kind, Name: name, Country: country}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.WithPrincipal(context.Background(), tenancy.Principal{Kind: tenancy.ActorSystem, Label: "test",
		OrgID: org.ID, OrgKind: org.Kind, Role: tenancy.OwnerRole(kind)}), org
}

// submit makes ctx's center's offer on a campaign and returns it.
func submit(svc store.Services, ctx context.Context, campaignID uuid.UUID, in market.OfferInput) (market.Offer, error) {
	out, err := svc.Market.SubmitOffer(ctx, campaignID, in)
	if err != nil {
		return market.Offer{}, err
	}
	return out.Offers[0].Offer, nil
}

// publish creates a campaign for ctx's client and publishes it.
func publish(t *testing.T, svc store.Services, ctx context.Context, in campaign.Input) campaign.Campaign {
	t.Helper()
	c, err := svc.Campaigns.Create(ctx, in)
	ok(t, err)
	c, err = svc.Campaigns.Move(ctx, c.ID, campaign.Publish)
	ok(t, err)
	return c
}

// TestMarketplaceSharesACampaignOnlyThroughItsContract walks a campaign
// from draft to running with two clients and two centers, checking at each
// step who sees what.
func TestMarketplaceSharesACampaignOnlyThroughItsContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		clientA, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		clientB, _ := actingAs(t, d, tenancy.KindClient, "Rival", "FR")
		atlas, atlasOrg := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		teranga, _ := actingAs(t, d, tenancy.KindCenter, "Teranga", "SN")
		platform, _ := actingAs(t, d, tenancy.KindPlatform, "Plateau", "FR")

		in := campaign.Input{Name: "Relance paniers abandonnés", Kind: "customer_care", Audience: "b2c", Country: "FR", Languages: []string{"fr"}, Volume: 5000}
		x, err := svc.Campaigns.Create(clientA, in)
		ok(t, err)
		in.Name = "Prise de rendez-vous B2B"
		y, err := svc.Campaigns.Create(clientA, in)
		ok(t, err)

		seen := func(ctx context.Context, id uuid.UUID) error {
			_, err := svc.Campaigns.Get(ctx, id)
			return err
		}
		open := func(ctx context.Context) int {
			list, _, err := svc.Campaigns.OpenRequests(ctx, store.Page{})
			ok(t, err)
			return len(list)
		}
		// A draft is the client's alone.
		if err := seen(atlas, x.ID); !apperr.Is(err, apperr.NotFound) || open(atlas) != 0 {
			t.Fatalf("a center sees a draft: %v", err)
		}
		// Published, centers see it on the marketplace; the other client does not.
		_, err = svc.Campaigns.Move(clientA, x.ID, campaign.Publish)
		ok(t, err)
		_, err = svc.Campaigns.Move(clientA, y.ID, campaign.Publish)
		ok(t, err)
		if err := seen(atlas, x.ID); err != nil || open(atlas) != 2 || open(clientB) != 0 {
			t.Fatalf("open requests: atlas %d (%v), client B %d", open(atlas), err, open(clientB))
		}
		if err := seen(clientB, x.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client sees the campaign: %v", err)
		}
		// A center may not act on an open request it has no contract for.
		if _, err := svc.Campaigns.Move(atlas, x.ID, campaign.Cancel); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a center cancelling a client's open request: %v", err)
		}

		start := time.Now().AddDate(0, 0, 7)
		offerIn := market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerMinute: 420_000, Minimum: 30, Increment: 6},
			Seats: 10, Languages: []string{"fr"}, StartsOn: &start}
		bad := offerIn
		bad.RateCard.PerMinute = -1
		if _, err := submit(svc, atlas, x.ID, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a negative price: %v", err)
		}
		atlasOffer, err := submit(svc, atlas, x.ID, offerIn)
		ok(t, err)
		_, err = submit(svc, teranga, x.ID, offerIn)
		ok(t, err)
		yOffer, err := submit(svc, atlas, y.ID, offerIn)
		ok(t, err)
		count := func(ctx context.Context) int {
			out, err := svc.Market.Offers(ctx, x.ID)
			ok(t, err)
			return len(out.Offers)
		}
		if count(clientA) != 2 || count(atlas) != 1 || count(teranga) != 1 {
			t.Fatalf("offers seen: client A %d, Atlas %d, Teranga %d", count(clientA), count(atlas), count(teranga))
		}
		if out, err := svc.Market.Offers(clientB, x.ID); !apperr.Is(err, apperr.NotFound) || len(out.Offers) != 0 {
			t.Fatalf("another client reads the offers: %+v %v", out, err)
		}

		// Accepting an offer on a cancelled campaign is refused, nothing changes.
		_, err = svc.Campaigns.Move(clientA, y.ID, campaign.Cancel)
		ok(t, err)
		if _, err := svc.Market.Accept(clientA, y.ID, yOffer.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("accepting an offer on a cancelled campaign: %v", err)
		}
		if _, err := svc.Market.Accept(clientB, x.ID, atlasOffer.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client accepting the offer: %v", err)
		}
		contract, err := svc.Market.Accept(clientA, x.ID, atlasOffer.ID)
		ok(t, err)
		if contract.Status != market.ContractPending || contract.RateCard.PerMinute != 420_000 || contract.CenterName != "Atlas Contact" {
			t.Fatalf("contract: %+v", contract)
		}

		// Only the center confirms; French leads may not go to Atlas
		// (Morocco) before its profile allows it.
		for name, ctx := range map[string]context.Context{"the client": clientA, "another center": teranga} {
			if _, err := svc.Market.Confirm(ctx, contract.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("%s confirming Atlas's contract: %v", name, err)
			}
		}
		if _, err := svc.Market.Confirm(atlas, contract.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("confirming without a data-protection profile: %v", err)
		}
		signed, expires := time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0)
		_, err = svc.Compliance.SaveCenterProfile(atlas, compliance.CenterProfile{SCCSignedAt: &signed, SCCModule: "2", TIAOnFile: true,
			AuthorityRef: "D-GC-1", AuthorityExpiresAt: &expires})
		ok(t, err)
		_, err = svc.Compliance.VerifyCenterProfile(platform, atlasOrg.ID)
		ok(t, err)
		active, err := svc.Market.Confirm(atlas, contract.ID)
		ok(t, err)
		if active.Status != market.ContractActive {
			t.Fatalf("confirmed contract: %+v", active)
		}

		// Now Atlas sees the campaign as its own work; Teranga, with no contract, does not.
		list, _, err := svc.Campaigns.List(atlas, store.Page{})
		ok(t, err)
		if len(list) != 1 || list[0].ID != x.ID || list[0].Status != campaign.Contracted {
			t.Fatalf("Atlas's campaigns: %+v", list)
		}
		if err := seen(teranga, x.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a center without a contract sees the contracted campaign: %v", err)
		}
		// Atlas's contract for X shows nothing of Y.
		if err := seen(atlas, y.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Atlas sees campaign Y: %v", err)
		}
		running, err := svc.Campaigns.Move(atlas, x.ID, campaign.Start)
		ok(t, err)
		if running.Status != campaign.Running {
			t.Fatalf("started: %+v", running)
		}
		if _, err := svc.Campaigns.Move(clientB, x.ID, campaign.Pause); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client pausing: %v", err)
		}
	})
}

func TestACampaignIsContractedOnlyByConfirmingAContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		x := publish(t, svc, client, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "CH", Languages: []string{"fr"}})
		for _, ctx := range []context.Context{client, center} {
			if _, err := svc.Campaigns.Move(ctx, x.ID, campaign.Contract); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("asking for the contract move: %v", err)
			}
		}
		if c, err := svc.Campaigns.Get(client, x.ID); err != nil || c.Status != campaign.Open {
			t.Fatalf("the campaign moved to %s (%v)", c.Status, err)
		}
	})
}

// TestAnEndedCampaignEndsItsContracts: once its client cancels or
// completes a campaign, the centers that worked it stop reading it — the
// campaign, its leads, its script — and a contract still pending cannot be
// confirmed any more; the client keeps everything, and each center still
// recognises its own offer.
func TestAnEndedCampaignEndsItsContracts(t *testing.T) {
	for _, end := range []campaign.Event{campaign.Cancel, campaign.Complete} {
		t.Run(string(end), func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
				d := db.App
				svc := services(d)
				client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
				atlas, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
				teranga, _ := actingAs(t, d, tenancy.KindCenter, "Teranga", "SN")
				// Atlas and Teranga answer the request; Atlas's contract is
				// active, Teranga's accepted and left pending.
				x := publish(t, svc, client, campaign.Input{Name: "Relance Genève", Kind: "customer_care", Audience: "b2c",
					Country: "CH", Languages: []string{"fr"}, Volume: 100})
				start := time.Now().AddDate(0, 0, 7)
				offerIn := market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
					Seats: 2, Languages: []string{"fr"}, StartsOn: &start}
				aOffer, err := submit(svc, atlas, x.ID, offerIn)
				ok(t, err)
				tOffer, err := submit(svc, teranga, x.ID, offerIn)
				ok(t, err)
				active, err := svc.Market.Accept(client, x.ID, aOffer.ID)
				ok(t, err)
				_, err = svc.Market.Confirm(atlas, active.ID)
				ok(t, err)
				pending, err := svc.Market.Accept(client, x.ID, tOffer.ID)
				ok(t, err)
				importFile(t, svc, client, x.ID, "Téléphone;Nom\n+41 22 345 67 89;Favre\n")
				v, err := svc.Scripts.Save(client, x.ID, sampleScript())
				ok(t, err)

				reads := func(ctx context.Context) map[string]error {
					_, get := svc.Campaigns.Get(ctx, x.ID)
					_, _, leads := svc.Leads.List(ctx, x.ID, store.LeadFilter{}, store.Page{})
					_, page := svc.Leads.Browse(ctx, x.ID, store.LeadFilter{}, store.Page{})
					_, latest := svc.Scripts.Latest(ctx, x.ID)
					_, versions := svc.Scripts.Versions(ctx, x.ID)
					return map[string]error{"campaign": get, "leads": leads, "lead page": page, "script": latest, "script versions": versions}
				}
				for what, err := range reads(atlas) {
					if err != nil {
						t.Fatalf("the contracted center reads the %s: %v", what, err)
					}
				}
				if _, err := svc.CenterViews.Brief(atlas, x.ID); err != nil {
					t.Fatalf("the contracted center's brief: %v", err)
				}

				if end == campaign.Complete {
					_, err := svc.Campaigns.Move(atlas, x.ID, campaign.Start)
					ok(t, err)
				}
				ended, err := svc.Campaigns.Move(client, x.ID, end)
				ok(t, err)
				if !ended.Status.Ended() {
					t.Fatalf("after %s: %s", end, ended.Status)
				}

				for what, err := range reads(atlas) {
					if !apperr.Is(err, apperr.NotFound) {
						t.Errorf("after %s the center reads the %s: %v", end, what, err)
					}
				}
				if _, err := svc.CenterViews.Brief(atlas, x.ID); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("after %s the center reads the brief: %v", end, err)
				}
				if err := svc.Scripts.MarkUsed(atlas, v.ID); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("after %s the center marks the script used: %v", end, err)
				}
				if _, err := svc.Campaigns.Move(atlas, x.ID, campaign.Pause); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("after %s the center moves the campaign: %v", end, err)
				}
				if list, _, err := svc.Campaigns.List(atlas, store.Page{}); err != nil || len(list) != 0 {
					t.Errorf("after %s the center's campaigns: %+v %v", end, list, err)
				}
				if _, err := svc.Market.Confirm(teranga, pending.ID); !apperr.Is(err, apperr.Conflict) {
					t.Errorf("after %s a pending contract is confirmed: %v", end, err)
				}
				if _, err := svc.Campaigns.Get(teranga, x.ID); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("after %s the other center reads the campaign: %v", end, err)
				}
				contracts, err := svc.Market.Contracts(client)
				ok(t, err)
				if len(contracts) != 2 || contracts[0].Status != market.ContractEnded || contracts[1].Status != market.ContractEnded {
					t.Errorf("after %s the client's contracts: %+v", end, contracts)
				}
				mine, err := svc.CenterViews.Contracts(atlas)
				ok(t, err)
				if len(mine.Contracts) != 1 || mine.Contracts[0].Status != market.ContractEnded || mine.Contracts[0].CampaignName != x.Name {
					t.Errorf("after %s the center's contracts: %+v", end, mine.Contracts)
				}
				offers, _, err := svc.CenterViews.Offers(atlas, store.Page{})
				ok(t, err)
				if len(offers) != 1 || offers[0].Campaign.Name != x.Name || offers[0].Campaign.Status != ended.Status {
					t.Errorf("after %s the center's offers: %+v", end, offers)
				}

				// The client keeps its campaign, leads and script.
				for what, err := range reads(client) {
					if err != nil {
						t.Errorf("after %s the client reads the %s: %v", end, what, err)
					}
				}
				if page, err := svc.Leads.Browse(client, x.ID, store.LeadFilter{}, store.Page{}); err != nil || len(page.Leads) != 1 ||
					page.Campaign.Status != ended.Status {
					t.Errorf("after %s the client's leads: %+v %v", end, page, err)
				}
			})
		})
	}
}

// TestACentersMoveIsAuditedInItsClientsTrail: a center's person starting
// a client's campaign (and its owner confirming the contract) shows in the
// client's audit trail with the center's person, and in the center's own;
// another client's trail shows nothing of it.
func TestACentersMoveIsAuditedInItsClientsTrail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client := ownerOf(t, d, mustOrg(t, d, "Maison Lumière", tenancy.KindClient), "owner@client.example")
		rival := ownerOf(t, d, mustOrg(t, d, "Rival", tenancy.KindClient), "owner@rival.example")
		centerOrg := mustOrg(t, d, "Paris Appels", tenancy.KindCenter)
		center := ownerOf(t, d, centerOrg, "chef@center.example")
		chef, err := tenancy.PrincipalFrom(center)
		ok(t, err)
		x := contractedCampaign(t, svc, client, center)
		_, err = svc.Campaigns.Move(center, x.ID, campaign.Start)
		ok(t, err)

		moves := func(ctx context.Context) map[string]audit {
			events, _, err := svc.Tenancy.AuditEvents(ctx, store.Page{})
			ok(t, err)
			out := map[string]audit{}
			for _, e := range events {
				if e.ObjectType != "campaign" || e.ObjectID != x.ID.String() {
					continue
				}
				a := audit{kind: e.ActorKind, label: e.ActorLabel}
				if e.ActorID != nil {
					a.id = *e.ActorID
				}
				if len(e.Details) > 0 {
					ok(t, json.Unmarshal(e.Details, &a.details))
				}
				out[e.Action] = a
			}
			return out
		}
		inClient := moves(client)
		for _, action := range []string{"campaign.contract", "campaign.start"} {
			a, found := inClient[action]
			if !found || a.kind != string(tenancy.ActorUser) || a.id != chef.ID || a.label != "chef@center.example" ||
				a.details["by_org"] != centerOrg.ID.String() {
				t.Errorf("the client's trail, %s: %+v (found %v)", action, a, found)
			}
		}
		if a := inClient["campaign.start"]; a.details["from"] != string(campaign.Contracted) || a.details["to"] != string(campaign.Running) {
			t.Errorf("the client's trail, start: %+v", a)
		}
		if a, found := inClient["campaign.publish"]; !found || a.label != "owner@client.example" || a.details["by_org"] != nil {
			t.Errorf("the client's own move: %+v (found %v)", a, found)
		}
		inCenter := moves(center)
		if a, found := inCenter["campaign.start"]; !found || a.id != chef.ID {
			t.Errorf("the center's trail: %+v", inCenter)
		}
		if _, found := inCenter["campaign.publish"]; found {
			t.Errorf("the center's trail holds the client's own move: %+v", inCenter)
		}
		if got := moves(rival); len(got) != 0 {
			t.Errorf("another client's trail: %+v", got)
		}
	})
}

// audit is what TestACentersMoveIsAuditedInItsClientsTrail reads of an event.
type audit struct {
	kind, label string
	id          uuid.UUID
	details     map[string]any
}
