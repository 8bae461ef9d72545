package execution_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/simdial"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/execution/memqueue"
	"github.com/plateau-bpo/plateau/pkg/execution/simfloor"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/pacing"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

var (
	center   = uuid.MustParse("00000000-0000-7000-8000-0000000000c1")
	contract = uuid.MustParse("00000000-0000-7000-8000-0000000000c2")
	// a Tuesday at 10:00 in Paris: people answer
	morning = time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC)
)

type run struct {
	clock    *vclock.Virtual
	queue    *memqueue.Queue
	runner   *execution.Runner
	campaign uuid.UUID
}

func start(t *testing.T, mode campaign.DialingMode, agents, leads int, dialer func(clock *vclock.Virtual, observe func(dialing.Event)) dialing.Dialer,
	settings ...func(*execution.Config)) run {
	t.Helper()
	clock := vclock.NewVirtual(morning)
	q := memqueue.New(clock, center, leads)
	var floor []execution.Agent
	for range agents {
		floor = append(floor, execution.Agent{ID: uuid.New(), CenterID: center, ContractID: contract})
	}
	dispose := func(context.Context, execution.Agent, dispatch.Claim, simfloor.Outcome) error { return nil }
	var r *execution.Runner
	d := dialer(clock, func(ev dialing.Event) { r.Observe(ev) })
	cfg := execution.Config{Campaign: uuid.New(), Mode: mode, Holder: "test",
		Cap: compliance.AbandonCap{Rate: 0.03, Window: 30 * 24 * time.Hour}, Queue: q, Leases: q,
		Floor: simfloor.New(clock, 1, floor, simfloor.DefaultMix, dispose, nil), Dialer: d, Clock: clock,
		Observed: true, Controller: pacing.DefaultController()}
	for _, set := range settings {
		set(&cfg)
	}
	r = execution.New(context.Background(), cfg)
	if ok, err := r.Start(); !ok || err != nil {
		t.Fatalf("start: %v %v", ok, err)
	}
	return run{clock, q, r, cfg.Campaign}
}

// simulator is the call simulator, passing its events to the runner.
func simulator(clock *vclock.Virtual, observe func(dialing.Event)) dialing.Dialer {
	return simdial.New(clock, 7, simdial.WithObserver(observe))
}

func TestProgressiveCallsOneLeadPerReadyAgentAndAbandonsNone(t *testing.T) {
	r := start(t, campaign.Progressive, 4, 10_000, simulator)
	r.clock.Advance(2 * time.Hour)
	st := r.runner.Stats()
	if st.Dials < 50 {
		t.Fatalf("4 agents placed %d calls in 2 h", st.Dials)
	}
	if st.Abandoned != 0 {
		t.Fatalf("progressive dialling abandoned %d calls", st.Abandoned)
	}
	q := r.queue.Figures()
	if q.MaxOpen > 4 {
		t.Fatalf("%d calls were open at once for 4 agents", q.MaxOpen)
	}
	for _, c := range q.Claims {
		if c.Agent == nil {
			t.Fatal("a progressive call was placed for no agent")
		}
	}
	if q.Bridged == 0 || q.Bridged > st.Live+q.Open {
		t.Fatalf("%d bridges for %d live answers and %d calls in progress", q.Bridged, st.Live, q.Open)
	}
}

// TestProgressiveLeavesNoAgentIdleAtATick: at the end of every tick, each
// ready agent has been given a call, however many calls of other agents
// still ring.
func TestProgressiveLeavesNoAgentIdleAtATick(t *testing.T) {
	var floor execution.Floor
	idle, ticks := 0, 0
	r := start(t, campaign.Progressive, 20, 100_000, simulator, func(c *execution.Config) {
		floor = c.Floor
		c.Ticked = func(execution.TickReport) {
			ready, err := floor.Ready(context.Background(), c.Campaign)
			if err != nil {
				t.Error(err)
			}
			ticks++
			idle = max(idle, len(ready))
		}
	})
	r.clock.Advance(30 * time.Minute)
	if ticks < 1000 || idle > 0 {
		t.Fatalf("over %d ticks, up to %d agents were left ready without a call at a tick's end", ticks, idle)
	}
}

