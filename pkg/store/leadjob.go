package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// Limits of what one request brings.
const (
	MaxBatch    = 10_000    // leads in one API batch
	MaxFileSize = 200 << 20 // bytes of one uploaded lead file (a few million rows)
)

// countingReader counts the bytes read through it, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// RunImport runs the import id, the work of the lead:import task whose
// outbox message is outboxID, for the principal in ctx (the worker's
// tenant scope). It reads the kept file through pkg/leadfile, screens
// every lead with pkg/lead and this process's national lists, and loads
// them in bulk. An import that ended is left alone, so a second delivery
// of the task does nothing. A file that cannot be read as a lead file
// fails the import with the reason the client reads; any other error is
// returned for the task to be retried, and leaves no lead behind.
func (s *Leads) RunImport(ctx context.Context, outboxID, id uuid.UUID) error {
	select {
	case s.files <- struct{}{}:
		defer func() { <-s.files }()
	case <-ctx.Done():
		return ctx.Err()
	}
	im, err := run(ctx, s.db, func(t *tenant) (lead.Import, error) { return t.beginImport(ctx, id) })
	if err != nil {
		return err
	}
	if im.Status.Ended() {
		return do(ctx, s.db, func(t *tenant) error { _, err := t.markDone(ctx, outboxID); return err })
	}
	if err := s.db.reloadLists(ctx, s.lists); err != nil {
		return err
	}
	screener, err := run(ctx, s.db, func(t *tenant) (*lead.Screener, error) {
		c, err := t.leadCampaign(ctx, im.CampaignID)
		if err != nil {
			return nil, err
		}
		facts, err := t.leadFacts(ctx, c.ID, &im.ID, nil)
		return &lead.Screener{Campaign: c, Facts: facts, National: s.lists.Check, Now: t.Now}, err
	})
	if apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.NotFound) { // the campaign ended or went away
		return s.endImport(ctx, outboxID, im, lead.Failed, err, nil)
	}
	if err != nil {
		return err
	}

	file := &countingReader{r: s.File(ctx, id)}
	reader, err := leadfile.NewReader(file, leadfile.Options{Region: screener.Campaign.Country, Mapping: im.Mapping})
	if apperr.Is(err, apperr.Invalid) {
		return s.endImport(ctx, outboxID, im, lead.Failed, err, nil)
	}
	if err != nil {
		return err
	}
	im.Delimiter = string(reader.Delimiter())
	var report bytes.Buffer
	importer := &lead.Importer{Screener: screener, ImportID: id, Report: leadfile.NewReportWriter(&report, reader.Delimiter()),
		Progress: func(sum lead.Summary) {
			err := do(ctx, s.db, func(t *tenant) error { return t.importProgress(ctx, id, file.n.Load(), sum) })
			if err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "lead import progress", "import_id", id, "err", err)
			}
		}}
	im.Summary, err = importer.Run(ctx, reader, s.db.loadLeads)
	if err != nil {
		return err
	}
	im.BytesRead = file.n.Load()
	im.Encoding = reader.Encoding() // the file's once it is read: its first accents may come late
	return s.endImport(ctx, outboxID, im, lead.Finished, nil, report.Bytes())
}

// FailImport ends an import that cannot finish — its task ran out of
// attempts — with the reason, and drops the leads a partial load left
// (SQLite's batches; PostgreSQL's load is all or nothing).
func (s *Leads) FailImport(ctx context.Context, outboxID, id uuid.UUID, cause error) error {
	im, err := run(ctx, s.db, func(t *tenant) (lead.Import, error) {
		im, err := t.leadImport(ctx, id)
		if err != nil || im.Status.Ended() {
			return im, err
		}
		return im, t.dropImportLeads(ctx, id)
	})
	if err != nil || im.Status.Ended() {
		return err
	}
	im.Summary = lead.NewSummary()
	return s.endImport(ctx, outboxID, im, lead.Failed, apperr.Wrap(cause, apperr.Internal, "store.import.failed",
		"the import could not finish (%v); no lead was kept: upload the file again, or contact support if it fails again", cause), nil)
}

// endImport records how the import ended and marks its task done, together.
func (s *Leads) endImport(ctx context.Context, outboxID uuid.UUID, im lead.Import, status lead.ImportStatus, cause error, report []byte) error {
	im.Status = status
	if cause != nil {
		im.Error = cause.Error()
		if e := apperr.As(cause); e != nil {
			im.Error = e.Message
		}
	}
	return do(ctx, s.db, func(t *tenant) error {
		if _, err := t.markDone(ctx, outboxID); err != nil {
			return err
		}
		return t.endImport(ctx, im, report)
	})
}

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
func (s *Leads) AddBatch(ctx context.Context, campaignID uuid.UUID, items []leadfile.Lead) ([]ItemResult, lead.Summary, error) {
	summary := lead.NewSummary()
	if len(items) > MaxBatch {
		var f apperr.Fields
		f.Add("items", "store.batch.items_over", "%d items: send at most %d per request", len(items), MaxBatch)
		return nil, summary, f.Err("store.batch.too_large", "the batch is too large")
	}
	if err := s.db.reloadLists(ctx, s.lists); err != nil {
		return nil, summary, err
	}
	phones := make([]leadfile.Phone, len(items))
	errs := make([]error, len(items))
	screener, err := run(ctx, s.db, func(t *tenant) (*lead.Screener, error) {
		c, err := t.leadCampaign(ctx, campaignID)
		if err != nil {
			return nil, err
		}
		e164s := make([]string, 0, len(items))
		for i, it := range items {
			if phones[i], errs[i] = leadfile.NormalizePhone(it.Phone, c.Country); errs[i] == nil {
				e164s = append(e164s, phones[i].E164)
			}
		}
		facts, err := t.leadFacts(ctx, c.ID, nil, e164s)
		return &lead.Screener{Campaign: c, Facts: facts, National: s.lists.Check, Now: t.Now}, err
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
			p := leadfile.PhoneProblem(0, path, it.Phone, errs[i])
			res.Problem = &p
		case dup:
			p := leadfile.NewProblem(0, path, it.Phone, leadfile.ProblemDuplicate,
				apperr.Field(path, "store.batch.duplicate_phone", "same number as items[%d] (%s)", j, phones[i].E164))
			res.Problem = &p
		default:
			first[phones[i].Key] = i
			if l, res.Problem = screener.Admit(it, phones[i], 0); res.Problem != nil {
				res.Problem.Column = fmt.Sprintf("items[%d].%s", i, res.Problem.Column)
			}
		}
		summary.Count(&l, res.Problem)
		if res.Problem == nil {
			l.ID = newID()
			leads = append(leads, l)
			res.Lead = &leads[len(leads)-1]
		}
		results[i] = res
	}
	sent := false
	err = s.db.loadLeads(ctx, func() ([]lead.Lead, error) {
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
