package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestCampaignOverviewIsItsClients: a client's campaign with the moves the
// principal may make, its offers counted and its contracts named; an
// analyst reads it without moves; another client does not find it.
func TestCampaignOverviewIsItsClients(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, clientOrg := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		rival, _ := actingAs(t, db.App, tenancy.KindClient, "Rival", "FR")
		atlas, _ := actingAs(t, db.App, tenancy.KindCenter, "Atlas Contact", "MA")
		k := publish(t, svc, client, campaign.Input{Name: "Relance", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}})
		start := time.Now().AddDate(0, 0, 7)
		o, err := submit(svc, atlas, k.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerAttempt: 100_000},
			Seats: 2, Languages: []string{"fr"}, StartsOn: &start})
		ok(t, err)
		_, err = svc.Market.Accept(client, k.ID, o.ID)
		ok(t, err)

		got, err := svc.Campaigns.Overview(client, k.ID)
		ok(t, err)
		if got.Campaign.ID != k.ID || got.Offers != 1 || !slices.Contains(got.Moves, campaign.Cancel) {
			t.Errorf("the owner's overview: %+v", got)
		}
		if len(got.Contracts) != 1 || got.Contracts[0].CenterName != "Atlas Contact" || got.Contracts[0].CampaignName != "Relance" ||
			got.Contracts[0].Status != market.ContractPending {
			t.Errorf("the overview's contracts: %+v", got.Contracts)
		}
		analyst := tenancy.WithPrincipal(context.Background(), tenancy.Principal{Kind: tenancy.ActorUser, Label: "analyst",
			OrgID: clientOrg.ID, OrgKind: tenancy.KindClient, Role: tenancy.RoleAnalyst})
		if got, err := svc.Campaigns.Overview(analyst, k.ID); err != nil || got.Moves != nil || got.Offers != 1 {
			t.Errorf("the analyst's overview: %+v %v", got, err)
		}
		if _, err := svc.Campaigns.Overview(rival, k.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client's overview: %v", err)
		}
	})
}

// TestDecisionsCountTheOrgsBlocksAndListANumbersEvidence: a refused dial
// is counted and listed for its number, in its org only.
func TestDecisionsCountTheOrgsBlocksAndListANumbersEvidence(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		rival, _ := actingAs(t, db.App, tenancy.KindClient, "Rival", "FR")
		_, err := svc.Compliance.AddSuppressions(client, "FR", []compliance.NewSuppression{{Phone: "06 11 22 33 44", Reason: "stop"}})
		ok(t, err)
		d, err := svc.Compliance.Decide(client, compliance.Question{Number: "06 11 22 33 44", Country: "FR", Audience: "b2b",
			Kind: "prospecting", Purpose: compliance.PurposeDial})
		ok(t, err)
		if d.Allowed {
			t.Fatalf("a number on the list is allowed: %+v", d)
		}
		got, err := svc.Compliance.Decisions(client, "+33611223344")
		ok(t, err)
		if len(got.Blocks) != 1 || got.Blocks[0].Reason != string(compliance.SuppressedClient) || got.Blocks[0].Count != 1 ||
			len(got.Evidence) != 1 || got.Evidence[0].Phone != "+33611223344" {
			t.Errorf("the client's decisions: %+v", got)
		}
		if got, err := svc.Compliance.Decisions(client, ""); err != nil || len(got.Blocks) != 1 || got.Evidence != nil {
			t.Errorf("without a number: %+v %v", got, err)
		}
		if got, err := svc.Compliance.Decisions(rival, "+33611223344"); err != nil || len(got.Blocks) != 0 || len(got.Evidence) != 0 {
			t.Errorf("another client's decisions: %+v %v", got, err)
		}
	})
}

// TestImportStepCarriesTheSavedMapping: an import of a campaign comes with
// the org's saved mapping; through another campaign, or for another org,
// it is not found.
func TestImportStepCarriesTheSavedMapping(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		rival, _ := actingAs(t, db.App, tenancy.KindClient, "Rival", "FR")
		x := draft(t, svc, client, frSurvey)
		y := draft(t, svc, client, frSurvey)
		upload := func() lead.Import {
			im, err := svc.Leads.Upload(client, x.ID, "a.csv", strings.NewReader("Tel;Ref\n0612345678;A1\n"))
			ok(t, err)
			return im
		}
		mine := leadfile.Mapping{Columns: []leadfile.Column{{Index: 0, Header: "Tel", Field: leadfile.FieldPhone},
			{Index: 1, Header: "Ref", Field: leadfile.FieldCustom, Name: "ref"}}}
		first := upload()
		step, err := svc.Leads.ImportStep(client, x.ID, first.ID)
		ok(t, err)
		if step.Campaign.ID != x.ID || step.Import.ID != first.ID || len(step.Saved.Columns) != 0 {
			t.Errorf("the first import's step: %+v", step)
		}
		_, err = svc.Leads.Start(client, first.ID, mine)
		ok(t, err)
		second := upload()
		if step, err := svc.Leads.ImportStep(client, x.ID, second.ID); err != nil || len(step.Saved.Columns) != 2 || step.Saved.Columns[1].Name != "ref" {
			t.Errorf("the second import's step: %+v %v", step, err)
		}
		if _, err := svc.Leads.ImportStep(client, y.ID, second.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an import read through another campaign: %v", err)
		}
		if _, err := svc.Leads.ImportStep(rival, x.ID, second.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another client's import: %v", err)
		}
	})
}

// TestBrowseLeavesOutFiltersNoLeadMatchesAndSaysWhyANumberIsNone: a
// status that is none and a reason no lead is blocked for are not applied;
// a search of digits that is no number lists nothing, with why, and the
// counts.
func TestBrowseLeavesOutFiltersNoLeadMatchesAndSaysWhyANumberIsNone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		x := draft(t, svc, client, frSurvey)
		importFile(t, svc, client, x.ID, "Téléphone;Nom\n06 12 34 56 01;Lefèvre\n06 12 34 56 02;Dupré\n")

		got, err := svc.Leads.Browse(client, x.ID, store.LeadFilter{Status: "bogus", BlockReason: compliance.NoConsent}, store.Page{})
		ok(t, err)
		if got.Filter.Status != "" || got.Filter.BlockReason != "" || len(got.Leads) != 2 {
			t.Errorf("unknown filters: applied %+v, %d leads", got.Filter, len(got.Leads))
		}
		got, err = svc.Leads.Browse(client, x.ID, store.LeadFilter{Search: "0612"}, store.Page{})
		ok(t, err)
		if got.Unreadable == nil || len(got.Leads) != 0 || got.Counts.Total != 2 || got.Campaign.ID != x.ID {
			t.Errorf("digits that are no number: %+v", got)
		}
		got, err = svc.Leads.Browse(client, x.ID, store.LeadFilter{Search: "06.12.34.56.02"}, store.Page{})
		ok(t, err)
		if got.Unreadable != nil || got.Filter.Phone != "+33612345602" || len(got.Leads) != 1 {
			t.Errorf("a number: %+v", got)
		}
	})
}
