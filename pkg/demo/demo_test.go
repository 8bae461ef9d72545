package demo_test

import (
	"context"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/demo"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func TestSeedIsIdempotentAndEveryLoginWorks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		created, err := demo.Seed(ctx, db.App)
		if err != nil || !created {
			t.Fatalf("first seed: created=%v err=%v", created, err)
		}
		created, err = demo.Seed(ctx, db.App)
		if err != nil || created {
			t.Fatalf("second seed: created=%v err=%v", created, err)
		}
		orgs, _ := db.App.ListOrgs(ctx, "")
		if len(orgs) != 4 {
			t.Fatalf("%d orgs after seeding twice, want 4", len(orgs))
		}
		for _, l := range demo.Logins() {
			acc, err := db.App.AccountByEmail(ctx, l.Email)
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
		if _, err := demo.Seed(ctx, db.App); err != nil {
			t.Fatal(err)
		}
		orgs, _ := db.App.ListOrgs(ctx, "")
		count := map[string]int{}
		contracts := map[string][]market.Contract{}
		for _, o := range orgs {
			as := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(o, "test"))
			if err := db.App.InTenant(as, func(tx *store.Tenant) error {
				list, _, err := tx.Campaigns(as, store.Page{})
				count[o.Name] = len(list)
				if err != nil {
					return err
				}
				contracts[o.Name], err = tx.Contracts(as)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if count["Maison Lumière"] != 2 || count["Atlas Contact"] != 1 || count["Teranga Relation Client"] != 0 {
			t.Fatalf("campaigns seen: %v", count)
		}
		if c := contracts["Atlas Contact"]; len(c) != 1 || c[0].Status != market.ContractActive {
			t.Fatalf("Atlas's contracts: %+v", c)
		}
	})
}
