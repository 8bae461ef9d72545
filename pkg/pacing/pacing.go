// Package pacing decides, once a tick, how many calls a campaign places:
// one per ready agent in progressive mode, more in predictive mode as long
// as the people who answer are likely to find an agent within
// dialing.AbandonDelay, and back to one per agent near the abandon cap.
//
// The controller is a pure function of the campaign's live figures and of
// its own memory, a State passed in and returned: no clock, no goroutine,
// no I/O. The engine reads the figures, asks, and dials; the floor
// simulation (pkg/pacing/floorsim) does the same on the simulator.
//
// It imports the campaign's modes and the compliance abandon cap only.
package pacing

import (
	"math"
	"time"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
)

// Figures are a campaign's live figures at a tick.
type Figures struct {
	Mode campaign.DialingMode
	// Ready counts the agents waiting for a call. In preview mode, the
	// agents waiting for a lead: each is handed one and dials it himself.
	Ready int
	// Busy counts the agents on a call or in wrap-up, who free up at a
	// rate of one per AvgHandle each.
	Busy int
	// WrappingUp counts the agents back from a call and not ready yet,
	// when Busy leaves them out: they are not counted as agents to come,
	// but their time is handle time.
	WrappingUp int
	// InFlight counts the calls placed and not yet answered nor ended.
	InFlight int
	// Waiting counts the people who answered and wait for an agent.
	Waiting int

	AnswerRate float64       // people who answered per dial, recently (machines excluded)
	AvgAnswer  time.Duration // from the dial to a person's pick-up, recently
	AvgHandle  time.Duration // an agent's talk plus wrap-up, recently
	// Handled counts the calls handled since the pacer started: until
	// about one an agent has ended, AvgHandle rests on too few calls.
	Handled int

	// Live and Abandoned count the campaign's live-answered calls (answered
	// plus abandoned) and abandoned ones over Cap.Window.
	Live, Abandoned int
	Cap             compliance.AbandonCap // the campaign's cap: compliance.CampaignAbandonCap
}

// Reason says why a tick placed the calls it did, for supervisors.
type Reason string

const (
	Preview     Reason = "preview"      // leads handed to ready agents, who dial them
	Progressive Reason = "progressive"  // one call per ready agent
	Predictive  Reason = "predictive"   // paced on the chance an answered call finds an agent
	WarmingUp   Reason = "warming_up"   // too few live answers yet to afford one abandon under the cap
	NearCap     Reason = "near_cap"     // the abandon rate is near the cap: one call per agent until it falls
	NoFigures   Reason = "no_figures"   // no answer rate or handle time known yet, or measured on too few calls
	NoAbandons  Reason = "no_abandons"  // the cap allows no abandon at all
	Unknown     Reason = "unknown_mode" // a mode this controller does not know: no call
)

// TermKey names the reason in the catalogs.
func (r Reason) TermKey() string { return "pacing.reason." + string(r) }

// Decision is what to do at a tick.
type Decision struct {
	Calls  int                  // calls to place now (leads to hand out in preview mode)
	Mode   campaign.DialingMode // the mode in effect: predictive falls back to progressive
	Reason Reason
	// ExpectedAbandons is the controller's estimate of the abandons the
	// calls in flight and the new ones will cause (predictive only).
	ExpectedAbandons float64
}

// State is the controller's memory from a tick to the next. Its zero value
// is a fresh campaign.
type State struct {
	// Level scales the share of answered calls the predictive model may
	// expect to abandon, in the spirit of Vicidial's adaptive dial level
	// (AST_VDadapt.pl): raised while the measured abandon rate is under
	// the goal, lowered above it. Zero means 1.
	Level float64
}

// Controller holds the pacing parameters; DefaultController's suit a
// floor of tens of agents.
type Controller struct {
	// Margin is the share of the cap aimed at: Level rises while the
	// measured abandon rate is under Margin × cap, and falls above it.
	Margin float64
	// Near is the share of the cap where predictive pacing stops: one more
	// abandon would take the rate over Near × cap.
	Near float64
	// Reserve is how many abandons must still be allowed under Near × cap
	// for predictive pacing: chance can bring a few at once.
	Reserve float64
	// Burst is the share of the abandons still allowed under Near × cap
	// that the calls in flight may be expected to cause.
	Burst float64
	// MaxLinesPerAgent bounds the calls in flight per agent logged in.
	MaxLinesPerAgent float64
	// MinHandled is how many handle times, at least, and at least one per
	// agent logged in, predictive pacing waits for.
	MinHandled int
	// Gain is by how much Level moves at each predictive tick, within
	// [MinLevel, MaxLevel].
	Gain               float64
	MinLevel, MaxLevel float64
}

