package main

import (
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// TestBenchDispatchClaimsNoLeadTwice runs the dispatch bench end to end on a
// tiny campaign: each window makes its claims, through the use case and on
// the bare queue, and no lead is claimed twice. Timings are not checked.
func TestBenchDispatchClaimsNoLeadTwice(t *testing.T) {
	db := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres))
	var r struct {
		Setup struct {
			Queued        int `json:"queued"`
			Claimed       int `json:"leads_claimed"`
			ReturnedTwice int `json:"leads_returned_twice"`
			WithOpenCall  int `json:"leads_with_an_open_call"`
			TwoOpenCalls  int `json:"leads_with_two_open_calls"`
		}
		Windows []struct {
			Queue  string
			Claims int
		}
	}
	mustJSON(t, &r, "bench", "dispatch", "--database-url="+db.URL, "--leads", "200", "--agents", "6", "--contracts", "2", "--claims", "10")
	if r.Setup.Queued != 200 || len(r.Windows) != 6 {
		t.Fatalf("queued %d leads, measured %d windows; want 200 and 6: %+v", r.Setup.Queued, len(r.Windows), r)
	}
	for _, w := range r.Windows {
		if w.Claims != 10 {
			t.Errorf("the %s queue's window made %d claims, want 10", w.Queue, w.Claims)
		}
	}
	if r.Setup.Claimed != 30 || r.Setup.WithOpenCall != 30 || r.Setup.ReturnedTwice != 0 || r.Setup.TwoOpenCalls != 0 {
		t.Fatalf("leads claimed %d, with an open call %d, returned twice %d, with two open calls %d; want 30, 30, 0, 0",
			r.Setup.Claimed, r.Setup.WithOpenCall, r.Setup.ReturnedTwice, r.Setup.TwoOpenCalls)
	}
}

func TestBenchDispatchRefusesSQLite(t *testing.T) {
	code, _, errOut := plateau(t, "bench", "dispatch", "--database-url=sqlite:"+t.TempDir()+"/p.db")
	if code == 0 || !strings.Contains(errOut, "PostgreSQL") {
		t.Fatalf("on SQLite: exit %d, %s", code, errOut)
	}
}
