package leadimport

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// Limits of what one request brings.
const (
	MaxBatch    = 10_000    // leads in one API batch
	MaxFileSize = 200 << 20 // bytes of one uploaded lead file (a few million rows)
)

// ItemResult is what became of one item of a batch.
type ItemResult struct {
	Index   int
	Lead    *lead.Lead        // the lead made, ready or blocked; nil when kept out
	Problem *leadfile.Problem // why the item was kept out
}

// AddBatch adds leads sent by a client system to a campaign of the
// principal's org, as an import adds a file's rows: each item is
// normalized, deduplicated (in the batch and against the campaign) and
// screened; the leads are loaded together, and every item gets its result.
// A bad item never stops the others.
func (r *Runner) AddBatch(ctx context.Context, campaignID uuid.UUID, items []leadfile.Lead) ([]ItemResult, lead.Summary, error) {
	summary := lead.NewSummary()
	if len(items) > MaxBatch {
		var f apperr.Fields
		f.Add("items", "%d items: send at most %d per request", len(items), MaxBatch)
		return nil, summary, f.Err("the batch is too large")
	}
	if err := r.Screener.Reload(ctx); err != nil {
		return nil, summary, err
	}
	var screener *lead.Screener
	phones := make([]leadfile.Phone, len(items))
	errs := make([]error, len(items))
	err := r.DB.InTenant(ctx, func(t *store.Tenant) error {
		c, err := t.LeadCampaign(ctx, campaignID)
		if err != nil {
			return err
		}
		e164s := make([]string, 0, len(items))
		for i, it := range items {
			if phones[i], errs[i] = leadfile.NormalizePhone(it.Phone, c.Country); errs[i] == nil {
				e164s = append(e164s, phones[i].E164)
			}
		}
		facts, err := t.LeadFacts(ctx, c.ID, nil, e164s)
		screener = &lead.Screener{Campaign: c, Facts: facts, National: r.Screener.Lists().Check, Now: r.now()}
		return err
	})
	if err != nil {
		return nil, summary, err
	}

	results := make([]ItemResult, len(items))
	leads := make([]lead.Lead, 0, len(items))
	first := map[uint64]int{}
	for i, it := range items {
		res := ItemResult{Index: i}
		path := fmt.Sprintf("items[%d].phone", i)
		var l lead.Lead
		switch j, dup := first[phones[i].Key]; {
		case errs[i] != nil:
			code := leadfile.ProblemInvalidPhone
			if it.Phone == "" {
				code = leadfile.ProblemMissingPhone
			}
			res.Problem = &leadfile.Problem{Column: path, Value: it.Phone, Code: code, Message: errs[i].Error()}
		case dup:
			res.Problem = &leadfile.Problem{Column: path, Value: it.Phone, Code: leadfile.ProblemDuplicate,
				Message: fmt.Sprintf("same number as items[%d] (%s)", j, phones[i].E164)}
		default:
			first[phones[i].Key] = i
			if l, res.Problem = screener.Admit(it, phones[i], 0); res.Problem != nil {
				res.Problem.Column = fmt.Sprintf("items[%d].%s", i, res.Problem.Column)
			}
		}
		summary.Count(&l, res.Problem)
		if res.Problem == nil {
			l.ID = uuid.Must(uuid.NewV7())
			leads = append(leads, l)
			res.Lead = &leads[len(leads)-1]
		}
		results[i] = res
	}
	sent := false
	err = r.DB.LoadLeads(ctx, func() ([]lead.Lead, error) {
		if sent {
			return nil, nil
		}
		sent = true
		return leads, nil
	})
	if err != nil {
		return nil, summary, err
	}
	return results, summary, nil
}
