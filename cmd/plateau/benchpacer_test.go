package main

import (
	"runtime"
	"testing"
)

// TestBenchPacerTimesEveryTick runs the pacer bench for a few seconds on a
// small floor: every tick is reported, every agent is on a call, the
// targets are measured, and the process gets its cores back. Timings are
// not checked.
func TestBenchPacerTimesEveryTick(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	var r struct {
		Agents     int `json:"agents"`
		Procs      int `json:"procs"`
		Ticks      int `json:"ticks"`
		Dials      int `json:"dials"`
		InProgress struct {
			P50 float64 `json:"p50"`
		} `json:"calls_in_progress"`
		Took struct {
			Max float64 `json:"max"`
		} `json:"took_ms"`
		Targets []target `json:"targets"`
	}
	mustJSON(t, &r, "bench", "pacer", "--calls", "40", "--duration", "3s")
	if runtime.GOMAXPROCS(0) != procs {
		t.Fatalf("GOMAXPROCS is %d after the bench, was %d", runtime.GOMAXPROCS(0), procs)
	}
	if r.Agents != 48 || r.Procs != 1 || r.Ticks < 2 || r.Dials < 48 || r.Took.Max <= 0 {
		t.Fatalf("agents %d on %d procs, %d ticks, %d dials, longest tick %.3f ms: want 48 on 1, at least 2 ticks and 48 dials, a tick timed",
			r.Agents, r.Procs, r.Ticks, r.Dials, r.Took.Max)
	}
	if r.InProgress.P50 < 40 {
		t.Fatalf("%.0f calls in progress at the median tick with 48 agents, want at least 40", r.InProgress.P50)
	}
	if len(r.Targets) != 4 {
		t.Fatalf("%d targets measured, want 4: %+v", len(r.Targets), r.Targets)
	}
}

func TestBenchPacerRefusesAShortRun(t *testing.T) {
	if code, _, errOut := plateau(t, "bench", "pacer", "--duration", "1s"); code == 0 {
		t.Fatalf("a 1 s run: exit 0, %s", errOut)
	}
}
