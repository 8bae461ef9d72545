package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/lead"
)

// LoadLeads is loadLeads, for the tests of the lead loader itself: what a
// load keeps when its batches fail, and that no code above the store can
// put one org's leads in another org's campaign.
func (d *DB) LoadLeads(ctx context.Context, next lead.Batches) error { return d.loadLeads(ctx, next) }

// InTenant runs fn in a use case's transaction (run's), for the tests of
// run itself.
func (d *DB) InTenant(ctx context.Context, fn func(tx bun.IDB) error) error {
	return do(ctx, d, func(t *tenant) error { return fn(t.Tx) })
}
