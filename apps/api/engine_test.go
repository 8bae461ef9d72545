package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// TestTheEngineTakesAnAgentThroughItsCalls drives three agents over the
// API through the engine as it runs — the call simulator, the store and
// the engine on one virtual clock: a preview call read, dialled and hung
// up; a progressive call offered, then put through; a predictive call put
// through. Each conversation is hung up and given its outcome.
func TestTheEngineTakesAnAgentThroughItsCalls(t *testing.T) {
	e := platformtest.New(t)
	k := loadContract(t, e)
	client := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	floors := map[string]agentFloor{}
	for i, mode := range []string{"preview", "progressive", "predictive"} {
		center := e.Org(tenancy.KindCenter, "Centre "+mode, "MA")
		phones := make([]string, 30)
		for j := range phones {
			phones[j] = fmt.Sprintf("+41 22 346 %02d %02d", i, j)
		}
		floors[mode] = newAgentFloorDialing(t, e, client, center, mode+".test", mode, phones...)
	}
	clock := vclock.NewVirtual(tuesdayInGeneva)
	e.P.DB.Now = clock.Now
	runEngine(t, e.P, clock)

	for mode, f := range floors {
		t.Run(mode, func(t *testing.T) {
			as := func(want int, method, path string, body any) string {
				t.Helper()
				resp := f.agent.browser.JSON(method, path, body)
				if resp.StatusCode != want {
					t.Fatalf("%s %s: %d, want %d\n%s", method, path, resp.StatusCode, want, platformtest.ReadJSON(t, resp, nil))
				}
				return string(k.check(t, method, path, resp))
			}
			events := openEvents(t, e, k, f.agent)
			events.next(t) // the presence as the stream opens
			as(http.StatusOK, "PUT", "/api/v1/agent/presence", map[string]any{"state": "ready", "campaign_id": f.campaign})
			if mode == "preview" {
				// Leads are read, then dialled, until one answers.
				for {
					var taken agentCallBody
					decodeInto(t, as(http.StatusOK, "POST", "/api/v1/agent/campaigns/"+f.campaign+"/next", nil), &taken)
					as(http.StatusAccepted, "POST", "/api/v1/calls/"+taken.Call.ID+"/dial", nil)
					if ev := events.until(t, "call.connected", "call.ended"); ev.kind == "call.connected" {
						if !strings.Contains(ev.data, taken.Call.ID) {
							t.Fatalf("the call put through is not the one dialled (%s): %s", taken.Call.ID, ev.data)
						}
						break
					}
				}
			} else {
				events.until(t, "call.connected")
			}
			var held agentCallBody
			decodeInto(t, as(http.StatusOK, "GET", "/api/v1/agent/call", nil), &held)
			if held.Call.AgentID == nil || *held.Call.AgentID != f.agent.id {
				t.Fatalf("the call in hand: %+v", held.Call)
			}
			as(http.StatusAccepted, "POST", "/api/v1/calls/"+held.Call.ID+"/hangup", nil)
			if ev := events.until(t, "call.ended"); !strings.Contains(ev.data, held.Call.ID) {
				t.Fatalf("another call ended: %s", ev.data)
			}
			var disposed callBody
			decodeInto(t, as(http.StatusOK, "POST", "/api/v1/calls/"+held.Call.ID+"/disposition",
				map[string]any{"disposition": "sale", "fields": map[string]string{"amount": "49.90"}}), &disposed)
			if disposed.Disposition != "sale" {
				t.Fatalf("the disposed call: %+v", disposed)
			}
		})
	}
}

// until reads the stream until an event of one of kinds, skipping the
// others (the presence moving with the calls, the calls that found no
// one).
func (s *sse) until(t *testing.T, kinds ...string) sseEvent {
	t.Helper()
	for range 500 {
		ev := s.next(t)
		for _, k := range kinds {
			if ev.kind == k {
				return ev
			}
		}
	}
	t.Fatalf("no %v in 500 events", kinds)
	return sseEvent{}
}

// runEngine runs the platform's engine, dialling on the simulator with no
// simulated agent, in clock's time, which runs 50 times faster than real
// time until the test ends and the engine stopped.
func runEngine(t *testing.T, p *platform.Platform, clock *vclock.Virtual) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	var ticking sync.WaitGroup
	ticking.Add(1)
	go func() {
		defer ticking.Done()
		for {
			select {
			case <-stopped:
				return
			case <-time.After(20 * time.Millisecond):
				clock.Advance(time.Second)
			}
		}
	}()
	go func() {
		defer close(stopped)
		if err := p.Engine(platform.SimulatedFloor{Seed: 3, Clock: clock}).Run(ctx); err != nil {
			t.Errorf("the engine: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		ticking.Wait()
	})
}
