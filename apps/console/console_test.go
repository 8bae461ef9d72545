package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/apps/account"
	"github.com/plateau-bpo/plateau/apps/console"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func TestQueuesPageIsForPlatformAdminsAndShowsTheQueues(t *testing.T) {
	e := platformtest.New(t, func(p *platform.Platform) {
		a, err := account.New(p)
		if err != nil {
			t.Fatal(err)
		}
		a.Mount()
		console.New(p, p.Queue).Mount()
	})
	admin := e.Org(tenancy.KindPlatform, "Plateau", "FR")
	client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")

	// An invitation puts a task on the critical queue and leaves one outbox
	// message unfinished (no worker runs here).
	ctx := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(client.Org, "test"))
	if err := e.P.DB.InTenant(ctx, func(t *store.Tenant) error {
		_, err := t.CreateMember(ctx, store.NewMemberInput{Email: "new@ml.test", Role: "analyst"})
		return err
	}); err != nil {
		t.Fatal(err)
	}

	b := e.Browser()
	b.Login(admin.Owner.Email, admin.Password)
	resp, page := b.Get("/console/queues")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin on /console/queues: %d\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, "<td>critical</td><td>1</td>") {
		t.Errorf("the critical queue with one pending task is not shown:\n%s", page)
	}
	if !strings.Contains(page, `data-testid="outbox-unfinished">1<`) {
		t.Errorf("one unfinished outbox message is not shown")
	}
	if resp, _ := b.Get("/console"); resp.StatusCode != http.StatusOK {
		t.Errorf("admin on /console: %d", resp.StatusCode)
	}

	owner := e.Browser()
	owner.Login(client.Owner.Email, client.Password)
	for _, path := range []string{"/console", "/console/queues"} {
		if resp, _ := owner.Get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("client owner on %s: %d, want 403", path, resp.StatusCode)
		}
	}
}
