package execution

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/pacing"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// Timings of a runner.
const (
	// Tick is how often a runner paces while it has work.
	Tick = time.Second
	// IdleTick is how often it looks for work when none was callable and
	// no call is in progress: a closed calling window, a drained campaign.
	IdleTick = time.Minute
	// PacerLease is how long a runner's hold on its campaign lasts without
	// renewal: another process takes over within it once this one died.
	PacerLease = 10 * time.Second
	// DialerBackoff is how long a runner places no call after the dialer
	// refused one (a trunk down): it does not burn its leads on it.
	DialerBackoff = 30 * time.Second
	// renewEvery is how often the pacer lease is renewed, and chores is
	// how often the queue is filled, lapsed claims reaped and the leases
	// of the calls in progress renewed.
	renewEvery = 3 * time.Second
	chores     = 30 * time.Second
)

// Config is what a runner needs.
type Config struct {
	Campaign uuid.UUID
	Mode     campaign.DialingMode
	Cap      compliance.AbandonCap // the campaign's: compliance.CampaignAbandonCap
	Holder   string                // this process's name, on the pacer lease

	Queue  Queue
	Leases Leases
	Floor  Floor
	Dialer dialing.Dialer
	Clock  vclock.Clock
	// Observed says the dialer passes every event to Runner.Observe (the
	// simulator's WithObserver, which a virtual clock needs); otherwise
	// the runner reads each call's channel.
	Observed    bool
	Controller  pacing.Controller
	RingTimeout time.Duration
	CallerIDs   CallerIDs // the number each center's calls present; nil: none
	Record      bool      // record the conversations (the campaign's setting when the runner starts; Recording changes it)
	Standing    Standing  // nil: no limit
	Log         *slog.Logger
	// Ticked, when set, is told how each tick went, at its end: `plateau
	// bench pacer` measures with it whether the runner keeps its pace.
	Ticked func(TickReport)
}

// TickReport is how one tick of a runner went.
type TickReport struct {
	// Late is how long after its due time the tick started, on the
	// runner's clock: the timer's delay and the wait behind the events
	// queued before it.
	Late time.Duration
	// Took is how long the tick ran, on the wall clock.
	Took time.Duration
	// Calls counts the calls in progress at its end.
	Calls int
}

// Runner paces one campaign. Every change of its state happens in one
// function at a time (post): ticks and the dialer's events queue there, so
// that a hang-up whose end event comes back at once waits its turn.
type Runner struct {
	cfg  Config
	ctx  context.Context
	done chan struct{}

	// recording says whether the calls placed from now on are recorded: the
	// campaign's setting, which the engine's roll call passes on.
	recording atomic.Bool

	mu       sync.Mutex
	inbox    []func()
	draining bool

	stopping, stopped bool
	calls             map[uuid.UUID]*flight
	busy              map[uuid.UUID]*flight // agents reserved, talking: their call
	freed             map[uuid.UUID]bool    // agents back from a conversation, wrapping up
	waiting           []*flight             // people who answered, waiting for an agent, first first
	// flying counts the calls placed for whoever is ready when they
	// answer, not answered nor ended: the pacer's bet. A call placed for
	// its agent is not counted: its agent is neither ready nor waited for.
	flying     int
	exhausted  bool      // the last tick found nothing callable
	holdUntil  time.Time // no call is placed before: the dialer failed
	held       bool      // the lease says why (Leases.Hold), until a dial goes through
	lastRenew  time.Time // when the pacer lease was last taken or renewed
	lost       bool      // the pacer lease is lost: the runner only lets its calls end
	lastChores time.Time
	due        time.Time // when the next tick should start
	state      pacing.State
	meter      *pacing.Meter
	stats      Stats
}

type flight struct {
	claim    dispatch.Claim
	call     dialing.Call
	agent    *Agent
	dialedAt time.Time
	bridged  time.Time
	flying   bool
	waiting  bool
	// hangingUp: the call was asked to hang up, and the dialer told to.
	hangingUp bool
}

// Stats counts what a runner did since it started.
type Stats struct {
	Claims, Dials, Live, Abandoned, Machines int
	Reasons                                  map[pacing.Reason]int
}

