package lead

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// Summary counts what an import did with its rows.
type Summary struct {
	Rows       int                          `json:"rows"`        // data rows read
	Imported   int                          `json:"imported"`    // leads that entered the campaign: Ready + Blocked
	Ready      int                          `json:"ready"`       // of which may be dialled
	Blocked    int                          `json:"blocked"`     // of which may not, by reason in ByReason
	Duplicates int                          `json:"duplicates"`  // same number as an earlier row
	InCampaign int                          `json:"in_campaign"` // number already a lead of the campaign
	Invalid    int                          `json:"invalid"`     // other problems, by code in ByProblem
	ByProblem  map[leadfile.ProblemCode]int `json:"by_problem"`
	ByReason   map[compliance.Reason]int    `json:"by_reason"`
}

// NewSummary is an empty summary, its maps made.
func NewSummary() Summary {
	return Summary{ByProblem: map[leadfile.ProblemCode]int{}, ByReason: map[compliance.Reason]int{}}
}

// Count records one row's fate: a lead admitted, or its problem.
func (s *Summary) Count(l *Lead, p *leadfile.Problem) {
	s.Rows++
	switch {
	case p == nil && l.Status == Blocked:
		s.Imported++
		s.Blocked++
		s.ByReason[l.Block.Reason]++
	case p == nil:
		s.Imported++
		s.Ready++
	default:
		s.ByProblem[p.Code]++
		switch p.Code {
		case leadfile.ProblemDuplicate:
			s.Duplicates++
		case ProblemInCampaign:
			s.InCampaign++
		default:
			s.Invalid++
		}
	}
}

// batchSize is how many leads travel together from the reader to the sink.
const batchSize = 2048

// Batches hands a sink the leads of an import, a batch at a time: a nil
// batch and a nil error at the end, or the error that stopped the import,
// after which the sink must not keep what it loaded.
type Batches func() ([]Lead, error)

// Sink loads the leads of an import in one piece: all of them or, on an
// error, none. The store's loads leads whose number is already in the
// campaign as nothing (a concurrent import got there first).
type Sink func(ctx context.Context, next Batches) error

// Importer runs one import from a file.
type Importer struct {
	Screener *Screener
	ImportID uuid.UUID
	// Report receives each row kept out, with its problem, and the
	// warnings of each row kept.
	Report *leadfile.ReportWriter
	// Progress, when set, is called with the summary so far about every
	// ProgressEvery (default: half a second), from the reading goroutine.
	Progress      func(Summary)
	ProgressEvery time.Duration
}

