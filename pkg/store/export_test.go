package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/dispatch"
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

// ClaimTogether serves reqs as one batch, in one transaction, as Claim
// does with claims asked at the same time: for the tests of what each
// claim of a batch gets. found[i] says whether claims[i] is one; errs[i]
// is the i-th claim's own error, err the batch's.
func (s *Dispatch) ClaimTogether(ctx context.Context, reqs []dispatch.ClaimRequest) (claims []dispatch.Claim, found []bool, errs []error, err error) {
	answers, err := s.claimAll(ctx, reqs)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, a := range answers {
		claims, found, errs = append(claims, a.claim), append(found, a.found), append(errs, a.err)
	}
	return claims, found, errs, nil
}
