package agentfeed_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/agentfeed"
)

func TestEachAgentGetsItsOwnEvents(t *testing.T) {
	var b agentfeed.Broker
	amina, karim := uuid.New(), uuid.New()
	first, cancelFirst := b.Subscribe(amina)
	second, cancelSecond := b.Subscribe(amina)
	other, cancelOther := b.Subscribe(karim)
	defer cancelOther()
	call := uuid.New()
	b.Publish(amina, agentfeed.Event{Kind: agentfeed.CallOffered, CallID: &call, At: time.Unix(0, 0)})
	for _, ch := range []<-chan agentfeed.Event{first, second} {
		if ev := <-ch; ev.Kind != agentfeed.CallOffered || *ev.CallID != call {
			t.Fatalf("amina's event: %+v", ev)
		}
	}
	select {
	case ev := <-other:
		t.Fatalf("karim got amina's event %+v", ev)
	default:
	}
	cancelFirst()
	cancelFirst()
	if _, open := <-first; open {
		t.Fatal("a cancelled feed stays open")
	}
	b.Publish(amina, agentfeed.Event{Kind: agentfeed.CallEnded})
	if ev := <-second; ev.Kind != agentfeed.CallEnded {
		t.Fatalf("the remaining feed: %+v", ev)
	}
	cancelSecond()
}

func TestASlowReaderLosesEventsWithoutBlocking(t *testing.T) {
	var b agentfeed.Broker
	agent := uuid.New()
	feed, cancel := b.Subscribe(agent)
	defer cancel()
	done := make(chan struct{})
	go func() {
		for range 1000 {
			b.Publish(agent, agentfeed.Event{Kind: agentfeed.Presence})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publishing to a reader that does not read blocked")
	}
	n := 0
	for len(feed) > 0 {
		<-feed
		n++
	}
	if n == 0 || n >= 1000 {
		t.Fatalf("the slow reader kept %d of 1000 events; want its buffer's worth", n)
	}
}
