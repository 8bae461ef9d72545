package platform

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/agentfeed"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dialing/routing"
	"github.com/plateau-bpo/plateau/pkg/dialing/simdial"
	"github.com/plateau-bpo/plateau/pkg/dialing/sipdial"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/execution/simfloor"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// SimulatedFloor is how the engine of `plateau dev` dials: on the call
// simulator in real time, with Agents simulated agents per campaign
// beside the people who go ready on the agent workspace.
type SimulatedFloor struct {
	Agents int
	Seed   uint64
	// Clock is the time the simulator and the engine's runners live in:
	// nil is real time; tests give a virtual clock, the store's too.
	Clock vclock.Clock
}

// Engine builds the engine that runs the campaigns, dialling through the
// call simulator: `plateau dev`, and `plateau worker --dialer simulator`
// (with no simulated agents: the people on the agent workspace take the
// calls).
func (p *Platform) Engine(sim SimulatedFloor) *execution.Engine {
	svc, clock := p.Services, sim.Clock
	if clock == nil {
		clock = vclock.Real{}
	}
	return p.engine(clock, func(c execution.Campaign, observe func(dialing.Event), people execution.Floor) (execution.Wiring, error) {
		floor := people
		if sim.Agents > 0 {
			ctx := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(c.Client, "pacer"))
			agents, err := SimulatedAgents(ctx, svc, c.ID, sim.Agents, sim.Seed)
			if err != nil {
				return execution.Wiring{}, err
			}
			floor = execution.Join(simfloor.New(clock, sim.Seed, agents, simfloor.DefaultMix, Disposer(svc), p.Log), people)
		}
		return execution.Wiring{Floor: floor, Observed: true, CallerIDs: execution.OneCallerID(simdial.CallerID),
			Dialer: simdial.New(clock, sim.Seed, simdial.WithObserver(observe))}, nil
	})
}

// SIP is where the engine's SIP lines listen, one a trunk on a port of
// its own.
type SIP struct {
	BindHost     string // "0.0.0.0": every interface
	ExternalHost string // the address trunks and agents reach us at, behind NAT; BindHost when empty
	// Notice is the WAV (8 kHz, 16-bit mono) played to the callee of a
	// recorded call when it answers; nil plays a beep (sipdial).
	Notice []byte
}

// SIPEngine builds the engine that places each center's calls through
// the center's own SIP trunks (store.Trunks, routing.Router), for the
// people on the agent workspace, recording the calls of the campaigns
// that record theirs in the platform's recordings. The router's lines live until ctx ends;
// closing the router hangs up their calls.
func (p *Platform) SIPEngine(ctx context.Context, sip SIP) (*execution.Engine, *routing.Router) {
	router := routing.New(ctx, routing.Config{Log: p.Log,
		Trunks: func(ctx context.Context, centerID uuid.UUID) ([]routing.Trunk, error) {
			engine := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(tenancy.Org{ID: centerID, Kind: tenancy.KindCenter}, "engine: trunks"))
			trunks, err := p.Services.Trunks.Dialable(engine)
			out := make([]routing.Trunk, len(trunks))
			for i, t := range trunks {
				out[i] = routing.Trunk(t)
			}
			return out, err
		},
		Open: func(ctx context.Context, t dialing.Trunk) (routing.Line, error) {
			d, err := sipdial.New(ctx, sipdial.Config{Trunk: t, BindHost: sip.BindHost, ExternalHost: sip.ExternalHost, Logger: p.Log,
				Recordings: p.Recordings, RecordingNotice: sip.Notice})
			if err != nil {
				return nil, err // not a nil *sipdial.Dialer in a non-nil Line
			}
			return d, nil
		},
	})
	return p.engine(vclock.Real{}, func(_ execution.Campaign, _ func(dialing.Event), people execution.Floor) (execution.Wiring, error) {
		return execution.Wiring{Floor: people, Dialer: router, CallerIDs: router.CallerID}, nil
	}), router
}

