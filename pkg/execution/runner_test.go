package execution_test

import (
	"context"
	"errors"
	"slices"
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
	"github.com/plateau-bpo/plateau/pkg/execution/simfloor"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/pacing"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// memQueue is the store's dispatch in memory: the engine's tests of its
// own logic (the store's are in pkg/store; the two together in
// cmd/plateau's simulate tests). It hands out numbered leads and keeps
// what the engine tells it.
type memQueue struct {
	mu        sync.Mutex
	leads     int
	claims    []dispatch.ClaimRequest
	open      map[uuid.UUID]bool
	ended     map[uuid.UUID]dialing.Result
	causes    map[uuid.UUID]string
	dialed    map[uuid.UUID]int
	asked     dispatch.Requests // what agents asked, as the store keeps it
	maxOpen   int
	bridged   int
	holder    string // the pacer lease's holder; "" free
	lostLease bool
	held      []error // the reasons the lease was told, nil for "dials again"
}

func newQueue(leads int) *memQueue {
	return &memQueue{leads: leads, open: map[uuid.UUID]bool{}, ended: map[uuid.UUID]dialing.Result{},
		causes: map[uuid.UUID]string{}, dialed: map[uuid.UUID]int{}}
}

func (q *memQueue) Fill(context.Context, uuid.UUID) (int, error) { return 0, nil }

func (q *memQueue) Claim(_ context.Context, req dispatch.ClaimRequest) (dispatch.Claim, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.claims) == q.leads {
		return dispatch.Claim{}, false, nil
	}
	q.claims = append(q.claims, req)
	id := uuid.New()
	q.open[id] = true
	q.maxOpen = max(q.maxOpen, len(q.open))
	return dispatch.Claim{Call: call.Call{ID: id, AgentID: req.Agent, CenterID: center},
		Lead: lead.Lead{ID: uuid.New(), Phone: "+33612345678"}}, true, nil
}

// Dialed counts the call's dials; a dial asked for is done.
func (q *memQueue) Dialed(_ context.Context, id uuid.UUID, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.dialed[id]++
	q.asked.Dials = slices.DeleteFunc(q.asked.Dials, func(c dispatch.Claim) bool { return c.Call.ID == id })
	return nil
}

// ask has an agent ask to dial the preview call it holds.
func (q *memQueue) ask(c dispatch.Claim) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.open[c.Call.ID] = true
	q.asked.Dials = append(q.asked.Dials, c)
}

// hangUp has an agent ask to hang up its call.
func (q *memQueue) hangUp(id uuid.UUID) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.asked.Hangups = append(q.asked.Hangups, id)
}

func (q *memQueue) Requests(context.Context, uuid.UUID) (dispatch.Requests, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return dispatch.Requests{Dials: slices.Clone(q.asked.Dials), Hangups: slices.Clone(q.asked.Hangups)}, nil
}

func (q *memQueue) Bridged(context.Context, uuid.UUID, uuid.UUID, time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.bridged++
	return nil
}

func (q *memQueue) Record(_ context.Context, ev dialing.Event) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if ev.Kind == dialing.EventEnded {
		if _, again := q.ended[ev.CallID]; again {
			return errors.New("a call ended twice")
		}
		q.ended[ev.CallID] = ev.Result
		q.causes[ev.CallID] = ev.Cause
		delete(q.open, ev.CallID)
		q.asked.Hangups = slices.DeleteFunc(q.asked.Hangups, func(id uuid.UUID) bool { return id == ev.CallID })
	}
	return nil
}

func (q *memQueue) Renew(context.Context, []uuid.UUID) error { return nil }

func (q *memQueue) Pace(_ context.Context, _ uuid.UUID, holder string, _ time.Duration) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.lostLease || q.holder != "" && q.holder != holder {
		return false, nil
	}
	q.holder = holder
	return true, nil
}

func (q *memQueue) Unpace(context.Context, uuid.UUID, string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.holder = ""
	return nil
}

func (q *memQueue) Reap(context.Context, uuid.UUID) (int, error) { return 0, nil }

func (q *memQueue) Hold(_ context.Context, _ uuid.UUID, _ string, _ time.Time, reason error) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.held = append(q.held, reason)
	return nil
}

