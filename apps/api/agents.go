package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/agentfeed"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// An agent at work, and the supervisors of its floor. An agent is a
// person signed in (the session's cookie, or a key is refused by the
// store): its presence, the next lead of a preview campaign, the call in
// hand and its event stream. A supervisor assigns the center's agents to
// the campaigns of its active contracts and sets their presence.

// presenceView is Presence.
type presenceView struct {
	AgentID    uuid.UUID      `json:"agent_id"`
	State      presence.State `json:"state"`
	Reason     string         `json:"reason"`
	CampaignID *uuid.UUID     `json:"campaign_id"`
	CallID     *uuid.UUID     `json:"call_id"`
	Since      *time.Time     `json:"since"` // null for an agent never seen
}

func presenceOf(p presence.Presence) presenceView {
	v := presenceView{AgentID: p.AgentID, State: p.State, Reason: p.Reason, CampaignID: p.CampaignID, CallID: p.CallID}
	if !p.Since.IsZero() {
		since := p.Since
		v.Since = &since
	}
	return v
}

// presenceInput is PresenceChange: the state chosen.
type presenceInput struct {
	State      presence.State `json:"state"`
	Reason     string         `json:"reason"`
	CampaignID *uuid.UUID     `json:"campaign_id"`
}

// agentID is the signed-in person the request acts as.
func agentID(c *fiber.Ctx) uuid.UUID {
	p, _ := fiberhttp.PrincipalOf(c) // the route let only principals through
	return p.ID
}

func (a *API) myPresence(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(ctx context.Context) (presenceView, error) {
		p, err := a.d.Presence.Get(ctx, agentID(c))
		return presenceOf(p), err
	})
}

func (a *API) setMyPresence(c *fiber.Ctx) error {
	var in presenceInput
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	return a.presenceAnswer(c, func(ctx context.Context) (presence.Presence, error) {
		return a.d.Presence.Set(ctx, in.State, in.Reason, in.CampaignID)
	})
}

func (a *API) setAgentPresence(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in presenceInput
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	return a.presenceAnswer(c, func(ctx context.Context) (presence.Presence, error) {
		return a.d.Presence.SetFor(ctx, id, in.State, in.Reason, in.CampaignID)
	})
}

// presenceAnswer answers the presence a change made, and tells the
// agent's event streams: a supervisor's change shows on the agent's
// screen at once.
func (a *API) presenceAnswer(c *fiber.Ctx, change func(ctx context.Context) (presence.Presence, error)) error {
	return answer(c, fiber.StatusOK, func(ctx context.Context) (presenceView, error) {
		p, err := change(ctx)
		if err != nil {
			return presenceView{}, err
		}
		v := presenceOf(p)
		data, err := json.Marshal(v)
		if err == nil {
			a.d.Feed.Publish(p.AgentID, agentfeed.Event{Kind: agentfeed.Presence, At: p.Since, Data: data})
		}
		return v, err
	})
}

// agentCallView is AgentCall: the call an agent holds and its lead, as the
// center sees them.
type agentCallView struct {
	Call callView `json:"call"`
	Lead leadView `json:"lead"`
}

// agentCallAnswer answers the call one use case found (200), or 204 when
// there is none.
func (a *API) agentCallAnswer(c *fiber.Ctx, use func(ctx context.Context) (store.AgentCall, bool, error)) error {
	view, err := a.leadViewer(c)
	if err != nil {
		return err
	}
	k, found, err := use(c.UserContext())
	if err != nil {
		return err
	}
	if !found {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.JSON(agentCallView{Call: callOf(k.Call), Lead: view(k.Lead)})
}

// next hands the agent the next lead of a preview campaign; 204 when
// nothing may be called now.
func (a *API) next(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return a.agentCallAnswer(c, func(ctx context.Context) (store.AgentCall, bool, error) {
		cl, found, err := a.d.Agents.Next(ctx, id)
		return claimed(cl), found, err
	})
}

func claimed(cl dispatch.Claim) store.AgentCall { return store.AgentCall{Call: cl.Call, Lead: cl.Lead} }

func (a *API) currentCall(c *fiber.Ctx) error {
	return a.agentCallAnswer(c, a.d.Agents.Current)
}

// assignmentView is Assignment.
type assignmentView store.Assignment

func (a *API) assignments(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (listView[assignmentView], error) {
		list, err := a.d.Assignments.List(ctx, id)
		return pageView(list, nil, func(s store.Assignment) assignmentView { return assignmentView(s) }), err
	})
}

// assignmentIDs reads the campaign and the agent of an assignment's path.
func assignmentIDs(c *fiber.Ctx) (campaign, agent uuid.UUID, err error) {
	if campaign, err = idParam(c); err == nil {
		agent, err = pathID(c, "agent_id")
	}
	return campaign, agent, err
}

func (a *API) assign(c *fiber.Ctx) error {
	id, agent, err := assignmentIDs(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (assignmentView, error) {
		s, err := a.d.Assignments.Assign(ctx, agent, id)
		return assignmentView(s), err
	})
}

func (a *API) unassign(c *fiber.Ctx) error {
	id, agent, err := assignmentIDs(c)
	if err != nil {
		return err
	}
	if err := a.d.Assignments.Unassign(c.UserContext(), agent, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// The event stream's rhythm: a comment on a quiet stream keeps proxies
// from closing it and finds a browser gone; the browser reconnects after
// retry.
const (
	eventsQuiet = 15 * time.Second
	eventsRetry = 2000 // ms
)

// events streams the agent's events as Server-Sent Events: first its
// presence, then each event the engine publishes for it (agentfeed), as
// "event: <kind>" and a "data:" line of JSON, until the browser leaves or
// the server stops.
func (a *API) events(c *fiber.Ctx) error {
	me := agentID(c)
	p, err := a.d.Presence.Get(c.UserContext(), me) // the agent's own, or 404
	if err != nil {
		return err
	}
	first, err := json.Marshal(presenceOf(p))
	if err != nil {
		return err
	}
	feed, cancel := a.d.Feed.Subscribe(me)
	stopping := c.Context().Done()
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		if err := streamEvents(w, stopping, feed, agentfeed.Event{Kind: agentfeed.Presence, At: p.Since, Data: first}); err != nil {
			a.log.Warn("agent event stream", "agent_id", me, "err", err)
		}
	})
	return nil
}

func streamEvents(w *bufio.Writer, stopping <-chan struct{}, feed <-chan agentfeed.Event, first agentfeed.Event) error {
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", eventsRetry); err != nil {
		return err
	}
	pending := &first
	for {
		if pending != nil {
			data, err := json.Marshal(pending)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", pending.Kind, data); err != nil {
				return err
			}
		} else if _, err := w.WriteString(": waiting\n\n"); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return nil // the browser went away
		}
		select {
		case <-stopping:
			return nil
		case ev, open := <-feed:
			if !open {
				return nil
			}
			pending = &ev
		case <-time.After(eventsQuiet):
			pending = nil
		}
	}
}
