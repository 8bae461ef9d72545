package store

import (
	"context"

	"github.com/plateau-bpo/plateau/pkg/lead"
)

// LoadLeads is loadLeads, for the tests of the lead loader itself: what a
// load keeps when its batches fail, and that no code above the store can
// put one org's leads in another org's campaign.
func (d *DB) LoadLeads(ctx context.Context, next lead.Batches) error { return d.loadLeads(ctx, next) }
