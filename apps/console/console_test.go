package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/apps/console"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// The platform's queue is what the console reads the queues' state from.
var _ console.Queues = (*asynqjobs.Queue)(nil)

func TestQueuesPageIsForPlatformAdminsAndShowsTheQueues(t *testing.T) {
	e := platformtest.New(t)
	admin := e.Org(tenancy.KindPlatform, "Plateau", "FR")
	client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")

	// An invitation puts a task on the critical queue and leaves one outbox
	// message unfinished (no worker runs here).
	if _, err := e.P.Services.Tenancy.AddMember(platformtest.As(client.Org), store.NewMemberInput{Email: "new@ml.test", Role: "analyst"}); err != nil {
		t.Fatal(err)
	}

	b := e.Browser()
	b.Login(admin.Owner.Email, admin.Password)
	resp, page := b.Get("/console/queues")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin on /console/queues: %d\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `<td data-queue="critical">Prioritaire</td><td>1</td>`) {
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
