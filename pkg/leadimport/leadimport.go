// Package leadimport runs lead imports against the store: the lead:import
// job that reads a kept file through pkg/leadfile, screens every lead with
// the compliance engine (pkg/lead, with the national lists of
// pkg/screening) and loads them in bulk; and the API's batches of leads.
//
// It composes the store with the domain; the rules are pkg/lead's.
package leadimport

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/screening"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// fileImports caps the file imports running at once in a process: each
// holds a database connection for its load and uses another to read its
// file, and more than the pool can serve would wait on each other.
var fileImports = make(chan struct{}, 4)

// Runner runs imports.
type Runner struct {
	DB       *store.DB
	Screener *screening.Screener // its national lists
	Log      *slog.Logger
	Now      func() time.Time // nil: time.Now
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now().UTC()
	}
	return r.Now().UTC()
}

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

// Run runs the import id, for the principal in ctx (the worker's tenant
// scope). An import that ended is left alone, so a second delivery of the
// task does nothing. A file that cannot be read as a lead file fails the
// import with the reason the client reads; any other error is returned for
// the job to be retried, and leaves no lead behind.
func (r *Runner) Run(ctx context.Context, outboxID, id uuid.UUID) error {
	select {
	case fileImports <- struct{}{}:
		defer func() { <-fileImports }()
	case <-ctx.Done():
		return ctx.Err()
	}
	var im lead.Import
	err := r.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		im, err = t.BeginImport(ctx, id)
		return err
	})
	if err != nil {
		return err
	}
	if im.Status.Ended() {
		return r.DB.InTenant(ctx, func(t *store.Tenant) error { _, err := t.MarkDone(ctx, outboxID); return err })
	}
	if err := r.Screener.Reload(ctx); err != nil {
		return err
	}
	var screener *lead.Screener
	err = r.DB.InTenant(ctx, func(t *store.Tenant) error {
		c, err := t.LeadCampaign(ctx, im.CampaignID)
		if err != nil {
			return err
		}
		facts, err := t.LeadFacts(ctx, c.ID, &im.ID, nil)
		screener = &lead.Screener{Campaign: c, Facts: facts, National: r.Screener.Lists().Check, Now: r.now()}
		return err
	})
	if apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.NotFound) { // the campaign ended or went away
		return r.end(ctx, outboxID, im, lead.Failed, err, nil)
	}
	if err != nil {
		return err
	}

	file := &countingReader{r: r.DB.ImportFile(ctx, id)}
	reader, err := leadfile.NewReader(file, leadfile.Options{Region: screener.Campaign.Country, Mapping: im.Mapping})
	if apperr.Is(err, apperr.Invalid) {
		return r.end(ctx, outboxID, im, lead.Failed, err, nil)
	}
	if err != nil {
		return err
	}
	im.Delimiter = string(reader.Delimiter())
	var report bytes.Buffer
	importer := &lead.Importer{Screener: screener, ImportID: id, Report: leadfile.NewReportWriter(&report, reader.Delimiter()),
		Progress: func(s lead.Summary) {
			err := r.DB.InTenant(ctx, func(t *store.Tenant) error { return t.ImportProgress(ctx, id, file.n.Load(), s) })
			if err != nil && ctx.Err() == nil {
				r.Log.WarnContext(ctx, "lead import progress", "import_id", id, "err", err)
			}
		}}
	im.Summary, err = importer.Run(ctx, reader, r.DB.LoadLeads)
	if err != nil {
		return err
	}
	im.BytesRead = file.n.Load()
	im.Encoding = reader.Encoding() // the file's once it is read: its first accents may come late
	return r.end(ctx, outboxID, im, lead.Finished, nil, report.Bytes())
}

// Fail ends an import that cannot finish — its job ran out of attempts —
// with the reason, and drops the leads a partial load left (SQLite's
// batches; PostgreSQL's load is all or nothing).
func (r *Runner) Fail(ctx context.Context, outboxID, id uuid.UUID, cause error) error {
	var im lead.Import
	err := r.DB.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		if im, err = t.Import(ctx, id); err != nil || im.Status.Ended() {
			return err
		}
		return t.DropImportLeads(ctx, id)
	})
	if err != nil || im.Status.Ended() {
		return err
	}
	im.Summary = lead.NewSummary()
	return r.end(ctx, outboxID, im, lead.Failed, apperr.Wrap(cause, apperr.Internal,
		"the import could not finish (%v); no lead was kept: upload the file again, or contact support if it fails again", cause), nil)
}

// end records how the import ended and marks its task done, together.
func (r *Runner) end(ctx context.Context, outboxID uuid.UUID, im lead.Import, status lead.ImportStatus, cause error, report []byte) error {
	im.Status = status
	if cause != nil {
		im.Error = cause.Error()
		if e := apperr.As(cause); e != nil {
			im.Error = e.Message
		}
	}
	return r.DB.InTenant(ctx, func(t *store.Tenant) error {
		if _, err := t.MarkDone(ctx, outboxID); err != nil {
			return err
		}
		return t.EndImport(ctx, im, report)
	})
}