// New returns the runner of a campaign, not started.
func New(ctx context.Context, cfg Config) *Runner {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{cfg: cfg, ctx: ctx, done: make(chan struct{}), calls: map[uuid.UUID]*flight{},
		busy: map[uuid.UUID]*flight{}, freed: map[uuid.UUID]bool{}, meter: pacing.NewMeter(cfg.Cap.Window),
		stats: Stats{Reasons: map[pacing.Reason]int{}}}
	r.recording.Store(cfg.Record)
	return r
}

// Recording turns the recording of the calls placed from now on on or
// off; the calls in progress keep what they were dialled with.
func (r *Runner) Recording(on bool) { r.recording.Store(on) }

// Start takes the campaign's pacer lease in the name of the runner's
// context (the campaign's client), returns the work of a previous holder
// whose lease lapsed, and starts pacing. It reports false when another
// process paces the campaign.
func (r *Runner) Start() (bool, error) {
	// The lease runs from before it is asked for: the renewals count from
	// there, however long the reaping takes.
	taken := r.now()
	ok, err := r.cfg.Leases.Pace(r.ctx, r.cfg.Campaign, r.cfg.Holder, PacerLease)
	if err != nil || !ok {
		return false, err
	}
	if _, err := r.cfg.Leases.Reap(r.ctx, r.cfg.Campaign); err != nil {
		return false, err
	}
	r.lastRenew = taken
	r.due = r.now()
	r.post(r.tick)
	return true, nil
}

// Stop stops placing calls; the calls in progress finish, then the runner
// gives its lease up and Done is closed.
func (r *Runner) Stop() { r.post(func() { r.stopping = true; r.finishIfIdle() }) }

// Done is closed once the runner stopped.
func (r *Runner) Done() <-chan struct{} { return r.done }

// Stats returns what the runner did so far.
func (r *Runner) Stats() Stats {
	out := make(chan Stats, 1)
	r.post(func() {
		s := r.stats
		s.Reasons = make(map[pacing.Reason]int, len(r.stats.Reasons))
		for k, v := range r.stats.Reasons {
			s.Reasons[k] = v
		}
		out <- s
	})
	return <-out
}

// Observe takes an event of the dialer (see Config.Observed).
func (r *Runner) Observe(ev dialing.Event) { r.post(func() { r.event(ev) }) }

// post runs f after the functions queued before it, one at a time. The
// first caller to find the queue idle runs it, and whatever the others
// queue meanwhile.
func (r *Runner) post(f func()) {
	r.mu.Lock()
	r.inbox = append(r.inbox, f)
	if r.draining {
		r.mu.Unlock()
		return
	}
	r.draining = true
	for len(r.inbox) > 0 {
		next := r.inbox[0]
		r.inbox = r.inbox[1:]
		r.mu.Unlock()
		next()
		r.mu.Lock()
	}
	r.draining = false
	r.mu.Unlock()
}

func (r *Runner) now() time.Time { return r.cfg.Clock.Now() }

// hold tells the campaign's supervisors, on the pacer lease, why it places
// no call until holdUntil; a nil reason says it dials again.
func (r *Runner) hold(reason error) {
	if err := r.cfg.Leases.Hold(r.ctx, r.cfg.Campaign, r.cfg.Holder, r.holdUntil, reason); err != nil {
		r.warn("recording why the campaign holds its calls failed", err)
		return
	}
	r.held = reason != nil
}

func (r *Runner) warn(msg string, err error, args ...any) {
	r.cfg.Log.Warn(msg, append([]any{"campaign", r.cfg.Campaign, "err", err}, args...)...)
}

// tick keeps the lease, does the chores, serves the people waiting and
// places the calls the controller says.
func (r *Runner) tick() {
	if r.stopped {
		return
	}
	now := r.now()
	if r.cfg.Ticked != nil {
		began := time.Now()
		late := now.Sub(r.due)
		defer func() { r.cfg.Ticked(TickReport{Late: late, Took: time.Since(began), Calls: len(r.calls)}) }()
	}
	if !r.lost && now.Sub(r.lastRenew) >= renewEvery {
		r.lastRenew = now
		if ok, err := r.cfg.Leases.Pace(r.ctx, r.cfg.Campaign, r.cfg.Holder, PacerLease); err != nil || !ok {
			r.warn("the pacer lease is lost: another process paces the campaign", err)
			r.stopping, r.lost = true, true
		}
	}
	if r.lastChores.IsZero() || now.Sub(r.lastChores) >= chores {
		r.lastChores = now
		r.chores()
	}
	r.exhausted = false
	asked := r.requests()
	r.hangUp(asked.Hangups)
	if !r.stopping && !now.Before(r.holdUntil) && r.standing() {
		r.dialAsked(asked.Dials)
		ready := r.ready()
		ready = r.serveWaiting(ready)
		r.place(ready)
	}
	if r.finishIfIdle() {
		return
	}
	next := Tick
	if r.exhausted && len(r.calls) == 0 {
		next = IdleTick
	}
	r.due = r.now().Add(next)
	r.cfg.Clock.AfterFunc(next, func() { r.post(r.tick) })
}