// DefaultController aims at 75 % of the cap, moves its level by 1 % a tick
// between a tenth and four times the model's estimate, places at most 4
// lines per agent, and paces predictively once 30 calls, and one per
// agent, were handled.
func DefaultController() Controller {
	return Controller{Margin: 0.75, Near: 0.9, Reserve: 2, Burst: 0.25, MaxLinesPerAgent: 4, MinHandled: 30,
		Gain: 0.01, MinLevel: 0.1, MaxLevel: 4}
}

// Tick decides the calls to place now, and the state for the next tick.
//
// Predictive pacing follows Samuelson ("Predictive dialing for outbound
// telephone call centers", Interfaces 29(5), 1999): over the next pick-up
// time T, the X people who answer among the n calls in flight are
// binomial (n, answer rate); the A agents free for them are the ready ones
// plus each busy agent freeing up with probability 1 − e^(−T/handle time).
// The controller adds calls while E[(X − A)⁺], the expected abandons
// (normal approximation), stays under both Level × Margin × cap of the
// expected answers and Burst of the abandons left under Margin × cap over
// the window. It never places fewer calls than progressive mode would.
func (c Controller) Tick(s State, f Figures) (Decision, State) {
	if s.Level == 0 {
		s.Level = 1
	}
	s.Level = min(max(s.Level, c.MinLevel), c.MaxLevel)
	ready := max(f.Ready, 0)
	progressive := max(ready-max(f.InFlight, 0)-max(f.Waiting, 0), 0)
	switch f.Mode {
	case campaign.Preview:
		return Decision{Calls: ready, Mode: campaign.Preview, Reason: Preview}, s
	case campaign.Progressive:
		return Decision{Calls: progressive, Mode: campaign.Progressive, Reason: Progressive}, s
	case campaign.Predictive:
	default:
		return Decision{Mode: f.Mode, Reason: Unknown}, s
	}
	fallback := func(r Reason) (Decision, State) {
		return Decision{Calls: progressive, Mode: campaign.Progressive, Reason: r}, s
	}
	switch {
	case f.Cap.Rate <= 0:
		return fallback(NoAbandons)
	case f.AnswerRate <= 0 || f.AvgHandle <= 0 || f.Handled < max(c.MinHandled, ready+max(f.Busy, 0)):
		return fallback(NoFigures)
	}
	// abandons allowed before the cap is near, the people waiting counted as lost
	left := c.Near*f.Cap.Rate*float64(f.Live) - float64(f.Abandoned) - float64(max(f.Waiting, 0))
	if left < c.Reserve && f.Abandoned == 0 {
		return fallback(WarmingUp)
	}
	goal := c.Margin * f.Cap.Rate
	if float64(f.Abandoned) < goal*float64(f.Live) {
		s.Level = min(s.Level*(1+c.Gain), c.MaxLevel)
	} else {
		s.Level = max(s.Level*(1-c.Gain), c.MinLevel)
	}
	if left < c.Reserve {
		return fallback(NearCap)
	}

	p := min(f.AnswerRate, 1)
	horizon := max(f.AvgAnswer, time.Second)
	q := 1 - math.Exp(-horizon.Seconds()/f.AvgHandle.Seconds())
	busy := float64(max(f.Busy, 0))
	agentsMean := float64(ready-max(f.Waiting, 0)) + busy*q
	agentsVar := busy * q * (1 - q)
	expected := func(n int) (abandons, answers float64) {
		answers = float64(n) * p
		return excess(answers-agentsMean, answers*(1-p)+agentsVar), answers
	}
	ratio, burst := s.Level*goal, c.Burst*left
	inFlight := max(f.InFlight, 0)
	most := int(c.MaxLinesPerAgent*float64(ready+max(f.Busy, 0))) - inFlight
	calls := progressive
	abandons, _ := expected(inFlight + calls)
	for calls < most {
		a, answers := expected(inFlight + calls + 1)
		if a > ratio*answers || a > burst {
			break
		}
		calls, abandons = calls+1, a
	}
	return Decision{Calls: calls, Mode: campaign.Predictive, Reason: Predictive, ExpectedAbandons: abandons}, s
}

// excess is E[Y⁺] for Y normal with mean mu and variance v:
// σφ(μ/σ) + μΦ(μ/σ). For 6 calls at a 30 % answer rate and 2 agents it
// gives 0.35 abandons where the binomial gives 0.34.
func excess(mu, v float64) float64 {
	if v <= 0 {
		return max(mu, 0)
	}
	sd := math.Sqrt(v)
	z := mu / sd
	return sd*math.Exp(-z*z/2)/math.Sqrt(2*math.Pi) + mu*0.5*math.Erfc(-z/math.Sqrt2)
}
