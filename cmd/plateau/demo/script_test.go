package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// The seed saves a valid script on each of Maison Lumière's campaigns; the
// abandoned carts' one handles the objections a newcomer expects and ends
// in the dispositions the campaign reports on.
func TestSeedSavesAValidScriptOnEachCampaign(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(t, db.App)
		if _, err := demo.Seed(ctx, db.App, svc); err != nil {
			t.Fatal(err)
		}
		clients, _ := db.App.ListOrgs(ctx, tenancy.KindClient)
		if len(clients) != 1 {
			t.Fatalf("client orgs: %+v", clients)
		}
		as := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(clients[0], "test"))
		scripts := map[string]script.Script{}
		list, _, err := svc.Campaigns.List(as, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			v, err := svc.Scripts.Latest(as, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			scripts[c.Name] = v.Script
		}
		if len(scripts) != 2 {
			t.Fatalf("scripts of %d campaigns, want 2", len(scripts))
		}
		for name, s := range scripts {
			if err := script.Validate(s, nil); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}

		carts := scripts["Relance paniers abandonnés"]
		var titles []string
		for _, id := range carts.Objections() {
			titles = append(titles, carts.Nodes[id].Title)
		}
		for _, want := range []string{"Pas le temps", "Déjà acheté ailleurs", "Trop cher", "Barrage : « Qui est à l'appareil ? »"} {
			if !slices.Contains(titles, want) {
				t.Errorf("no objection handler %q among %q", want, titles)
			}
		}
		ends := map[script.Disposition]bool{}
		for _, n := range carts.Nodes {
			ends[n.Disposition] = true
		}
		for _, d := range []script.Disposition{script.Sale, script.Callback, script.Refused, script.WrongNumber} {
			if !ends[d] {
				t.Errorf("no outcome records %s", d)
			}
		}
		// The greeting names the lead: the agent reads it rendered.
		st, err := carts.At(carts.Start, script.Values{"lead.first_name": "Camille"})
		if err != nil || !strings.Contains(st.Text, "Camille") {
			t.Errorf("the greeting %q (%v) does not greet the lead by name", st.Text, err)
		}
	})
}