// engine builds an engine whose campaigns wire gives a floor (beside the
// people on the agent workspace) and a dialer.
func (p *Platform) engine(clock vclock.Clock, wire func(c execution.Campaign, observe func(dialing.Event), people execution.Floor) (execution.Wiring, error)) *execution.Engine {
	svc := p.Services
	host, _ := os.Hostname()
	people := presenceFloor{presence: svc.Presence, feed: p.Feed, log: p.Log}
	return execution.NewEngine(execution.EngineConfig{
		Holder: fmt.Sprintf("%s:%d", host, os.Getpid()), Running: svc.Execution.Running,
		Queue: svc.Dispatch, Leases: svc.Execution, Clock: clock, Log: p.Log,
		Wire: func(c execution.Campaign, observe func(dialing.Event)) (execution.Wiring, error) {
			return wire(c, observe, people)
		},
	})
}

// presenceFloor is the people on the agent workspace, as their presence
// in the store says.
type presenceFloor struct {
	presence *store.Presence
	feed     *agentfeed.Broker // tells the agent's page, live
	log      *slog.Logger
}

func (f presenceFloor) Ready(ctx context.Context, campaignID uuid.UUID) ([]execution.Agent, error) {
	ready, err := f.presence.Ready(ctx, campaignID)
	out := make([]execution.Agent, len(ready))
	for i, a := range ready {
		out[i] = execution.Agent{ID: a.AgentID, CenterID: a.CenterID, ContractID: a.ContractID}
	}
	return out, err
}

// engage moves the agent's presence with its call, and tells its page.
func (f presenceFloor) engage(ctx context.Context, a execution.Agent, c dispatch.Claim, to presence.State, news agentfeed.Kind) {
	if _, err := f.presence.Engage(ctx, a.ID, c.Call.ID, to); err != nil {
		f.log.Warn("an agent's presence could not follow the call", "agent", a.ID, "call", c.Call.ID, "state", to, "err", err)
	}
	if news != "" {
		id := c.Call.ID
		f.feed.Publish(a.ID, agentfeed.Event{Kind: news, CallID: &id, At: time.Now().UTC()})
	}
}

func (f presenceFloor) Reserved(ctx context.Context, a execution.Agent, c dispatch.Claim) {
	f.engage(ctx, a, c, presence.Reserved, agentfeed.CallOffered)
}

func (f presenceFloor) Connected(ctx context.Context, a execution.Agent, c dispatch.Claim) {
	if c.Call.AgentID == nil { // a predictive call: the agent was ready, not reserved
		f.engage(ctx, a, c, presence.Reserved, "")
	}
	f.engage(ctx, a, c, presence.OnCall, agentfeed.CallConnected)
}

func (f presenceFloor) Ended(ctx context.Context, a execution.Agent, c dispatch.Claim, result dialing.Result) {
	if result == dialing.Answered {
		f.engage(ctx, a, c, presence.WrapUp, agentfeed.CallEnded)
		return
	}
	f.engage(ctx, a, c, presence.Ready, agentfeed.CallEnded)
}

// SimulatedAgents makes n simulated agents for a campaign of ctx's client,
// shared between its active contracts by seats; the same seed gives the
// same agents.
func SimulatedAgents(ctx context.Context, svc store.Services, campaignID uuid.UUID, n int, seed uint64) ([]execution.Agent, error) {
	shares, err := svc.Execution.Shares(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if len(shares) == 0 {
		return nil, fmt.Errorf("campaign %s has no active contract: no center to take its calls", campaignID)
	}
	ids := rand.New(rand.NewPCG(seed, 0xa6e7))
	split := dispatch.NewSplitter(shares)
	agents := make([]execution.Agent, n)
	for i := range agents {
		sh := split.Next()
		var id uuid.UUID
		for j := range id {
			id[j] = byte(ids.Uint32())
		}
		agents[i] = execution.Agent{ID: id, CenterID: sh.CenterID, ContractID: sh.ContractID}
	}
	return agents, nil
}

// Disposer writes a simulated agent's outcome through the use case the
// agent workspace calls, in the name of the agent's center.
func Disposer(svc store.Services) simfloor.Disposer {
	return func(ctx context.Context, a execution.Agent, c dispatch.Claim, o simfloor.Outcome) error {
		center := tenancy.Org{ID: a.CenterID, Kind: tenancy.KindCenter}
		ctx = tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(center, "simulated agent"))
		out := call.Outcome{Disposition: o.Disposition}
		if o.CallbackAt != nil {
			out.Callback = &call.CallbackRequest{At: *o.CallbackAt, Zone: c.Call.Timezone}
		}
		_, err := svc.Calls.Dispose(ctx, c.Call.ID, out)
		return err
	}
}
