package floorsim_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/pacing/floorsim"
)

var paris, _ = time.LoadLocation("Europe/Paris")

// floorOf is seed's floor: 20 to 40 agents, a start between 09:00 and
// 18:00 on a weekday, callees in Paris.
func floorOf(seed uint64, mode campaign.DialingMode, rate float64) floorsim.Config {
	return floorsim.Config{Agents: 20 + int(seed%21), Mode: mode, Seed: seed,
		Start: time.Date(2026, 12, 7, 9+int(seed%10), 0, 0, 0, paris),
		Cap:   compliance.AbandonCap{Rate: rate, Window: 30 * 24 * time.Hour, PerCampaign: true}}
}

// sweep runs n seeds' floors for d, two at a time, and returns their
// figures by seed (1…n).
func sweep(t *testing.T, n int, d time.Duration, config func(seed uint64) floorsim.Config) []floorsim.Figures {
	t.Helper()
	out := make([]floorsim.Figures, n)
	var wg sync.WaitGroup
	seeds := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range seeds {
				fig, err := floorsim.Run(config(uint64(i+1)), d)
				if err != nil {
					t.Errorf("seed %d: %v", i+1, err)
				}
				out[i] = fig
			}
		})
	}
	for i := range n {
		seeds <- i
	}
	close(seeds)
	wg.Wait()
	return out
}

func seeds() int {
	if testing.Short() {
		return 40
	}
	return 200
}

// TestPredictiveStaysUnderTheCap: across seeds, floors of 20 to 40 agents
// and caps of 1, 3 and 5 %, 90 minutes of predictive dialling keep the
// abandon rate under the cap for at least 99 % of seeds, and abandon some
// calls (the pacing does dial ahead).
func TestPredictiveStaysUnderTheCap(t *testing.T) {
	rates := []float64{0.01, 0.03, 0.05}
	n := seeds()
	figs := sweep(t, n, 90*time.Minute, func(seed uint64) floorsim.Config {
		return floorOf(seed, campaign.Predictive, rates[seed%3])
	})
	over, abandons, worst := 0, 0, 0.0
	for i, f := range figs {
		rate := rates[uint64(i+1)%3]
		abandons += f.Abandoned
		worst = max(worst, f.AbandonRate/rate)
		if f.AbandonRate > rate {
			over++
			t.Logf("seed %d: %.2f %% abandoned (%d of %d) over the %.0f %% cap", i+1, 100*f.AbandonRate, f.Abandoned, f.Live, 100*rate)
		}
		if f.Live < 200 {
			t.Errorf("seed %d: only %d live answers in 90 minutes: %+v", i+1, f.Live, f)
		}
	}
	t.Logf("%d seeds: %d over the cap, the worst at %.0f %% of its cap", n, over, 100*worst)
	if float64(over) > 0.01*float64(n) {
		t.Errorf("%d of %d seeds over the cap", over, n)
	}
	if abandons == 0 {
		t.Error("no abandon in any seed: the pacing never dialled ahead")
	}
}

// TestProgressiveNeverAbandons: one call per ready agent leaves no person
// without an agent, across seeds.
func TestProgressiveNeverAbandons(t *testing.T) {
	for i, f := range sweep(t, seeds(), time.Hour, func(seed uint64) floorsim.Config {
		return floorOf(seed, campaign.Progressive, 0.03)
	}) {
		if f.Abandoned != 0 || f.Answered == 0 || f.Reasons["progressive"] != 3600 {
			t.Errorf("seed %d: %d abandoned of %d live; reasons %v", i+1, f.Abandoned, f.Live, f.Reasons)
		}
	}
}

// TestPreviewDialsWithAnAgent: in preview mode every dial is an agent's
// who read the lead; nobody is abandoned; the floor never has more calls
// than agents.
func TestPreviewDialsWithAnAgent(t *testing.T) {
	for i, f := range sweep(t, 50, time.Hour, func(seed uint64) floorsim.Config {
		return floorOf(seed, campaign.Preview, 0.03)
	}) {
		agents := 20 + (i+1)%21
		if f.Dials == 0 || f.DialsWithoutAgent != 0 || f.Abandoned != 0 || f.MaxConcurrent > agents {
			t.Errorf("seed %d: %+v", i+1, f)
		}
	}
}

// TestOccupancyRisesWithTheCap: on the same floors, agents are busier
// under predictive pacing than progressive, and busier as the cap rises
// from 1 % to 3 % to 5 %.
func TestOccupancyRisesWithTheCap(t *testing.T) {
	n := 20
	if testing.Short() {
		n = 8
	}
	mean := func(mode campaign.DialingMode, rate float64) float64 {
		sum := 0.0
		for _, f := range sweep(t, n, 2*time.Hour, func(seed uint64) floorsim.Config { return floorOf(seed, mode, rate) }) {
			sum += f.Occupancy
		}
		return sum / float64(n)
	}
	progressive := mean(campaign.Progressive, 0.03)
	one, three, five := mean(campaign.Predictive, 0.01), mean(campaign.Predictive, 0.03), mean(campaign.Predictive, 0.05)
	t.Logf("occupancy: progressive %.3f, predictive at 1 %% %.3f, 3 %% %.3f, 5 %% %.3f", progressive, one, three, five)
	if !(progressive < one && one < three && three < five) {
		t.Errorf("occupancy: progressive %.3f, predictive at 1 %% %.3f, 3 %% %.3f, 5 %% %.3f: want rising", progressive, one, three, five)
	}
}

// TestSameSeedSameFloor: a run is a function of its config.
func TestSameSeedSameFloor(t *testing.T) {
	run := func(seed uint64) string {
		f, err := floorsim.Run(floorOf(seed, campaign.Predictive, 0.03), 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%+v", f)
	}
	if a, b, c := run(5), run(5), run(6); a != b || a == c {
		t.Errorf("seed 5 twice:\n%s\n%s\nseed 6:\n%s", a, b, c)
	}
}