func TestPredictiveKeepsUnderTheCap(t *testing.T) {
	r := start(t, campaign.Predictive, 20, 100_000, simulator)
	r.clock.Advance(4 * time.Hour)
	st := r.runner.Stats()
	if st.Reasons[pacing.Predictive] == 0 {
		t.Fatalf("the controller never paced predictively: %v", st.Reasons)
	}
	if st.Live < 100 {
		t.Fatalf("20 agents had %d live answers in 4 h", st.Live)
	}
	if rate := float64(st.Abandoned) / float64(st.Live); rate > 0.03 {
		t.Fatalf("abandon rate %.3f over the 3 %% cap (%d of %d)", rate, st.Abandoned, st.Live)
	}
	if q := r.queue.Figures(); q.MaxOpen <= 20 {
		t.Fatalf("predictive dialling never had more calls than agents (%d at most)", q.MaxOpen)
	}
}

func TestARunnerThatLosesItsLeaseStopsOnceItsCallsEnd(t *testing.T) {
	r := start(t, campaign.Progressive, 3, 10_000, simulator)
	r.clock.Advance(time.Minute)
	r.queue.Seize(r.campaign, "elsewhere", 24*time.Hour)
	r.clock.Advance(10 * time.Minute)
	select {
	case <-r.runner.Done():
	default:
		t.Fatal("the runner still runs without its lease")
	}
	claims := len(r.queue.Figures().Claims)
	r.clock.Advance(time.Hour)
	if q := r.queue.Figures(); len(q.Claims) != claims || q.Open != 0 {
		t.Fatalf("after it stopped: %d more claims, %d calls left open", len(q.Claims)-claims, q.Open)
	}
}

// slowReap are leases whose return of lapsed claims takes 8 s.
type slowReap struct {
	*memqueue.Queue
	clock *vclock.Virtual
}

func (s slowReap) Reap(ctx context.Context, id uuid.UUID) (int, error) {
	s.clock.Advance(8 * time.Second)
	return s.Queue.Reap(ctx, id)
}

// TestARunnerRenewsItsLeaseFromWhenItTookIt: a runner whose start took
// most of its lease's time (a long reap) renews the lease before it lapses.
func TestARunnerRenewsItsLeaseFromWhenItTookIt(t *testing.T) {
	var leases slowReap
	r := start(t, campaign.Progressive, 3, 10_000, simulator, func(c *execution.Config) {
		leases = slowReap{c.Queue.(*memqueue.Queue), c.Clock.(*vclock.Virtual)}
		c.Leases = leases
	})
	r.clock.Advance(execution.PacerLease - 8*time.Second + time.Millisecond)
	if ok, err := leases.Pace(context.Background(), r.campaign, "elsewhere", execution.PacerLease); ok || err != nil {
		t.Fatalf("another process took the lease %s after the runner took it: %v %v", execution.PacerLease, ok, err)
	}
}

// deadTrunk refuses every call, as a trunk that stopped answering; it
// counts the dials that did not say the center whose trunks carry them.
type deadTrunk struct{ centerless *atomic.Int32 }

func (d deadTrunk) Dial(_ context.Context, dial dialing.Dial) (dialing.Call, error) {
	if dial.CenterID != center {
		d.centerless.Add(1)
	}
	return nil, errors.New("503 Service Unavailable")
}

func TestADeadTrunkFailsItsCallsWithTheCauseAndHoldsTheLeads(t *testing.T) {
	dead := deadTrunk{centerless: &atomic.Int32{}}
	r := start(t, campaign.Progressive, 5, 10_000, func(*vclock.Virtual, func(dialing.Event)) dialing.Dialer { return dead })
	r.clock.Advance(5 * time.Minute)
	if n := dead.centerless.Load(); n != 0 {
		t.Errorf("%d dials did not name the center that claimed them", n)
	}
	held := r.queue.Figures().Held
	if len(held) == 0 || held[0] == nil || held[0].Error() != "503 Service Unavailable" {
		t.Errorf("the lease was told %v, want the dialer's refusal", held)
	}
	// One call a backoff, not one a ready agent a second.
	q := r.queue.Figures()
	if n := len(q.Claims); n == 0 || n > int(5*time.Minute/execution.DialerBackoff)+1 {
		t.Fatalf("%d leads claimed in 5 min on a dead trunk", n)
	}
	for id, res := range q.Ended {
		if res != dialing.Failed {
			t.Fatalf("call %s ended %s on a dead trunk", id, res)
		}
	}
	if q.Open != 0 {
		t.Fatalf("%d calls left open", q.Open)
	}
}

