package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func sampleScript() script.Script {
	return script.Script{Start: "greeting", Nodes: map[string]script.Node{
		"greeting": {Kind: script.KindSay, Text: "Bonjour {{lead.first_name}}.", Next: "interest"},
		"interest": {Kind: script.KindAsk, Text: "Souhaitez-vous finaliser votre commande ?", Answers: []script.Answer{
			{Label: "Oui", Next: "sale"}, {Label: "Non merci", Next: "refused"}}},
		"sale":    {Kind: script.KindOutcome, Disposition: "sale"},
		"refused": {Kind: script.KindOutcome, Disposition: "refused"},
	}}
}

// contractedCampaign makes a Swiss campaign (no EU data: no profile needed)
// of client, published, with center's offer accepted and confirmed.
func contractedCampaign(t *testing.T, svc store.Services, client, center context.Context) campaign.Campaign {
	t.Helper()
	x := publish(t, svc, client, campaign.Input{Name: "Relance Genève", Kind: "customer_care", Audience: "b2c",
		Country: "CH", Languages: []string{"fr"}, Volume: 100})
	start := time.Now().AddDate(0, 0, 7)
	offer, err := submit(svc, center, x.ID, market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerMinute: 420_000, Minimum: 30, Increment: 6},
		Seats: 5, Languages: []string{"fr"}, StartsOn: &start})
	ok(t, err)
	contract, err := svc.Market.Accept(client, x.ID, offer.ID)
	ok(t, err)
	_, err = svc.Market.Confirm(center, contract.ID)
	ok(t, err)
	x, err = svc.Campaigns.Get(client, x.ID)
	ok(t, err)
	return x
}

// draft makes a draft campaign of ctx's client.
func draft(t *testing.T, svc store.Services, ctx context.Context, in campaign.Input) campaign.Campaign {
	t.Helper()
	c, err := svc.Campaigns.Create(ctx, in)
	ok(t, err)
	return c
}

var frSurvey = campaign.Input{Name: "X", Kind: "survey", Audience: "b2b", Country: "FR", Languages: []string{"fr"}}

func TestScriptVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		x := draft(t, svc, client, frSurvey)
		save := func(s script.Script) script.Version {
			t.Helper()
			v, err := svc.Scripts.Save(client, x.ID, s)
			ok(t, err)
			return v
		}
		s := sampleScript()
		v1 := save(s)
		if v1.Version != 1 || v1.Hash != s.Hash() || v1.UsedAt != nil || v1.CreatedBy != "test" {
			t.Fatalf("first version: %+v", v1)
		}
		if again := save(sampleScript()); again.ID != v1.ID || again.Version != 1 || !again.CreatedAt.Equal(v1.CreatedAt) {
			t.Fatalf("the same script saved again: %+v, was %+v", again, v1)
		}
		// An unused version is rewritten in place.
		edited := sampleScript()
		edited.Nodes["greeting"] = script.Node{Kind: script.KindSay, Text: "Bonsoir {{lead.first_name}}.", Next: "interest"}
		v1b := save(edited)
		if v1b.ID != v1.ID || v1b.Version != 1 || v1b.Hash != edited.Hash() {
			t.Fatalf("an edit of an unused version: %+v", v1b)
		}
		// Once a call used it, an edit makes version 2 and version 1 stays.
		ok(t, svc.Scripts.MarkUsed(client, v1.ID))
		v2 := save(s)
		if v2.Version != 2 || v2.ID == v1.ID || v2.Hash != s.Hash() {
			t.Fatalf("an edit of a used version: %+v", v2)
		}
		latest, err := svc.Scripts.Latest(client, x.ID)
		ok(t, err)
		if latest.ID != v2.ID || latest.Script.Hash() != s.Hash() {
			t.Fatalf("latest: %+v", latest)
		}
		versions, err := svc.Scripts.Versions(client, x.ID)
		ok(t, err)
		all := versions.Versions
		if versions.Campaign.ID != x.ID || len(all) != 2 || all[0].ID != v2.ID || all[1].ID != v1.ID || all[1].Hash != edited.Hash() ||
			all[1].UsedAt == nil || all[1].Script.Hash() != edited.Hash() {
			t.Fatalf("versions: %+v", versions)
		}
		// Marking again changes nothing.
		ok(t, svc.Scripts.MarkUsed(client, v1.ID))
		if again, err := svc.Scripts.Versions(client, x.ID); err != nil || !again.Versions[1].UsedAt.Equal(*all[1].UsedAt) {
			t.Fatalf("marked used twice: %+v %v", again, err)
		}
	})
}

func TestScriptIsInvalidWithPaths(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		client, _ := actingAs(t, db.App, tenancy.KindClient, "Maison Lumière", "FR")
		x := draft(t, svc, client, frSurvey)
		// A cycle with no way out: no path ever reaches an outcome.
		loop := script.Script{Start: "a", Nodes: map[string]script.Node{
			"a": {Kind: script.KindSay, Text: "Bonjour", Next: "b"},
			"b": {Kind: script.KindSay, Text: "Encore", Next: "a"},
		}}
		_, err := svc.Scripts.Save(client, x.ID, loop)
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Invalid || len(e.Fields) == 0 || e.Fields[0].Path == "" {
			t.Fatalf("a cycle without exit: %v", err)
		}
		if _, err := svc.Scripts.Latest(client, x.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("an invalid script was stored: %v", err)
		}
	})
}

func TestScriptTwoTenants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		client, _ := actingAs(t, d, tenancy.KindClient, "Maison Lumière", "FR")
		rival, _ := actingAs(t, d, tenancy.KindClient, "Rival", "FR")
		atlas, _ := actingAs(t, d, tenancy.KindCenter, "Atlas Contact", "MA")
		teranga, _ := actingAs(t, d, tenancy.KindCenter, "Teranga", "SN")
		x := contractedCampaign(t, svc, client, atlas)
		v, err := svc.Scripts.Save(client, x.ID, sampleScript())
		ok(t, err)

		for name, ctx := range map[string]context.Context{"another client": rival, "a center without a contract": teranga} {
			if _, err := svc.Scripts.Latest(ctx, x.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s reads the script: %v", name, err)
			}
			if _, err := svc.Scripts.Versions(ctx, x.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s lists the versions: %v", name, err)
			}
			if _, err := svc.Scripts.Save(ctx, x.ID, sampleScript()); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s saves the script: %v", name, err)
			}
			if err := svc.Scripts.MarkUsed(ctx, v.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s marks the script used: %v", name, err)
			}
		}
		got, err := svc.Scripts.Latest(atlas, x.ID)
		ok(t, err)
		if got.ID != v.ID || got.Script.Hash() != v.Hash {
			t.Fatalf("the contracted center reads %+v", got)
		}
		changed := sampleScript()
		changed.Nodes["greeting"] = script.Node{Kind: script.KindSay, Text: "Salut", Next: "interest"}
		if _, err := svc.Scripts.Save(atlas, x.ID, changed); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the contracted center saves the script: %v", err)
		}
		// The center's dialer marks the version used; the client's next edit makes version 2.
		ok(t, svc.Scripts.MarkUsed(atlas, v.ID))
		v2, err := svc.Scripts.Save(client, x.ID, changed)
		ok(t, err)
		if v2.Version != 2 {
			t.Fatalf("after the center's call, an edit: %+v", v2)
		}
	})
}
