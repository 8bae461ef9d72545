package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
)

// TestCDRImportRecordsAFileOnce: the center's Master.csv ends its calls;
// the same file again records nothing; a garbled line is printed with its
// line number, and the run still exits 0.
func TestCDRImportRecordsAFileOnce(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	db.App.Now = func() time.Time { return benchMorning }
	svc := store.NewServices(db.App, nationallist.NewRegistry(), slog.Default())
	f, err := newCDRBenchFloor(ctx, db.App, svc, 6)
	if err != nil {
		t.Fatal(err)
	}
	client, center, x := f.clientOrg, f.centerOrgs[0], f.campaign
	claims, err := claimAll(f.client, svc.Dispatch, dispatch.ClaimRequest{CampaignID: x.ID, ContractID: f.contracts[0]}, 6, 1)
	if err != nil {
		t.Fatal(err)
	}
	var file strings.Builder
	if _, err := writeMaster(&file, claims); err != nil {
		t.Fatal(err)
	}
	file.WriteString("\"GENEVE-RELANCE\",\"0221234567\",\"+41223009999\",\"from-plateau\"\n")
	path := filepath.Join(t.TempDir(), "Master.csv")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	type report struct {
		Recorded        int `json:"recorded"`
		AlreadyRecorded int `json:"already_recorded"`
		Malformed       []struct {
			Row     int    `json:"row"`
			Message string `json:"message"`
		} `json:"malformed"`
		Unmatched []any `json:"unmatched"`
	}
	args := []string{"cdr", "import", "--database-url=" + db.URL, "--org", center.ID.String(), "--campaign", x.ID.String(), "--region", "CH", path}
	var first, again report
	mustJSON(t, &first, args...)
	if first.Recorded != 6 || first.AlreadyRecorded != 0 || len(first.Unmatched) != 0 || len(first.Malformed) != 1 ||
		first.Malformed[0].Row != 7 || !strings.Contains(first.Malformed[0].Message, "has 4 values") {
		t.Fatalf("the first import: %+v", first)
	}
	mustJSON(t, &again, args...)
	if again.Recorded != 0 || again.AlreadyRecorded != 6 || len(again.Malformed) != 1 {
		t.Fatalf("the same file again: %+v", again)
	}
	code, out, errOut := plateau(t, append(args[:len(args)-1], "--org", client.ID.String(), path)...)
	if code == 0 || !strings.Contains(errOut, "center") {
		t.Fatalf("a client's import: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestBenchCDRRecordsEachCallOnce(t *testing.T) {
	code, out, errOut := plateau(t, "bench", "cdr", "--database-url="+dbtest.SQLite(t).URL, "--calls", "40", "--json")
	if code != 0 {
		t.Fatalf("bench: %s", errOut)
	}
	var r struct {
		Calls          int     `json:"calls"`
		Recorded       int     `json:"recorded"`
		AgainRecorded  int     `json:"again_recorded"`
		AgainAlready   int     `json:"again_already_recorded"`
		CDRsPerSecond  float64 `json:"cdrs_per_second"`
		CallsWithOneID int     `json:"calls_with_one_record"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("bench printed no JSON: %v\n%s", err, out)
	}
	if r.Calls != 40 || r.Recorded != 40 || r.AgainRecorded != 0 || r.AgainAlready != 40 || r.CallsWithOneID != 40 || r.CDRsPerSecond <= 0 {
		t.Fatalf("figures: %+v\n%s", r, out)
	}
}
