package execution_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/execution"
	"github.com/plateau-bpo/plateau/pkg/execution/simfloor"
	"github.com/plateau-bpo/plateau/pkg/vclock"
)

func TestAJoinedFloorTellsEachAgentsFloor(t *testing.T) {
	clock := vclock.NewVirtual(morning)
	dispose := func(context.Context, execution.Agent, dispatch.Claim, simfloor.Outcome) error { return nil }
	a := execution.Agent{ID: uuid.New(), CenterID: center, ContractID: contract}
	b := execution.Agent{ID: uuid.New(), CenterID: center, ContractID: contract}
	first := simfloor.New(clock, 1, []execution.Agent{a}, simfloor.DefaultMix, dispose, nil)
	second := simfloor.New(clock, 2, []execution.Agent{b}, simfloor.DefaultMix, dispose, nil)
	floor := execution.Join(first, second)
	ctx := context.Background()
	ready, err := floor.Ready(ctx, uuid.Nil)
	if err != nil || len(ready) != 2 {
		t.Fatalf("ready on the joined floor: %v %v", ready, err)
	}
	floor.Connected(ctx, b, dispatch.Claim{})
	if got, _ := second.Ready(ctx, uuid.Nil); len(got) != 0 {
		t.Fatalf("b is still ready on its floor after its call connected: %v", got)
	}
	if got, _ := first.Ready(ctx, uuid.Nil); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("a's floor changed with b's call: %v", got)
	}
}