// flaky refuses its first call, as a trunk back after a blip, then dials
// on next.
type flaky struct {
	refused *atomic.Bool
	next    dialing.Dialer
}

func (f flaky) Dial(ctx context.Context, d dialing.Dial) (dialing.Call, error) {
	if f.refused.CompareAndSwap(false, true) {
		return nil, errors.New("503 Service Unavailable")
	}
	return f.next.Dial(ctx, d)
}

// TestAHeldCampaignSaysWhenItDialsAgain: the lease is told why the calls
// are held, then that they are not once a dial goes through.
func TestAHeldCampaignSaysWhenItDialsAgain(t *testing.T) {
	r := start(t, campaign.Progressive, 2, 100, func(clock *vclock.Virtual, observe func(dialing.Event)) dialing.Dialer {
		return flaky{refused: &atomic.Bool{}, next: simulator(clock, observe)}
	})
	r.clock.Advance(2 * execution.DialerBackoff)
	held := r.queue.Figures().Held
	if len(held) != 2 || held[0] == nil || held[1] != nil {
		t.Errorf("the lease was told %v, want the refusal, then nil once a call went through", held)
	}
}

// spent is a campaign whose budget is spent.
type spent struct{}

func (spent) MayDial(context.Context, uuid.UUID) (bool, string, error) {
	return false, "budget cap reached", nil
}

func TestACampaignWithoutStandingPlacesNoCall(t *testing.T) {
	r := start(t, campaign.Progressive, 3, 100, simulator, func(c *execution.Config) { c.Standing = spent{} })
	r.clock.Advance(time.Hour)
	if n := len(r.queue.Figures().Claims); n != 0 {
		t.Fatalf("%d leads claimed with the budget spent", n)
	}
}

// agentFloor is agents reserved for their preview calls: none is ready for
// the runner's own claims; it keeps the news of their calls.
type agentFloor struct {
	mu        sync.Mutex
	connected []uuid.UUID
	ended     map[uuid.UUID]dialing.Result
}

func (f *agentFloor) Ready(context.Context, uuid.UUID) ([]execution.Agent, error) { return nil, nil }
func (f *agentFloor) Reserved(context.Context, execution.Agent, dispatch.Claim)   {}

func (f *agentFloor) Connected(_ context.Context, a execution.Agent, _ dispatch.Claim) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connected = append(f.connected, a.ID)
}

func (f *agentFloor) Ended(_ context.Context, a execution.Agent, c dispatch.Claim, res dialing.Result) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended[c.Call.ID] = res
}

func TestAPreviewIsDialledOnceWhenItsAgentAsksAndHungUpWhenAsked(t *testing.T) {
	floor := &agentFloor{ended: map[uuid.UUID]dialing.Result{}}
	r := start(t, campaign.Preview, 0, 0, simulator, func(c *execution.Config) { c.Floor = floor })
	agent, contractID := uuid.New(), contract
	read := dispatch.Claim{Call: call.Call{ID: uuid.New(), AgentID: &agent, CenterID: center, ContractID: &contractID},
		Lead: lead.Lead{ID: uuid.New(), Phone: "+33612345678"}}

	r.clock.Advance(10 * time.Second)
	if st := r.runner.Stats(); st.Dials != 0 || st.Claims != 0 {
		t.Fatalf("a preview campaign placed calls no agent asked for: %+v", st)
	}
	r.queue.AskDial(read)
	r.clock.Advance(execution.Tick)
	if n := r.queue.Figures().Dialed[read.Call.ID]; n != 1 {
		t.Fatalf("the asked call was dialled %d times after a tick, want once", n)
	}
	r.queue.AskHangup(read.Call.ID)
	r.clock.Advance(3 * execution.Tick)
	q := r.queue.Figures()
	res, ended := q.Ended[read.Call.ID]
	if !ended || !strings.Contains(q.Causes[read.Call.ID], "Plateau") {
		t.Fatalf("the call asked to hang up: ended %v, %s (%q)", ended, res, q.Causes[read.Call.ID])
	}
	if floor.ended[read.Call.ID] != res {
		t.Fatalf("the agent heard its call ended %q, the call ended %q", floor.ended[read.Call.ID], res)
	}
	r.clock.Advance(time.Minute)
	if n := r.queue.Figures().Dialed[read.Call.ID]; n != 1 || r.runner.Stats().Dials != 1 {
		t.Fatalf("the asked call was dialled %d times, %d dials in all", n, r.runner.Stats().Dials)
	}
}

