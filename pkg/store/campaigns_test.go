package store_test

import (
	"context"
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

func do[T any](t *testing.T, db *store.DB, ctx context.Context, fn func(*store.Tenant) (T, error)) (T, error) {
	t.Helper()
	var out T
	err := db.InTenant(ctx, func(tx *store.Tenant) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

func mustDo[T any](t *testing.T, db *store.DB, ctx context.Context, fn func(*store.Tenant) (T, error)) T {
	t.Helper()
	v, err := do(t, db, ctx, fn)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMarketplaceSharesACampaignOnlyThroughItsContract walks a campaign
// from draft to running with two clients and two centers, checking at each
// step who sees what.
func TestMarketplaceSharesACampaignOnlyThroughItsContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		clientA, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		clientB, _ := actingAs(t, d, tenancy.KindClient, "Rival", "FR")
		atlas, atlasOrg := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		teranga, _ := actingAs(t, d, tenancy.KindCenter, "Teranga", "SN")

		in := campaign.Input{Name: "Relance paniers abandonnés", Kind: "customer_care", Audience: "b2c", Country: "FR", Languages: []string{"fr"}, Volume: 5000}
		x := mustDo(t, d, clientA, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.CreateCampaign(clientA, in) })
		in.Name = "Prise de rendez-vous B2B"
		y := mustDo(t, d, clientA, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.CreateCampaign(clientA, in) })

		seen := func(ctx context.Context, id uuid.UUID) error {
			_, err := do(t, d, ctx, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Campaign(ctx, id) })
			return err
		}
		open := func(ctx context.Context) int {
			list := mustDo(t, d, ctx, func(tx *store.Tenant) ([]campaign.Campaign, error) {
				l, _, err := tx.OpenRequests(ctx, store.Page{})
				return l, err
			})
			return len(list)
		}
		// A draft is the client's alone.
		if err := seen(atlas, x.ID); !apperr.Is(err, apperr.NotFound) || open(atlas) != 0 {
			t.Fatalf("a center sees a draft: %v", err)
		}
		// Published, centers see it on the marketplace; the other client does not.
		mustDo(t, d, clientA, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(clientA, x.ID, campaign.Publish) })
		mustDo(t, d, clientA, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(clientA, y.ID, campaign.Publish) })
		if err := seen(atlas, x.ID); err != nil || open(atlas) != 2 || open(clientB) != 0 {
			t.Fatalf("open requests: atlas %d (%v), client B %d", open(atlas), err, open(clientB))
		}
		if err := seen(clientB, x.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client sees the campaign: %v", err)
		}
		// A center may not act on an open request it has no contract for.
		if _, err := do(t, d, atlas, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(atlas, x.ID, campaign.Cancel) }); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a center cancelling a client's open request: %v", err)
		}

		start := time.Now().AddDate(0, 0, 7)
		offerIn := market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerMinute: 420_000, Minimum: 30, Increment: 6},
			Seats: 10, Languages: []string{"fr"}, StartsOn: &start}
		bad := offerIn
		bad.RateCard.PerMinute = -1
		if _, err := do(t, d, atlas, func(tx *store.Tenant) (market.Offer, error) { return tx.SubmitOffer(atlas, x.ID, bad) }); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a negative price: %v", err)
		}
		atlasOffer := mustDo(t, d, atlas, func(tx *store.Tenant) (market.Offer, error) { return tx.SubmitOffer(atlas, x.ID, offerIn) })
		mustDo(t, d, teranga, func(tx *store.Tenant) (market.Offer, error) { return tx.SubmitOffer(teranga, x.ID, offerIn) })
		yOffer := mustDo(t, d, atlas, func(tx *store.Tenant) (market.Offer, error) { return tx.SubmitOffer(atlas, y.ID, offerIn) })
		count := func(ctx context.Context) int {
			return len(mustDo(t, d, ctx, func(tx *store.Tenant) ([]market.Offer, error) { return tx.Offers(ctx, x.ID) }))
		}
		if count(clientA) != 2 || count(atlas) != 1 || count(clientB) != 0 {
			t.Fatalf("offers seen: client A %d, Atlas %d, client B %d", count(clientA), count(atlas), count(clientB))
		}

		// Accepting an offer on a cancelled campaign is refused, nothing changes.
		mustDo(t, d, clientA, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(clientA, y.ID, campaign.Cancel) })
		if _, err := do(t, d, clientA, func(tx *store.Tenant) (market.Contract, error) { return tx.AcceptOffer(clientA, yOffer.ID) }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("accepting an offer on a cancelled campaign: %v", err)
		}
		if _, err := do(t, d, clientB, func(tx *store.Tenant) (market.Contract, error) { return tx.AcceptOffer(clientB, atlasOffer.ID) }); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client accepting the offer: %v", err)
		}
		contract := mustDo(t, d, clientA, func(tx *store.Tenant) (market.Contract, error) { return tx.AcceptOffer(clientA, atlasOffer.ID) })
		if contract.Status != market.ContractPending || contract.RateCard.PerMinute != 420_000 {
			t.Fatalf("contract: %+v", contract)
		}

		// French leads may not go to Atlas (Morocco) before its profile allows it.
		confirm := func() (market.Contract, error) {
			return do(t, d, atlas, func(tx *store.Tenant) (market.Contract, error) {
				return tx.ConfirmContract(atlas, contract.ID, time.Now())
			})
		}
		if _, err := confirm(); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("confirming without a data-protection profile: %v", err)
		}
		signed, expires := time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0)
		mustDo(t, d, atlas, func(tx *store.Tenant) (compliance.CenterProfile, error) {
			return tx.SaveCenterProfile(atlas, compliance.CenterProfile{SCCSignedAt: &signed, SCCModule: "2", TIAOnFile: true,
				AuthorityRef: "D-GC-1", AuthorityExpiresAt: &expires})
		})
		if _, err := d.VerifyCenterProfile(context.Background(), atlasOrg.ID, tenancy.Principal{Label: "admin"}); err != nil {
			t.Fatal(err)
		}
		active, err := confirm()
		if err != nil {
			t.Fatal(err)
		}
		if active.Status != market.ContractActive {
			t.Fatalf("confirmed contract: %+v", active)
		}

		// Now Atlas sees the campaign as its own work; Teranga, with no contract, does not.
		list := mustDo(t, d, atlas, func(tx *store.Tenant) ([]campaign.Campaign, error) {
			l, _, err := tx.Campaigns(atlas, store.Page{})
			return l, err
		})
		if len(list) != 1 || list[0].ID != x.ID || list[0].Status != campaign.Contracted {
			t.Fatalf("Atlas's campaigns: %+v", list)
		}
		if err := seen(teranga, x.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a center without a contract sees the contracted campaign: %v", err)
		}
		// Atlas's contract for X shows nothing of Y.
		if _, err := do(t, d, atlas, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Campaign(atlas, y.ID) }); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Atlas sees campaign Y: %v", err)
		}
		running := mustDo(t, d, atlas, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(atlas, x.ID, campaign.Start) })
		if running.Status != campaign.Running {
			t.Fatalf("started: %+v", running)
		}
		if _, err := do(t, d, clientB, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(clientB, x.ID, campaign.Pause) }); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client pausing: %v", err)
		}
	})
}

func TestACampaignIsContractedOnlyByConfirmingAContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		center, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		x := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) {
			return tx.CreateCampaign(client, campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "CH", Languages: []string{"fr"}})
		})
		mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(client, x.ID, campaign.Publish) })
		for _, ctx := range []context.Context{client, center} {
			if _, err := do(t, d, ctx, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Move(ctx, x.ID, campaign.Contract) }); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("asking for the contract move: %v", err)
			}
		}
		if c := mustDo(t, d, client, func(tx *store.Tenant) (campaign.Campaign, error) { return tx.Campaign(client, x.ID) }); c.Status != campaign.Open {
			t.Fatalf("the campaign moved to %s", c.Status)
		}
	})
}