// standing asks the billing whether the campaign may spend on calls.
func (r *Runner) standing() bool {
	if r.cfg.Standing == nil {
		return true
	}
	ok, why, err := r.cfg.Standing.MayDial(r.ctx, r.cfg.Campaign)
	if err != nil {
		r.warn("reading the campaign's budget and payment standing failed", err)
		return false
	}
	if !ok {
		r.cfg.Log.Info("the campaign may not spend on more calls", "campaign", r.cfg.Campaign, "why", why)
	}
	return ok
}

// chores queues new leads, returns lapsed claims and renews the leases of
// the calls in progress.
func (r *Runner) chores() {
	if _, err := r.cfg.Queue.Fill(r.ctx, r.cfg.Campaign); err != nil {
		r.warn("queueing the campaign's new leads failed", err)
	}
	if _, err := r.cfg.Leases.Reap(r.ctx, r.cfg.Campaign); err != nil {
		r.warn("returning lapsed claims failed", err)
	}
	ids := make([]uuid.UUID, 0, len(r.calls))
	for id := range r.calls {
		ids = append(ids, id)
	}
	if err := r.cfg.Queue.Renew(r.ctx, ids); err != nil {
		r.warn("renewing the leases of the calls in progress failed", err)
	}
}

// ready lists the agents ready now that no call of this runner holds, and
// counts the calls handled by those back from one.
func (r *Runner) ready() []Agent {
	agents, err := r.cfg.Floor.Ready(r.ctx, r.cfg.Campaign)
	if err != nil {
		r.warn("reading the ready agents failed", err)
		return nil
	}
	free := agents[:0]
	for _, a := range agents {
		if r.busy[a.ID] != nil {
			continue
		}
		if r.freed[a.ID] {
			r.meter.Handled()
			delete(r.freed, a.ID)
		}
		free = append(free, a)
	}
	return free
}

// serveWaiting bridges the people waiting to the ready agents of their
// center, first come first served, and returns the agents left.
func (r *Runner) serveWaiting(ready []Agent) []Agent {
	var still []*flight
	for _, f := range r.waiting {
		if !f.waiting {
			continue
		}
		i := pick(ready, f.claim)
		if i < 0 {
			still = append(still, f)
			continue
		}
		a := ready[i]
		ready = append(ready[:i], ready[i+1:]...)
		r.bridge(f, a)
	}
	r.waiting = still
	return ready
}

// pick is the index of a ready agent of the center that claimed c, or -1.
func pick(ready []Agent, c dispatch.Claim) int {
	for i, a := range ready {
		if a.CenterID == c.Call.CenterID {
			return i
		}
	}
	return -1
}

// place asks the controller and places its calls: one per ready agent,
// for that agent, in progressive mode; for whoever is ready when they
// answer in predictive mode, shared between the contracts of the agents.
func (r *Runner) place(ready []Agent) {
	// An agent waiting for the call dialled for him is neither busy nor
	// ready, as that call is not in flight for the pacer: the answer is his.
	talking := 0
	for _, f := range r.busy {
		if !f.flying {
			talking++
		}
	}
	fig := pacing.Figures{Mode: r.cfg.Mode, Ready: len(ready), Busy: talking, WrappingUp: len(r.freed), InFlight: r.flying,
		Waiting: len(r.waiting), Cap: r.cfg.Cap}
	r.meter.Fill(&fig, r.now())
	d, state := r.cfg.Controller.Tick(r.state, fig)
	r.state = state
	r.stats.Reasons[d.Reason]++
	switch d.Mode {
	case campaign.Progressive:
		for i := 0; i < d.Calls && i < len(ready); i++ {
			a := ready[i]
			if !r.dial(seat{contract: a.ContractID, center: a.CenterID}, &a) {
				return
			}
		}
	case campaign.Predictive:
		seats := r.seats(ready)
		for i := 0; i < d.Calls && len(seats) > 0; i++ {
			if !r.dial(seats[i%len(seats)], nil) {
				return
			}
		}
	}
}

