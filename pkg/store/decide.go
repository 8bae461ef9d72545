package store

import (
	"context"

	"github.com/plateau-bpo/plateau/pkg/compliance"
)

// Decide answers a question to the compliance engine for the principal's
// org: what the stores know of the number (the client's consents and
// opt-outs, the platform's list) and what this process's national lists
// say, run through compliance.Decide. A dial or callback's decision is
// kept as evidence, allowed or refused, in the same transaction.
func (s *Compliance) Decide(ctx context.Context, q compliance.Question) (compliance.Decision, error) {
	return run(ctx, s.db, func(t *tenant) (compliance.Decision, error) {
		in, at, err := q.Input(t.Now)
		if err != nil {
			return compliance.Decision{}, err
		}
		in.National = s.lists.Check(in.Number.E164)
		facts, err := t.screen(ctx, in.Number.E164, false)
		if err != nil {
			return compliance.Decision{}, err
		}
		in.Consents, in.Suppressions = facts.Consents, facts.Suppressions
		d := compliance.Decide(in, at)
		if q.Purpose.Kept() {
			err = t.recordDecision(ctx, compliance.Evidence{CampaignID: q.CampaignID, LeadID: q.LeadID,
				Phone: in.Number.E164, Purpose: q.Purpose, DecidedAt: at, Decision: d})
		}
		return d, err
	})
}
