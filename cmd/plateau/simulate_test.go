package main

import (
	"context"
	"encoding/csv"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/demo"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// demoCampaign seeds the demo tenants in db and returns the id of the
// campaign they run.
func demoCampaign(t *testing.T, db dbtest.DB) string {
	t.Helper()
	ctx := context.Background()
	svc, err := platform.Services(ctx, db.Owner, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db.Owner, svc); err != nil {
		t.Fatal(err)
	}
	running, err := svc.Execution.Running(ctx)
	if err != nil || len(running) != 1 {
		t.Fatalf("running campaigns after the demo seed: %v %v", running, err)
	}
	return running[0].ID.String()
}

// summaryFigure reads a figure of plateau simulate's summary.
func summaryFigure(t *testing.T, out, name string) int {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == name {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("%s in %q: %v", name, line, err)
			}
			return n
		}
	}
	t.Fatalf("no %s in the summary:\n%s", name, out)
	return 0
}

// TestSimulatedDaysPassVerifyAndExportEveryCall runs the demo campaign
// over two virtual working days with simulated agents, then checks the
// invariants on the rows written, and that the export has a line per call.
func TestSimulatedDaysPassVerifyAndExportEveryCall(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		campaign := demoCampaign(t, db)
		url := "--database-url=" + db.URL
		code, out, errOut := plateau(t, "simulate", url, "--campaign", campaign, "--from", "2026-11-03T06:00:00Z",
			"--days", "2", "--agents", "5", "--seed", "3")
		if code != 0 {
			t.Fatalf("simulate: exit %d\n%s\n%s", code, out, errOut)
		}
		attempts, contacts := summaryFigure(t, out, "attempts"), summaryFigure(t, out, "contacts")
		t.Logf("simulate:\n%s", out)
		if attempts < 200 || contacts < 20 || summaryFigure(t, out, "callbacks") == 0 {
			t.Fatalf("3 days of 6 agents made %d attempts and %d contacts:\n%s", attempts, contacts, out)
		}
		if code, out, errOut := plateau(t, "verify", url); code != 0 || !strings.Contains(out, "no breach") {
			t.Fatalf("verify after the simulation: exit %d\n%s\n%s", code, out, errOut)
		}
		code, out, errOut = plateau(t, "calls", "export", url, "--campaign", campaign, "--format", "csv")
		if code != 0 {
			t.Fatalf("export: exit %d\n%s", code, errOut)
		}
		lines, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(lines)-1 != attempts {
			t.Fatalf("the export has %d calls, the summary %d attempts", len(lines)-1, attempts)
		}
		col := map[string]int{}
		for i, name := range lines[0] {
			col[name] = i
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l[col["phone"]], "+") || l[col["callee_timezone"]] == "" || !strings.HasPrefix(l[col["rule_set"]], "FR-") {
				t.Fatalf("an exported call without its number, zone or rules: %v", l)
			}
		}
	})
}

// buildPlateau builds the plateau binary once for the tests that kill it.
func buildPlateau(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "plateau")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestAPacerKilledMidCampaignLosesNothing kills -9 the process that
// dispatches and paces a campaign in the middle of its calls. Its claims
// are left held (verify says so), the next pacer returns them at its
// start — the calls in flight closed as interrupted, their leads back in
// the pool — and verify passes.
func TestAPacerKilledMidCampaignLosesNothing(t *testing.T) {
	bin := buildPlateau(t)
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		campaign := demoCampaign(t, db)
		url := "--database-url=" + db.URL
		sim := exec.Command(bin, "simulate", url, "--campaign", campaign, "--from", "2026-11-03T06:00:00Z",
			"--days", "5", "--agents", "8", "--seed", "5")
		if err := sim.Start(); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		svc, err := platform.Services(ctx, db.App, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		id := uuid.MustParse(campaign)
		org, err := svc.Execution.ClientOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		client := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "test"))
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
			if n := openCalls(t, svc, client, id); n >= 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the simulation placed no calls in 2 minutes")
			}
		}
		if err := sim.Process.Kill(); err != nil { // SIGKILL: nothing runs after it
			t.Fatal(err)
		}
		_ = sim.Wait()
		if code, out, _ := plateau(t, "verify", url); code == 0 || !strings.Contains(out, "lapsed_claim") {
			t.Fatalf("verify right after the kill found nothing held: exit %d\n%s", code, out)
		}
		code, out, errOut := plateau(t, "simulate", url, "--campaign", campaign, "--from", "2026-11-09T06:00:00Z",
			"--days", "1", "--agents", "4", "--seed", "6")
		if code != 0 {
			t.Fatalf("the restarted simulation: exit %d\n%s\n%s", code, out, errOut)
		}
		if code, out, errOut := plateau(t, "verify", url); code != 0 {
			t.Fatalf("verify after the restart: exit %d\n%s\n%s", code, out, errOut)
		}
		interrupted := 0
		if err := svc.Calls.Each(client, id, func(c call.Call) error {
			if c.Cause == call.Interrupted {
				interrupted++
				if c.Result != dialing.Failed || c.EndedAt == nil {
					t.Errorf("an interrupted call ended %q at %v", c.Result, c.EndedAt)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if interrupted == 0 {
			t.Fatal("no call in flight at the kill was closed as interrupted")
		}
	})
}

// openCalls counts the campaign's calls in progress, as its client reads them.
func openCalls(t *testing.T, svc store.Services, client context.Context, campaign uuid.UUID) int {
	t.Helper()
	n := 0
	if err := svc.Calls.Each(client, campaign, func(c call.Call) error {
		if c.Open() {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