// seat is a contract of the campaign, and the center that works it.
type seat struct{ contract, center uuid.UUID }

// seats lists the contracts of the agents on the campaign, ready or busy,
// each once, with their centers.
func (r *Runner) seats(ready []Agent) []seat {
	seen := map[uuid.UUID]bool{}
	var out []seat
	add := func(a Agent) {
		if !seen[a.ContractID] {
			seen[a.ContractID] = true
			out = append(out, seat{contract: a.ContractID, center: a.CenterID})
		}
	}
	for _, a := range ready {
		add(a)
	}
	for _, f := range r.busy {
		add(*f.agent)
	}
	return out
}

// dial claims the next lead of the seat's contract, presenting its
// center's number, and calls it, for agent a (nil: whoever is ready when
// the callee answers). It reports false when nothing may be called now.
func (r *Runner) dial(s seat, a *Agent) bool {
	req := dispatch.ClaimRequest{CampaignID: r.cfg.Campaign, ContractID: s.contract, CallerID: r.callerID(s.center)}
	if a != nil {
		req.Agent = &a.ID
	}
	c, found, err := r.cfg.Queue.Claim(r.ctx, req)
	if err != nil {
		r.warn("claiming a lead failed", err)
	}
	if err != nil || !found {
		r.exhausted = true
		return false
	}
	r.stats.Claims++
	if !r.launch(c, a) {
		return false
	}
	if a != nil {
		r.cfg.Floor.Reserved(r.ctx, *a, c)
	}
	return true
}

// launch places the call of claim c, for agent a (nil: whoever is ready
// when the callee answers). It reports false when the dialer refused it.
func (r *Runner) launch(c dispatch.Claim, a *Agent) bool {
	f := &flight{claim: c, agent: a, dialedAt: r.now(), flying: true}
	dc, err := r.cfg.Dialer.Dial(r.ctx, dialing.Dial{CallID: c.Call.ID, CenterID: c.Call.CenterID, To: c.Lead.Phone, CallerID: c.Call.CallerID,
		RingTimeout: r.cfg.RingTimeout, Record: r.recording.Load()})
	if err != nil {
		r.warn("the dialer refused a call", err, "call", c.Call.ID)
		r.record(dialing.Event{CallID: c.Call.ID, Kind: dialing.EventEnded, At: r.now(), Result: dialing.Failed,
			Cause: "dialer: " + err.Error()})
		r.holdUntil = r.now().Add(DialerBackoff)
		r.hold(err)
		return false
	}
	if r.held {
		r.hold(nil)
	}
	f.call = dc
	r.calls[c.Call.ID] = f
	if a == nil {
		r.flying++
	}
	r.stats.Dials++
	if a != nil {
		r.busy[a.ID] = f
	}
	if err := r.cfg.Queue.Dialed(r.ctx, c.Call.ID, f.dialedAt); err != nil {
		r.warn("recording a dial failed", err, "call", c.Call.ID)
	}
	if !r.cfg.Observed {
		go func() {
			for ev := range dc.Events() {
				r.Observe(ev)
			}
		}()
	}
	return true
}

// callerID is the number the center's calls present, the one each claim's
// compliance decision sees; "" when none is known (the claim says why if
// the rules want one).
func (r *Runner) callerID(centerID uuid.UUID) string {
	if r.cfg.CallerIDs == nil {
		return ""
	}
	n, err := r.cfg.CallerIDs(r.ctx, centerID)
	if err != nil {
		r.warn("choosing the number the center's calls present failed", err, "center", centerID)
	}
	return n
}

// requests reads what agents asked of the campaign's calls.
func (r *Runner) requests() dispatch.Requests {
	asked, err := r.cfg.Queue.Requests(r.ctx, r.cfg.Campaign)
	if err != nil {
		r.warn("reading the agents' dials and hang-ups failed", err)
	}
	return asked
}

// dialAsked places the preview calls their agents asked to dial, each
// once: a call this runner placed already is in r.calls until it ends.
func (r *Runner) dialAsked(dials []dispatch.Claim) {
	for _, c := range dials {
		k := c.Call
		if r.calls[k.ID] != nil || k.AgentID == nil || k.ContractID == nil || r.busy[*k.AgentID] != nil {
			continue
		}
		a := Agent{ID: *k.AgentID, CenterID: k.CenterID, ContractID: *k.ContractID}
		if !r.launch(c, &a) {
			r.cfg.Floor.Ended(r.ctx, a, c, dialing.Failed) // the agent was reserved for it: ready again
			return
		}
	}
}

