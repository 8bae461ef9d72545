package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
)

func TestListsUploadIsAllOrNothing(t *testing.T) {
	db := "--database-url=" + dbtest.SQLite(t).URL
	var platform struct{ ID string }
	mustJSON(t, &platform, "org", "create", db, "--kind", "platform", "--name", "Plateau")
	dir := t.TempDir()
	good := filepath.Join(dir, "310.txt")
	bad := filepath.Join(dir, "bad.txt")
	_ = os.WriteFile(good, []byte("3105551234\n310-555-1235\n"), 0o600)
	_ = os.WriteFile(bad, []byte("3105551236\n31055\n"), 0o600)

	var out struct{ Numbers int }
	mustJSON(t, &out, "lists", "upload", db, "--code", "US-DNC", "--fresh-at", "2026-11-20", good)
	if out.Numbers != 2 {
		t.Fatalf("uploaded %d numbers, want 2", out.Numbers)
	}
	code, stdout, errOut := plateau(t, "lists", "upload", db, "--code", "US-DNC", "--fresh-at", "2026-11-21", bad)
	if code == 0 || !strings.Contains(errOut, "nothing was loaded") || !strings.Contains(stdout, "31055") {
		t.Fatalf("a bad file: exit %d\n%s\n%s", code, stdout, errOut)
	}
	// The good copy is still the one that governs calls.
	var d struct{ Reason string }
	mustJSON(t, &d, "compliance", "decide", db, "--number", "+13105551234", "--country", "US", "--audience", "b2c",
		"--kind", "prospecting", "--at", "2026-11-23T10:00:00-08:00")
	if d.Reason != "national_list" {
		t.Fatalf("a listed number after a refused upload: %s", d.Reason)
	}
	if code, _, errOut := plateau(t, "lists", "upload", db, "--code", "XX", "--fresh-at", "2026-11-21", good); code == 0 || !strings.Contains(errOut, "US-DNC") {
		t.Fatalf("unknown code: %s", errOut)
	}
}

func TestBenchSuppressionReportsItsFigures(t *testing.T) {
	db := "--database-url=" + dbtest.SQLite(t).URL
	var platform struct{ ID string }
	mustJSON(t, &platform, "org", "create", db, "--kind", "platform", "--name", "Plateau")
	code, out, errOut := plateau(t, "bench", "suppression", db, "--numbers", "20000", "--lookups", "2000", "--json")
	if code != 0 {
		t.Fatalf("bench: %s", errOut)
	}
	var r struct {
		Numbers       float64 `json:"numbers"`
		BitsPerNumber float64 `json:"bits_per_number"`
		Hits          float64 `json:"hits"`
		PerSecond     float64 `json:"lookups_per_second_one_core"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("bench printed no JSON: %v\n%s", err, out)
	}
	if r.Numbers < 19000 || r.BitsPerNumber <= 0 || r.Hits < 1000 || r.PerSecond <= 0 {
		t.Fatalf("figures: %v\n%s", r, out)
	}
}
