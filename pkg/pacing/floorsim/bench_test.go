package floorsim_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/pacing/floorsim"
)

// BenchmarkPacerTick measures one second of a predictive floor of 1 000
// agents in virtual time: the controller's tick and the simulator's and
// agents' events of that second, with about 1 000 calls in progress
// (ringing, waiting or talking: the "calls" metric). Run with -cpu 1: a
// tick under 1e9 ns/op keeps up with the real 1 s tick on one core.
func BenchmarkPacerTick(b *testing.B) {
	f := floorsim.New(floorsim.Config{Agents: 1000, Mode: campaign.Predictive, Seed: 1,
		Start: time.Date(2026, 12, 7, 14, 0, 0, 0, paris),
		Cap:   compliance.AbandonCap{Rate: 0.03, Window: 30 * 24 * time.Hour}})
	if err := f.Advance(15 * time.Minute); err != nil { // past the warm-up, into predictive pacing
		b.Fatal(err)
	}
	calls := 0
	b.ResetTimer()
	for b.Loop() {
		if err := f.Advance(time.Second); err != nil {
			b.Fatal(err)
		}
		calls += f.Concurrent()
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls")
}
