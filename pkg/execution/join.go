package execution

import (
	"context"
	"sync"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
)

// Join is one floor of several: the people on the agent workspace beside
// the simulated agents of `plateau dev`. Each agent's news goes to the
// floor that listed it.
func Join(floors ...Floor) Floor { return &joined{floors: floors, owner: map[uuid.UUID]Floor{}} }

type joined struct {
	floors []Floor

	mu    sync.Mutex
	owner map[uuid.UUID]Floor
}

func (j *joined) Ready(ctx context.Context, campaignID uuid.UUID) ([]Agent, error) {
	var all []Agent
	for _, f := range j.floors {
		agents, err := f.Ready(ctx, campaignID)
		if err != nil {
			return nil, err
		}
		j.mu.Lock()
		for _, a := range agents {
			j.owner[a.ID] = f
		}
		j.mu.Unlock()
		all = append(all, agents...)
	}
	return all, nil
}

func (j *joined) of(a Agent) Floor {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.owner[a.ID]
}

func (j *joined) Reserved(ctx context.Context, a Agent, c dispatch.Claim) {
	if f := j.of(a); f != nil {
		f.Reserved(ctx, a, c)
	}
}

func (j *joined) Connected(ctx context.Context, a Agent, c dispatch.Claim) {
	if f := j.of(a); f != nil {
		f.Connected(ctx, a, c)
	}
}

func (j *joined) Ended(ctx context.Context, a Agent, c dispatch.Claim, result dialing.Result) {
	if f := j.of(a); f != nil {
		f.Ended(ctx, a, c, result)
	}
}
