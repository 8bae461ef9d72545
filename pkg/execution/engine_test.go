package execution_test

import (
	"context"
	"errors"
	"maps"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/simdial"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/execution/memqueue"
	"github.com/plateau-bpo/plateau/pkg/execution/simfloor"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// floor is processes sharing a store (one memqueue) and the campaigns
// that run: each runs an engine whose runners dial on the simulator, on a
// virtual clock the test moves, and the calls each process dialled are
// counted per campaign.
type floor struct {
	clock *vclock.Virtual
	queue *memqueue.Queue

	processes []*process

	mu      sync.Mutex
	running []execution.Campaign
	dials   map[uuid.UUID]map[string]int // campaign → holder → calls
	records map[uuid.UUID]int            // campaign → calls asked to be recorded
}

func newFloor(campaigns int) *floor {
	clock := vclock.NewVirtual(morning)
	f := &floor{clock: clock, queue: memqueue.New(clock, center, 1_000_000), dials: map[uuid.UUID]map[string]int{},
		records: map[uuid.UUID]int{}}
	for range campaigns {
		f.running = append(f.running, execution.Campaign{ID: uuid.New(), Client: tenancy.Org{ID: uuid.New(), Kind: tenancy.KindClient},
			Mode: campaign.Progressive, Country: "FR", Audience: compliance.B2C, Kind: compliance.Prospecting})
	}
	return f
}

// process is one engine of the floor.
type process struct {
	holder  string
	engine  *execution.Engine
	cut     atomic.Bool // the process cannot reach the store's leases
	stopped bool
}

// start makes an engine for holder, and calls its roll.
func (f *floor) start(holder string) *process {
	p := &process{holder: holder}
	p.engine = execution.NewEngine(execution.EngineConfig{Holder: holder, Queue: f.queue, Leases: cuttable{f.queue, p}, Clock: f.clock,
		Running: func(context.Context) ([]execution.Campaign, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return append([]execution.Campaign(nil), f.running...), nil
		},
		Wire: func(c execution.Campaign, observe func(dialing.Event)) (execution.Wiring, error) {
			agents := make([]execution.Agent, 3)
			for i := range agents {
				agents[i] = execution.Agent{ID: uuid.New(), CenterID: center, ContractID: contract}
			}
			dispose := func(context.Context, execution.Agent, dispatch.Claim, simfloor.Outcome) error { return nil }
			return execution.Wiring{Floor: simfloor.New(f.clock, 1, agents, simfloor.DefaultMix, dispose, nil), Observed: true,
				Dialer: counted{simdial.New(f.clock, 7, simdial.WithObserver(observe)), f, c.ID, holder}}, nil
		}})
	f.processes = append(f.processes, p)
	p.engine.Roll(context.Background())
	return p
}

// stop stops the process's runners, as its engine does when its context
// ends, moving the clock until their calls ended.
func (p *process) stop(f *floor) {
	p.stopped = true
	done := make(chan struct{})
	go func() { p.engine.StopAll(); close(done) }()
	for {
		select {
		case <-done:
			return
		case <-time.After(time.Millisecond):
			f.clock.Advance(time.Second)
		}
	}
}

// cuttable are the store's leases, as a process sees them: unreachable
// once it is cut.
type cuttable struct {
	*memqueue.Queue
	p *process
}

var errCut = errors.New("the store cannot be reached")

func (c cuttable) Pace(ctx context.Context, id uuid.UUID, holder string, d time.Duration) (bool, error) {
	if c.p.cut.Load() {
		return false, errCut
	}
	return c.Queue.Pace(ctx, id, holder, d)
}

func (c cuttable) Unpace(ctx context.Context, id uuid.UUID, holder string) error {
	if c.p.cut.Load() {
		return errCut
	}
	return c.Queue.Unpace(ctx, id, holder)
}

// counted is a dialer that counts its calls for the floor.
type counted struct {
	dialing.Dialer
	f        *floor
	campaign uuid.UUID
	holder   string
}

func (c counted) Dial(ctx context.Context, d dialing.Dial) (dialing.Call, error) {
	c.f.mu.Lock()
	if c.f.dials[c.campaign] == nil {
		c.f.dials[c.campaign] = map[string]int{}
	}
	c.f.dials[c.campaign][c.holder]++
	if d.Record {
		c.f.records[c.campaign]++
	}
	c.f.mu.Unlock()
	return c.Dialer.Dial(ctx, d)
}

// dialed returns the calls placed for the campaign, per holder.
func (f *floor) dialed(id uuid.UUID) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.dials[id])
}

// run moves the clock by d, a second at a time, the engines that run
// calling their roll every RollCall.
func (f *floor) run(d time.Duration) {
	for range int(d / time.Second) {
		f.clock.Advance(time.Second)
		if f.clock.Now().Sub(morning)%execution.RollCall == 0 {
			for _, p := range f.processes {
				if !p.stopped {
					p.engine.Roll(context.Background())
				}
			}
		}
	}
}

// holders are the pacers of the campaigns of ids, "" for none.
func (f *floor) holders(ids ...uuid.UUID) map[uuid.UUID]string {
	out := map[uuid.UUID]string{}
	for _, id := range ids {
		out[id] = f.queue.Holder(id)
	}
	return out
}

