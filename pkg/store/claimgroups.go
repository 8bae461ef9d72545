package store

import (
	"context"
	"sync"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Claims asked of one campaign at the same time are served together, a
// batch to a transaction (group commit): the campaign is read once, the
// queue rows are locked and the numbers' facts read a query for the whole
// batch, and the batch's writes go with one COMMIT. A claim asked while
// no batch runs starts one at once and waits for nothing else; the claims
// asked while batches run wait for the next batch, so under load the
// batches grow instead of the queue for the database's connections.
const (
	claimBatch = 64 // the most claims one transaction serves
	claimLanes = 4  // the most batches of one campaign running at once
)

// claimGroups are the claims waiting, by who asks for which campaign.
type claimGroups struct {
	mu     sync.Mutex
	groups map[claimKey]*claimGroup
	serve  func(ctx context.Context, reqs []dispatch.ClaimRequest) ([]claimAnswer, error)
}

type claimKey struct {
	principal tenancy.Principal
	campaign  uuid.UUID
}

type claimGroup struct {
	waiting []*claimAsk
	running int // batches serving the group
}

type claimAsk struct {
	req    dispatch.ClaimRequest
	answer chan claimAnswer // buffered: a batch never waits for its asker
}

// claimAnswer is what one claim of a batch came to: a claim, nothing to
// claim (found false), or this claim's own error.
type claimAnswer struct {
	claim dispatch.Claim
	found bool
	err   error
}

// claim asks for req in the batch of the principal's claims on its
// campaign, and waits for the answer.
func (g *claimGroups) claim(ctx context.Context, req dispatch.ClaimRequest) (dispatch.Claim, bool, error) {
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return dispatch.Claim{}, false, err
	}
	key := claimKey{principal: p, campaign: req.CampaignID}
	ask := &claimAsk{req: req, answer: make(chan claimAnswer, 1)}
	g.mu.Lock()
	if g.groups == nil {
		g.groups = map[claimKey]*claimGroup{}
	}
	group := g.groups[key]
	if group == nil {
		group = &claimGroup{}
		g.groups[key] = group
	}
	group.waiting = append(group.waiting, ask)
	if group.running < claimLanes {
		group.running++
		// The batch outlives a canceled asker: it serves the others too.
		go g.drain(context.WithoutCancel(ctx), key, group)
	}
	g.mu.Unlock()
	select {
	case a := <-ask.answer:
		return a.claim, a.found, a.err
	case <-ctx.Done():
		// A claim the batch still makes is nobody's: its lease runs
		// out and the reaper gives its lead back, as for a holder that
		// vanished.
		return dispatch.Claim{}, false, ctx.Err()
	}
}

// drain serves the group's waiting claims, a batch at a time, until none
// wait.
func (g *claimGroups) drain(ctx context.Context, key claimKey, group *claimGroup) {
	for {
		g.mu.Lock()
		n := min(len(group.waiting), claimBatch)
		if n == 0 {
			group.running--
			if group.running == 0 {
				delete(g.groups, key)
			}
			g.mu.Unlock()
			return
		}
		batch := group.waiting[:n:n]
		group.waiting = group.waiting[n:]
		g.mu.Unlock()

		reqs := make([]dispatch.ClaimRequest, n)
		for i, ask := range batch {
			reqs[i] = ask.req
		}
		answers, err := g.serve(ctx, reqs)
		for i, ask := range batch {
			if err != nil {
				ask.answer <- claimAnswer{err: err}
				continue
			}
			ask.answer <- answers[i]
		}
	}
}