// presenting records the numbers the calls present, and passes them on.
type presenting struct {
	next dialing.Dialer
	mu   sync.Mutex
	seen map[string]int
}

func (p *presenting) Dial(ctx context.Context, d dialing.Dial) (dialing.Call, error) {
	p.mu.Lock()
	p.seen[d.CallerID]++
	p.mu.Unlock()
	return p.next.Dial(ctx, d)
}

// TestEachCenterPresentsItsNumber: a campaign worked by two centers claims
// each lead presenting the number of the center of the agent it is for,
// and the call presents the number its claim was decided with.
func TestEachCenterPresentsItsNumber(t *testing.T) {
	tanger, dakar := uuid.New(), uuid.New()
	numbers := map[uuid.UUID]string{tanger: "+33948000010", dakar: "+33948000020"}
	var agents []execution.Agent
	centerOf := map[uuid.UUID]uuid.UUID{}
	for i := range 6 {
		a := execution.Agent{ID: uuid.New(), CenterID: []uuid.UUID{tanger, dakar}[i%2], ContractID: uuid.New()}
		agents = append(agents, a)
		centerOf[a.ID] = a.CenterID
	}
	var dialer *presenting
	r := start(t, campaign.Progressive, 0, 10_000, func(clock *vclock.Virtual, observe func(dialing.Event)) dialing.Dialer {
		dialer = &presenting{next: simulator(clock, observe), seen: map[string]int{}}
		return dialer
	}, func(c *execution.Config) {
		c.Floor = simfloor.New(c.Clock, 1, agents, simfloor.DefaultMix,
			func(context.Context, execution.Agent, dispatch.Claim, simfloor.Outcome) error { return nil }, nil)
		c.CallerIDs = func(_ context.Context, center uuid.UUID) (string, error) { return numbers[center], nil }
	})
	r.clock.Advance(30 * time.Minute)
	claims := r.queue.Figures().Claims
	if len(claims) < 12 {
		t.Fatalf("%d claims in 30 min for 6 agents", len(claims))
	}
	for _, c := range claims {
		if want := numbers[centerOf[*c.Agent]]; c.CallerID != want {
			t.Fatalf("a claim for an agent of %s presents %q, want %q", centerOf[*c.Agent], c.CallerID, want)
		}
	}
	dialer.mu.Lock()
	defer dialer.mu.Unlock()
	if len(dialer.seen) != 2 || dialer.seen[numbers[tanger]] == 0 || dialer.seen[numbers[dakar]] == 0 {
		t.Errorf("the calls presented %v, want both centers' numbers", dialer.seen)
	}
}

// recorder counts the calls asked to be recorded and the others, and
// passes them on.
type recorder struct {
	next                 dialing.Dialer
	recorded, unrecorded atomic.Int32
}

func (d *recorder) Dial(ctx context.Context, dial dialing.Dial) (dialing.Call, error) {
	if dial.Record {
		d.recorded.Add(1)
	} else {
		d.unrecorded.Add(1)
	}
	return d.next.Dial(ctx, dial)
}

// TestARecordingCampaignsCallsAreRecorded: the runner of a campaign that
// records its calls asks the dialer to record each of them, the runner of
// one that does not asks for none; turned off, the next calls are not.
func TestARecordingCampaignsCallsAreRecorded(t *testing.T) {
	for _, record := range []bool{true, false} {
		var dialer *recorder
		r := start(t, campaign.Progressive, 4, 10_000, func(clock *vclock.Virtual, observe func(dialing.Event)) dialing.Dialer {
			dialer = &recorder{next: simulator(clock, observe)}
			return dialer
		}, func(c *execution.Config) { c.Record = record })
		r.clock.Advance(10 * time.Minute)
		yes, no := dialer.recorded.Load(), dialer.unrecorded.Load()
		if record && (yes < 8 || no != 0) || !record && (no < 8 || yes != 0) {
			t.Fatalf("a campaign that records: %v; %d calls asked to be recorded, %d not", record, yes, no)
		}
		if !record {
			continue
		}
		r.runner.Recording(false)
		before := dialer.recorded.Load()
		r.clock.Advance(10 * time.Minute)
		if after, no := dialer.recorded.Load(), dialer.unrecorded.Load(); after != before || no < 4 {
			t.Fatalf("recording turned off: %d more calls asked to be recorded, %d not", after-before, no)
		}
	}
}
