// Package memqueue is the store's side of the execution engine in memory:
// a dispatch that hands out numbered leads and keeps what the engine tells
// it (execution.Queue), and pacer leases that lapse on a clock
// (execution.Leases). The engine's tests of its own logic and `plateau
// bench pacer` run on it, so that they measure the engine and not a
// database; the store's real ones are tested in pkg/store, and the two
// together in cmd/plateau's simulate tests.
//
// It imports the engine's domain packages and vclock only.
package memqueue

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

// Phone is the number of every lead handed out: a French mobile.
const Phone = "+33612345678"

// Queue is a dispatch of up to a number of leads, every campaign's claims
// counted together, and the pacer leases of the campaigns. It is safe for
// concurrent use.
type Queue struct {
	clock  vclock.Clock
	center uuid.UUID
	leads  int

	mu      sync.Mutex
	claims  []dispatch.ClaimRequest
	open    map[uuid.UUID]bool
	ended   map[uuid.UUID]dialing.Event
	dialed  map[uuid.UUID]int
	asked   dispatch.Requests // what agents asked, as the store keeps it
	held    []error           // the reasons the leases were told, nil for "dials again"
	maxOpen int
	bridged int
	leases  map[uuid.UUID]lease
}

type lease struct {
	holder string
	until  time.Time
}

// New returns a queue of leads leads, claimed for the center, whose leases
// lapse on clock.
func New(clock vclock.Clock, center uuid.UUID, leads int) *Queue {
	return &Queue{clock: clock, center: center, leads: leads, open: map[uuid.UUID]bool{},
		ended: map[uuid.UUID]dialing.Event{}, dialed: map[uuid.UUID]int{}, leases: map[uuid.UUID]lease{}}
}

// Fill queues nothing: every lead is queued from the start.
func (q *Queue) Fill(context.Context, uuid.UUID) (int, error) { return 0, nil }

// Claim hands out the next lead and opens its call, until the leads run
// out.
func (q *Queue) Claim(_ context.Context, req dispatch.ClaimRequest) (dispatch.Claim, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.claims) == q.leads {
		return dispatch.Claim{}, false, nil
	}
	q.claims = append(q.claims, req)
	id := uuid.New()
	q.open[id] = true
	q.maxOpen = max(q.maxOpen, len(q.open))
	return dispatch.Claim{Call: call.Call{ID: id, CampaignID: req.CampaignID, AgentID: req.Agent, CenterID: q.center, Phone: Phone,
		CallerID: req.CallerID},
		Lead: lead.Lead{ID: uuid.New(), Phone: Phone}}, true, nil
}

// Dialed counts the call's dials; a dial an agent asked for is done.
func (q *Queue) Dialed(_ context.Context, id uuid.UUID, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.dialed[id]++
	q.asked.Dials = slices.DeleteFunc(q.asked.Dials, func(c dispatch.Claim) bool { return c.Call.ID == id })
	return nil
}

// AskDial has an agent ask to dial the preview call c it holds.
func (q *Queue) AskDial(c dispatch.Claim) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.open[c.Call.ID] = true
	q.asked.Dials = append(q.asked.Dials, c)
}

// AskHangup has an agent ask to hang up its call.
func (q *Queue) AskHangup(id uuid.UUID) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.asked.Hangups = append(q.asked.Hangups, id)
}

// Requests are the dials and hang-ups asked and not yet done.
func (q *Queue) Requests(context.Context, uuid.UUID) (dispatch.Requests, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return dispatch.Requests{Dials: slices.Clone(q.asked.Dials), Hangups: slices.Clone(q.asked.Hangups)}, nil
}

// Bridged counts the bridge.
func (q *Queue) Bridged(context.Context, uuid.UUID, uuid.UUID, time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.bridged++
	return nil
}

// Record closes the call of an end event, and fails on a second end: the
// store would count the attempt twice.
func (q *Queue) Record(_ context.Context, ev dialing.Event) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if ev.Kind == dialing.EventEnded {
		if _, again := q.ended[ev.CallID]; again {
			return errors.New("a call ended twice")
		}
		q.ended[ev.CallID] = ev
		delete(q.open, ev.CallID)
		q.asked.Hangups = slices.DeleteFunc(q.asked.Hangups, func(id uuid.UUID) bool { return id == ev.CallID })
	}
	return nil
}

// Renew keeps nothing: claims never lapse here.
func (q *Queue) Renew(context.Context, []uuid.UUID) error { return nil }

// Pace takes or renews the campaign's pacer lease for holder, unless
// another holder's lease runs.
func (q *Queue) Pace(_ context.Context, campaignID uuid.UUID, holder string, d time.Duration) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock.Now()
	if l, ok := q.leases[campaignID]; ok && l.holder != holder && now.Before(l.until) {
		return false, nil
	}
	q.leases[campaignID] = lease{holder: holder, until: now.Add(d)}
	return true, nil
}

// Unpace gives holder's lease up.
func (q *Queue) Unpace(_ context.Context, campaignID uuid.UUID, holder string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.leases[campaignID].holder == holder {
		delete(q.leases, campaignID)
	}
	return nil
}

// Reap returns nothing: claims never lapse here.
func (q *Queue) Reap(context.Context, uuid.UUID) (int, error) { return 0, nil }

// Hold keeps why a campaign places no call (nil: it dials again).
func (q *Queue) Hold(_ context.Context, _ uuid.UUID, _ string, _ time.Time, reason error) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.held = append(q.held, reason)
	return nil
}

// Seize gives the campaign's lease to holder for d, whoever holds it: a
// process that believes the lease lapsed.
func (q *Queue) Seize(campaignID uuid.UUID, holder string, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.leases[campaignID] = lease{holder: holder, until: q.clock.Now().Add(d)}
}

// Holder is who holds the campaign's lease now, "" when nobody does.
func (q *Queue) Holder(campaignID uuid.UUID) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if l, ok := q.leases[campaignID]; ok && q.clock.Now().Before(l.until) {
		return l.holder
	}
	return ""
}

// Figures are what a queue saw.
type Figures struct {
	Claims  []dispatch.ClaimRequest // in their order
	Open    int                     // calls claimed and not ended
	MaxOpen int                     // the most calls open at once
	Bridged int
	Ended   map[uuid.UUID]dialing.Result
	Causes  map[uuid.UUID]string // of the ended calls
	Dialed  map[uuid.UUID]int    // each call's dials
	Held    []error              // the reasons the leases were told, in order
}

// Figures returns a copy of what the queue saw so far.
func (q *Queue) Figures() Figures {
	q.mu.Lock()
	defer q.mu.Unlock()
	ended := make(map[uuid.UUID]dialing.Result, len(q.ended))
	causes := make(map[uuid.UUID]string, len(q.ended))
	for id, ev := range q.ended {
		ended[id], causes[id] = ev.Result, ev.Cause
	}
	return Figures{Claims: slices.Clone(q.claims), Open: len(q.open), MaxOpen: q.maxOpen,
		Bridged: q.bridged, Ended: ended, Causes: causes, Dialed: maps.Clone(q.dialed), Held: slices.Clone(q.held)}
}