// hangUp hangs up the calls of this runner that were asked to, each once;
// the dialer's end event closes them.
func (r *Runner) hangUp(ids []uuid.UUID) {
	for _, id := range ids {
		f := r.calls[id]
		if f == nil || f.hangingUp {
			continue
		}
		f.hangingUp = true
		if err := f.call.Hangup(r.ctx); err != nil {
			f.hangingUp = false // asked again on the next tick
			r.warn("hanging up a call as asked failed", err, "call", id)
		}
	}
}

// record keeps a dialer's event in the store; a failure is logged, and the
// lapsed lease returns the work later.
func (r *Runner) record(ev dialing.Event) {
	if err := r.cfg.Queue.Record(r.ctx, ev); err != nil {
		r.warn("recording a call's event failed", err, "call", ev.CallID, "event", ev.Kind)
	}
}

// event moves a call on by the dialer's event.
func (r *Runner) event(ev dialing.Event) {
	f := r.calls[ev.CallID]
	if f == nil {
		return
	}
	r.record(ev)
	switch ev.Kind {
	case dialing.EventAnswered:
		r.answered(f, ev)
	case dialing.EventEnded:
		r.ended(f, ev)
	}
}

func (r *Runner) answered(f *flight, ev dialing.Event) {
	r.landed(f)
	if ev.Machine {
		r.meter.Unanswered()
		r.stats.Machines++
		if err := f.call.Hangup(r.ctx); err != nil { // answering-machine detection: no agent hears a machine
			r.warn("hanging up on a machine failed", err, "call", ev.CallID)
		}
		return
	}
	r.meter.Answered(ev.At, ev.At.Sub(f.dialedAt))
	if f.agent != nil {
		r.bridge(f, *f.agent)
		return
	}
	ready := r.ready()
	if i := pick(ready, f.claim); i >= 0 {
		r.bridge(f, ready[i])
		return
	}
	f.waiting = true
	r.waiting = append(r.waiting, f)
}

// landed takes a call that was answered or ended out of the flying ones.
func (r *Runner) landed(f *flight) {
	f.flying = false
	if f.agent == nil {
		r.flying--
	}
}

func (r *Runner) bridge(f *flight, a Agent) {
	f.waiting = false
	if err := f.call.Bridge(r.ctx, a.Endpoint); err != nil {
		r.warn("bridging a call to its agent failed", err, "call", f.claim.Call.ID, "agent", a.ID)
		return
	}
	f.agent, f.bridged = &a, r.now()
	r.busy[a.ID] = f
	if err := r.cfg.Queue.Bridged(r.ctx, f.claim.Call.ID, a.ID, f.bridged); err != nil {
		r.warn("recording a bridge failed", err, "call", f.claim.Call.ID)
	}
	r.cfg.Floor.Connected(r.ctx, a, f.claim)
}

func (r *Runner) ended(f *flight, ev dialing.Event) {
	delete(r.calls, ev.CallID)
	if f.flying {
		r.landed(f)
		r.meter.Unanswered()
	}
	f.waiting = false
	switch ev.Result {
	case dialing.Abandoned:
		r.meter.Abandoned(ev.At)
		r.stats.Live++
		r.stats.Abandoned++
	case dialing.Answered:
		r.stats.Live++
	}
	if f.agent != nil && r.busy[f.agent.ID] == f {
		delete(r.busy, f.agent.ID)
		if !f.bridged.IsZero() {
			r.freed[f.agent.ID] = true
		}
		r.cfg.Floor.Ended(r.ctx, *f.agent, f.claim, ev.Result)
	}
	r.finishIfIdle()
}

// finishIfIdle ends a stopping runner once its calls ended, and reports
// whether it did.
func (r *Runner) finishIfIdle() bool {
	if !r.stopping || len(r.calls) > 0 || r.stopped {
		return r.stopped
	}
	r.stopped = true
	if err := r.cfg.Leases.Unpace(r.ctx, r.cfg.Campaign, r.cfg.Holder); err != nil {
		r.warn("giving the pacer lease up failed", err)
	}
	close(r.done)
	return true
}