var (
	center   = uuid.MustParse("00000000-0000-7000-8000-0000000000c1")
	contract = uuid.MustParse("00000000-0000-7000-8000-0000000000c2")
	// a Tuesday at 10:00 in Paris: people answer
	morning = time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC)
)

type run struct {
	clock  *vclock.Virtual
	queue  *memQueue
	runner *execution.Runner
}

func start(t *testing.T, mode campaign.DialingMode, agents, leads int, dialer func(clock *vclock.Virtual, observe func(dialing.Event)) dialing.Dialer,
	settings ...func(*execution.Config)) run {
	t.Helper()
	clock := vclock.NewVirtual(morning)
	q := newQueue(leads)
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
	return run{clock, q, r}
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
	if r.queue.maxOpen > 4 {
		t.Fatalf("%d calls were open at once for 4 agents", r.queue.maxOpen)
	}
	for _, c := range r.queue.claims {
		if c.Agent == nil {
			t.Fatal("a progressive call was placed for no agent")
		}
	}
	if r.queue.bridged == 0 || r.queue.bridged > st.Live+len(r.queue.open) {
		t.Fatalf("%d bridges for %d live answers and %d calls in progress", r.queue.bridged, st.Live, len(r.queue.open))
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
	if r.queue.maxOpen <= 20 {
		t.Fatalf("predictive dialling never had more calls than agents (%d at most)", r.queue.maxOpen)
	}
}

func TestARunnerThatLosesItsLeaseStopsOnceItsCallsEnd(t *testing.T) {
	r := start(t, campaign.Progressive, 3, 10_000, simulator)
	r.clock.Advance(time.Minute)
	r.queue.mu.Lock()
	r.queue.lostLease = true
	r.queue.mu.Unlock()
	r.clock.Advance(10 * time.Minute)
	select {
	case <-r.runner.Done():
	default:
		t.Fatal("the runner still runs without its lease")
	}
	claims := len(r.queue.claims)
	r.clock.Advance(time.Hour)
	if len(r.queue.claims) != claims || len(r.queue.open) != 0 {
		t.Fatalf("after it stopped: %d more claims, %d calls left open", len(r.queue.claims)-claims, len(r.queue.open))
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
	r.queue.mu.Lock()
	held := slices.Clone(r.queue.held)
	r.queue.mu.Unlock()
	if len(held) == 0 || held[0] == nil || held[0].Error() != "503 Service Unavailable" {
		t.Errorf("the lease was told %v, want the dialer's refusal", held)
	}
	// One call a backoff, not one a ready agent a second.
	if n := len(r.queue.claims); n == 0 || n > int(5*time.Minute/execution.DialerBackoff)+1 {
		t.Fatalf("%d leads claimed in 5 min on a dead trunk", n)
	}
	for id, res := range r.queue.ended {
		if res != dialing.Failed {
			t.Fatalf("call %s ended %s on a dead trunk", id, res)
		}
	}
	if len(r.queue.open) != 0 {
		t.Fatalf("%d calls left open", len(r.queue.open))
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
	r.queue.mu.Lock()
	held := slices.Clone(r.queue.held)
	r.queue.mu.Unlock()
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
	if len(r.queue.claims) != 0 {
		t.Fatalf("%d leads claimed with the budget spent", len(r.queue.claims))
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
	r.queue.ask(read)
	r.clock.Advance(execution.Tick)
	if n := r.queue.dialed[read.Call.ID]; n != 1 {
		t.Fatalf("the asked call was dialled %d times after a tick, want once", n)
	}
	r.queue.hangUp(read.Call.ID)
	r.clock.Advance(3 * execution.Tick)
	res, ended := r.queue.ended[read.Call.ID]
	if !ended || !strings.Contains(r.queue.causes[read.Call.ID], "Plateau") {
		t.Fatalf("the call asked to hang up: ended %v, %s (%q)", ended, res, r.queue.causes[read.Call.ID])
	}
	if floor.ended[read.Call.ID] != res {
		t.Fatalf("the agent heard its call ended %q, the call ended %q", floor.ended[read.Call.ID], res)
	}
	r.clock.Advance(time.Minute)
	if n := r.queue.dialed[read.Call.ID]; n != 1 || r.runner.Stats().Dials != 1 {
		t.Fatalf("the asked call was dialled %d times, %d dials in all", n, r.runner.Stats().Dials)
	}
}