func TestTwoEnginesPaceEachCampaignOnceAndStopTheCampaignsThatStop(t *testing.T) {
	f := newFloor(4)
	f.start("a")
	f.start("b")
	ids := []uuid.UUID{f.running[0].ID, f.running[1].ID, f.running[2].ID, f.running[3].ID}
	holders := f.holders(ids...)
	f.run(10 * time.Minute)
	for _, id := range ids {
		if holders[id] != "a" {
			t.Fatalf("campaign %s is paced by %q after the first engine's roll, want a", id, holders[id])
		}
		if dials := f.dialed(id); len(dials) != 1 || dials["a"] < 10 {
			t.Fatalf("campaign %s was dialled by %v in 10 min, want a only", id, dials)
		}
		if h := f.queue.Holder(id); h != "a" {
			t.Fatalf("campaign %s changed pacer while both engines ran: a, then %q", id, h)
		}
	}

	stopped := ids[0]
	f.mu.Lock()
	f.running = f.running[1:]
	f.mu.Unlock()
	f.run(execution.RollCall)
	before := f.dialed(stopped)
	f.run(35 * time.Minute) // the longest conversation, and its wrap-up
	if after := f.dialed(stopped); !maps.Equal(before, after) {
		t.Fatalf("a campaign that stopped running was dialled: %v, then %v", before, after)
	}
	if h := f.queue.Holder(stopped); h != "" {
		t.Fatalf("%s still holds the lease of a campaign that stopped running", h)
	}
	for _, id := range ids[1:] {
		if h := f.queue.Holder(id); h != "a" {
			t.Fatalf("a campaign still running changed pacer: a, then %q", h)
		}
	}
}

func TestAnEngineTakesOverTheCampaignOfAnotherThatEnds(t *testing.T) {
	for _, ending := range []struct {
		name string
		end  func(f *floor, p *process)
		// within is how long the second engine may take to take over.
		within time.Duration
	}{
		// Its runner stops, its calls end, and it gives the lease up: the
		// next roll takes over.
		{"its context ends", func(f *floor, p *process) { p.stop(f) }, execution.RollCall},
		// It can no longer renew nor give up its lease: the lease lapses.
		{"it loses the store", func(_ *floor, p *process) { p.cut.Store(true) }, execution.PacerLease + execution.RollCall},
	} {
		t.Run(ending.name, func(t *testing.T) {
			f := newFloor(1)
			id := f.running[0].ID
			first := f.start("first")
			f.start("second")
			f.run(time.Minute)
			if h := f.queue.Holder(id); h != "first" {
				t.Fatalf("the campaign's pacer is %q while the first engine runs", h)
			}
			if d := f.dialed(id); len(d) != 1 || d["first"] == 0 {
				t.Fatalf("dialled %v while the first engine ran", d)
			}
			ending.end(f, first)
			ended := f.clock.Now()
			for f.queue.Holder(id) != "second" {
				if f.clock.Now().Sub(ended) > ending.within {
					t.Fatalf("the second engine did not take the campaign over within %s (pacer %q)", ending.within, f.queue.Holder(id))
				}
				f.run(time.Second)
			}
			before := f.dialed(id)
			f.run(10 * time.Minute)
			after := f.dialed(id)
			if after["second"] < before["second"]+10 || after["first"] != before["first"] {
				t.Fatalf("in the 10 min after the take-over, the second engine placed %d calls and the first %d",
					after["second"]-before["second"], after["first"]-before["first"])
			}
		})
	}
}

// TestACampaignRecordsFromTheRollCallAfterItsClientSaidSo: the client
// turns the recording on while the campaign runs; its pacer records the
// calls it places after its next roll call, without a restart, and stops
// once it is turned off.
func TestACampaignRecordsFromTheRollCallAfterItsClientSaidSo(t *testing.T) {
	f := newFloor(1)
	id := f.running[0].ID
	f.start("a")
	f.run(time.Minute)
	recorded := func() (int, int) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.records[id], f.dials[id]["a"]
	}
	if rec, dials := recorded(); rec != 0 || dials == 0 {
		t.Fatalf("a campaign that does not record: %d of its %d calls asked to be recorded", rec, dials)
	}
	set := func(on bool) {
		f.mu.Lock()
		f.running[0].Record = on
		f.mu.Unlock()
	}
	set(true)
	f.run(execution.RollCall)
	rec0, dials0 := recorded()
	f.run(10 * time.Minute)
	if rec, dials := recorded(); dials == dials0 || rec-rec0 != dials-dials0 {
		t.Fatalf("after the roll call that read the recording on, %d of %d calls asked to be recorded", rec-rec0, dials-dials0)
	}
	set(false)
	f.run(execution.RollCall)
	rec0, dials0 = recorded()
	f.run(10 * time.Minute)
	if rec, dials := recorded(); dials == dials0 || rec != rec0 {
		t.Fatalf("after the roll call that read the recording off, %d of %d calls asked to be recorded", rec-rec0, dials-dials0)
	}
}
