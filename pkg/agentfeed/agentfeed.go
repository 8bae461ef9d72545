// Package agentfeed carries what happens to an agent's work to that
// agent's screens, in this process: the engine publishes (a call offered,
// connected, ended), each open event stream of the agent subscribes. A
// slow reader loses events rather than holding the publisher back: the
// stream is a notice to read the current call again, not a ledger. It
// imports no adapter.
package agentfeed

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Kind names an event.
type Kind string

const (
	CallOffered   Kind = "call.offered"   // a lead or a call is reserved for the agent
	CallConnected Kind = "call.connected" // the callee is on the line with the agent
	CallEnded     Kind = "call.ended"     // the call ended: the agent records its outcome
	Presence      Kind = "presence"       // the agent's presence changed
)

// Event is one thing that happened to an agent's work.
type Event struct {
	Kind   Kind            `json:"kind"`
	CallID *uuid.UUID      `json:"call_id,omitempty"`
	At     time.Time       `json:"at"`
	Data   json.RawMessage `json:"data,omitempty"` // the event's details, as its publisher wrote them
}

// buffer is how many events a subscriber may be behind before it loses
// the next ones.
const buffer = 32

// Broker hands each agent's events to its subscribers. The zero value is
// ready to use.
type Broker struct {
	mu   sync.Mutex
	subs map[uuid.UUID]map[*subscriber]struct{}
}

type subscriber struct{ ch chan Event }

// Publish hands ev to every subscriber of agent, without waiting: a
// subscriber whose buffer is full misses it.
func (b *Broker) Publish(agent uuid.UUID, ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[agent] {
		select {
		case s.ch <- ev:
		default:
		}
	}
}

// Subscribe opens a feed of agent's events. cancel closes it (the channel
// is closed); it may be called more than once.
func (b *Broker) Subscribe(agent uuid.UUID) (<-chan Event, func()) {
	s := &subscriber{ch: make(chan Event, buffer)}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[uuid.UUID]map[*subscriber]struct{}{}
	}
	if b.subs[agent] == nil {
		b.subs[agent] = map[*subscriber]struct{}{}
	}
	b.subs[agent][s] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs[agent], s)
			if len(b.subs[agent]) == 0 {
				delete(b.subs, agent)
			}
			b.mu.Unlock()
			close(s.ch)
		})
	}
}
