package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// The read side of the portal: what one of its pages shows, read in one
// transaction.

// CampaignOverview is a campaign as its page shows it: the moves the
// principal may make on it now, how many offers it received, its
// contracts, newest first, and its leads counted (what starting its calls
// would start).
type CampaignOverview struct {
	Campaign  campaign.Campaign
	Moves     []campaign.Event
	Offers    int
	Contracts []NamedContract
	Leads     LeadCounts
}

// Overview reads a campaign the principal works on with its moves, its
// offers and leads counted and its contracts; any other is not found.
func (s *Campaigns) Overview(ctx context.Context, id uuid.UUID) (CampaignOverview, error) {
	return run(ctx, s.db, func(t *tenant) (CampaignOverview, error) {
		c, err := t.actsOn(ctx, id)
		if err != nil {
			return CampaignOverview{}, err
		}
		out := CampaignOverview{Campaign: c}
		if out.Moves, err = t.moves(ctx, c); err != nil {
			return out, err
		}
		offers, err := t.offers(ctx, id)
		if err != nil {
			return out, err
		}
		out.Offers = len(offers)
		if out.Contracts, err = t.contracts(ctx, id); err != nil {
			return out, err
		}
		out.Leads, err = t.countLeads(ctx, id)
		return out, err
	})
}

// DecisionRecord is what the org's record of compliance decisions shows:
// the blocked ones counted per campaign and rule, and the ones recorded
// for a number, newest first.
type DecisionRecord struct {
	Blocks   []compliance.BlockCount
	Evidence []compliance.Evidence // none when no number was asked about
}

// Decisions reads the org's blocked decisions counted, and the last
// MaxLimit decisions recorded for phone (E.164) when it is not empty.
func (s *Compliance) Decisions(ctx context.Context, phone string) (DecisionRecord, error) {
	return run(ctx, s.db, func(t *tenant) (DecisionRecord, error) {
		var out DecisionRecord
		var err error
		if out.Blocks, err = t.blockCounts(ctx); err != nil || phone == "" {
			return out, err
		}
		out.Evidence, _, err = t.evidenceFor(ctx, phone, nil, Page{Limit: MaxLimit})
		return out, err
	})
}

// ImportStep is one of a campaign's imports with the org's saved column
// mapping, which the mapping step of an uploaded file lays over the
// mapping detected from its headers.
type ImportStep struct {
	CampaignImport
	Saved leadfile.Mapping
}

// ImportStep reads one import of a campaign of the principal's org, as
// Import does, with the org's saved mapping.
func (s *Leads) ImportStep(ctx context.Context, campaignID, id uuid.UUID) (ImportStep, error) {
	return run(ctx, s.db, func(t *tenant) (ImportStep, error) {
		ci, err := t.campaignImport(ctx, campaignID, id)
		if err != nil {
			return ImportStep{}, err
		}
		out := ImportStep{CampaignImport: ci}
		out.Saved, err = t.savedMapping(ctx)
		return out, err
	})
}