// Run reads every row of r, admits the leads to the campaign, loads them
// through sink while reading goes on, and returns the summary. A bad row is
// reported and reading goes on; an error of the file, the report or the
// sink stops the import, and the sink keeps nothing.
func (im *Importer) Run(ctx context.Context, r *leadfile.Reader, sink Sink) (Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []Lead, 4)
	var summary Summary
	var readErr error
	go func() {
		defer close(batches)
		summary, readErr = im.read(ctx, r, batches)
	}()
	loadErr := sink(ctx, func() ([]Lead, error) {
		select {
		case b, ok := <-batches:
			if ok {
				return b, nil
			}
			return nil, readErr // the reader is done: readErr is set
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	cancel()
	for range batches { // let the reader finish before reading its results
	}
	switch {
	case readErr != nil && !errors.Is(readErr, context.Canceled):
		return summary, readErr // the file failed, and the sink was told
	case loadErr != nil:
		return summary, fmt.Errorf("loading the leads: %w", loadErr)
	case readErr != nil:
		return summary, readErr
	}
	return summary, im.Report.Flush()
}

func (im *Importer) read(ctx context.Context, r *leadfile.Reader, out chan<- []Lead) (Summary, error) {
	summary := NewSummary()
	every := im.ProgressEvery
	if every == 0 {
		every = 500 * time.Millisecond
	}
	last := time.Now()
	batch := make([]Lead, 0, batchSize)
	send := func() error {
		select {
		case out <- batch:
			batch = make([]Lead, 0, batchSize)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for row, err := range r.Rows() {
		if err != nil {
			return summary, err
		}
		var l Lead
		var problem *leadfile.Problem
		if row.OK() {
			l, problem = im.Screener.Admit(row.Lead, row.Phone, row.Line)
			if problem != nil {
				row.Problems = []leadfile.Problem{*problem}
			}
		} else {
			problem = &row.Problems[0]
		}
		summary.Count(&l, problem)
		if problem != nil || len(row.Warnings) > 0 { // a lead kept with a warning is in the report too
			if err := im.Report.Write(row); err != nil {
				return summary, fmt.Errorf("writing the error report: %w", err)
			}
		}
		if problem == nil {
			l.ID = uuid.Must(uuid.NewV7())
			l.ImportID = &im.ImportID
			if batch = append(batch, l); len(batch) == batchSize {
				if err := send(); err != nil {
					return summary, err
				}
			}
		}
		if im.Progress != nil && summary.Rows%1024 == 0 && time.Since(last) >= every {
			im.Progress(summary)
			last = time.Now()
		}
	}
	if len(batch) > 0 {
		if err := send(); err != nil {
			return summary, err
		}
	}
	return summary, nil
}

// ImportStatus is where an import of a file stands.
type ImportStatus string

const (
	Uploaded ImportStatus = "uploaded" // the file is kept; its client confirms the column mapping
	Queued   ImportStatus = "queued"   // waiting for a worker
	Running  ImportStatus = "running"
	Finished ImportStatus = "finished" // Summary says what came of it
	Failed   ImportStatus = "failed"   // Error says why; no lead was kept
)

// Ended reports whether the import will change no more.
func (s ImportStatus) Ended() bool { return s == Finished || s == Failed }

// Import is one file brought into a campaign.
type Import struct {
	ID         uuid.UUID
	OrgID      uuid.UUID
	CampaignID uuid.UUID
	FileName   string
	Size       int64 // bytes
	Status     ImportStatus
	Mapping    leadfile.Mapping // confirmed by the client; detected until then
	Encoding   leadfile.Encoding
	Delimiter  string
	BytesRead  int64
	Summary    Summary // so far while running
	Error      string
	CreatedBy  string
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// Percent is how far the import has read its file, 0 to 100.
func (im Import) Percent() int {
	switch {
	case im.Status == Finished:
		return 100
	case im.Size <= 0:
		return 0
	}
	return int(min(100, im.BytesRead*100/im.Size))
}

// DryRunRows is how many rows of a file a dry run screens at most: enough
// to say what the campaign's rules will do to a file, fast enough to say
// it on the mapping step.
const DryRunRows = 10_000

// DryRun is what an import would do with the first rows of a file, before
// it runs: the rows it would admit, ready or blocked, and those it would
// keep out, counted as an import counts them.
type DryRun struct {
	Summary Summary
	// Whole is set when the file has no more rows than were screened.
	Whole bool
	// Blocks holds, for each reason of block, the block of the first row
	// blocked for it: the rule, its source and the explanation in French
	// and English.
	Blocks map[compliance.Reason]Block
}

// Head reads at most limit rows of r, for a dry run; whole reports that
// the file holds no more. A file that cannot be read fails it as it would
// fail the import.
func Head(r *leadfile.Reader, limit int) (rows []leadfile.Row, whole bool, err error) {
	for row, err := range r.Rows() {
		if err != nil {
			return rows, false, err
		}
		if len(rows) == limit {
			return rows, false, nil
		}
		row.Values = nil // the cells are the reader's to reuse; the lead holds what screening needs
		rows = append(rows, row)
	}
	return rows, true, nil
}

// DryRun screens rows as the import would, and writes nothing: the
// screener's facts are the campaign's as they stand. whole says the rows
// are the whole file.
func (s *Screener) DryRun(rows []leadfile.Row, whole bool) DryRun {
	out := DryRun{Summary: NewSummary(), Whole: whole, Blocks: map[compliance.Reason]Block{}}
	for _, row := range rows {
		var l Lead
		var problem *leadfile.Problem
		if row.OK() {
			l, problem = s.Admit(row.Lead, row.Phone, row.Line)
		} else {
			problem = &row.Problems[0]
		}
		out.Summary.Count(&l, problem)
		if b := l.Block; problem == nil && b != nil {
			if _, seen := out.Blocks[b.Reason]; !seen {
				out.Blocks[b.Reason] = *b
			}
		}
	}
	return out
}
