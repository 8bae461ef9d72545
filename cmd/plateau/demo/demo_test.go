package demo_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// services are the use cases on db, as the composition root builds them.
func services(t *testing.T, db *store.DB) store.Services {
	t.Helper()
	svc, err := platform.Services(context.Background(), db, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestSeedIsIdempotentAndEveryLoginWorks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(t, db.App)
		created, err := demo.Seed(ctx, db.App, svc)
		if err != nil || !created {
			t.Fatalf("first seed: created=%v err=%v", created, err)
		}
		created, err = demo.Seed(ctx, db.App, svc)
		if err != nil || created {
			t.Fatalf("second seed: created=%v err=%v", created, err)
		}
		orgs, _ := db.App.ListOrgs(ctx, "")
		if len(orgs) != 4 {
			t.Fatalf("%d orgs after seeding twice, want 4", len(orgs))
		}
		for _, l := range demo.Logins() {
			acc, err := svc.Accounts.AccountByEmail(ctx, l.Email)
			if err != nil {
				t.Fatalf("%s: %v", l.Email, err)
			}
			if err := secret.CheckPassword(acc.User.PasswordHash, demo.Password); err != nil {
				t.Errorf("%s: demo password does not work: %v", l.Email, err)
			}
			if len(acc.Memberships) != 1 || acc.Memberships[0].Org.Name != l.Org || acc.Memberships[0].Role != l.Role {
				t.Errorf("%s: memberships %+v, want %s in %s", l.Email, acc.Memberships, l.Role, l.Org)
			}
		}
	})
}

func TestSeedPublishesCampaignsAndContractsOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		svc := services(t, db.App)
		if _, err := demo.Seed(ctx, db.App, svc); err != nil {
			t.Fatal(err)
		}
		orgs, _ := db.App.ListOrgs(ctx, "")
		count := map[string]int{}
		leads := map[string]store.LeadCounts{}
		contracts := map[string][]store.NamedContract{}
		for _, o := range orgs {
			as := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(o, "test"))
			list, _, err := svc.Campaigns.List(as, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			count[o.Name] = len(list)
			for _, c := range list {
				page, err := svc.Leads.Browse(as, c.ID, store.LeadFilter{}, store.Page{Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				leads[c.Name] = page.Counts
			}
			if contracts[o.Name], err = svc.Market.Contracts(as); err != nil {
				t.Fatal(err)
			}
		}
		if count["Maison Lumière"] != 2 || count["Atlas Contact"] != 1 || count["Teranga Relation Client"] != 0 {
			t.Fatalf("campaigns seen: %v", count)
		}
		if c := contracts["Atlas Contact"]; len(c) != 1 || c[0].Status != market.ContractActive {
			t.Fatalf("Atlas's contracts: %+v", c)
		}
		// Leads imported through the job: most ready, the rest kept out
		// of the file (invalid, duplicates).
		if n := leads["Relance paniers abandonnés"]; n.Total < 2700 || n.Total > 3000 || n.ByStatus[lead.Ready] < 2700 {
			t.Errorf("the carts campaign's leads: %+v", n)
		}
		if n := leads["Rendez-vous architectes et décorateurs"]; n.Total < 500 {
			t.Errorf("the meetings campaign's leads: %+v", n)
		}
		r, err := leadfile.NewReader(bytes.NewReader(demo.SampleFile()), leadfile.Options{Region: "FR"})
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range r.Rows() {
			if err != nil {
				t.Fatal(err)
			}
		}
		if s := r.Summary(); s.Rows != 250 || s.Valid < 200 || s.Invalid+s.Duplicates == 0 {
			t.Errorf("the sample file should be mostly good with a few bad rows: %+v", s)
		}
	})
}
