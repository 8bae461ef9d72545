package demo_test

import (
	"context"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/demo"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
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
