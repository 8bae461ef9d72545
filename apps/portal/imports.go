package portal

// Lead imports, as a client walks through one: the campaign's imports and
// the upload form; then the uploaded file's column mapping — detected from
// the headers, with the org's last confirmed mapping laid over it — shown
// beside the first rows; then the import job's progress, live over
// Server-Sent Events (web/static/import-progress.js; the page refreshes
// itself without JavaScript); then its summary and per-row error report.
// Reading the file is pkg/leadfile's; keeping it, and running the import
// (the lead:import job), pkg/store's.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// previewRows is how many rows of a file the mapping step shows.
const previewRows = 5

// fileSize writes a byte count as people read a file's size, in MB (of
// 2²⁰ bytes) with a decimal written the reader's way ("200 MB", "1,5 Mo"),
// or in whole KB under a megabyte.
func (pt *Portal) fileSize(c *fiber.Ctx, n int64) string {
	if n < 1<<20 {
		return pt.s.T(c, "leads.size_kb", (n+1023)>>10)
	}
	s := strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0")
	if fiberhttp.LocaleOf(c) == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return pt.s.T(c, "leads.size_mb", s)
}

// importRow is an import in the campaign's list.
type importRow struct {
	ID          string
	Href        string
	FileName    string
	Size        string
	Status      string
	StatusLabel string
	CreatedAt   string
	CreatedBy   string
	Error       string
	Finished    bool
	Summary     lead.Summary
}

func (pt *Portal) importRow(c *fiber.Ctx, im lead.Import, loc *time.Location) importRow {
	return importRow{ID: im.ID.String(), Href: "/portal/campaigns/" + im.CampaignID.String() + "/imports/" + im.ID.String(),
		FileName: im.FileName, Size: pt.fileSize(c, im.Size),
		Status: string(im.Status), StatusLabel: pt.s.T(c, "leads.import.status."+string(im.Status)),
		CreatedAt: when(im.CreatedAt, loc), CreatedBy: im.CreatedBy, Error: im.Error, Finished: im.Status == lead.Finished,
		Summary: im.Summary}
}

// uploadProblem is why an upload was refused: what to do, in the reader's
// language, and what the file reader found, when it said.
type uploadProblem struct {
	Message string
	Detail  string
}

type importsData struct {
	Campaign leadsCampaign
	Imports  []importRow
	Next     template.URL
	CanWrite bool
	MaxBytes int
	MaxSize  string
	Problem  *uploadProblem
}

func (pt *Portal) importsPage(c *fiber.Ctx) error {
	return pt.renderImports(c, nil)
}

// renderImports shows the campaign's imports and the upload form, with
// the problem of a refused upload.
func (pt *Portal) renderImports(c *fiber.Ctx, problem *uploadProblem) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	d := importsData{Problem: problem, MaxBytes: store.MaxFileSize, MaxSize: pt.fileSize(c, store.MaxFileSize)}
	if d.CanWrite, err = pt.s.Can(c, tenancy.PermLeadsWrite); err != nil {
		return err
	}
	found, err := pt.d.Leads.Imports(c.UserContext(), id, store.Page{After: fiberhttp.After(c)})
	if err != nil {
		return err
	}
	d.Campaign = pt.leadsCampaign(c, found.Campaign)
	for _, im := range found.Imports {
		d.Imports = append(d.Imports, pt.importRow(c, im, loc))
	}
	if found.Next != nil {
		d.Next = template.URL("after=" + found.Next.String())
	}
	return pt.s.Render(c, "portal/imports", "portal", pt.s.T(c, "leads.imports.title", d.Campaign.Name), d)
}

// uploadLeads keeps an uploaded lead file and leads to its mapping step. A
// file that is empty or cannot be a lead file (a workbook, a PDF, a single
// column) is refused with why, and nothing is kept; one whose phone column
// is not found is kept, for the mapping step to choose it.
func (pt *Portal) uploadLeads(c *fiber.Ctx) error {
	id, err := fiberhttp.PathID(c, "id", "campaign")
	if err != nil {
		return err
	}
	refuse := func(key string, args ...any) error {
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderImports(c, &uploadProblem{Message: pt.s.T(c, key, args...)})
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse("leads.upload.no_file")
	}
	if fh.Size == 0 {
		return refuse("leads.upload.empty", fh.Filename)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	// What the file is read with; a campaign that takes no more leads is
	// refused before the file is read.
	setup, err := pt.d.Leads.Setup(c.UserContext(), id)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Conflict {
		return pt.closed(c, e)
	} else if err != nil {
		return err
	}
	if _, err := leadfile.NewReader(f, leadfile.Options{Region: setup.Campaign.Country}); err != nil && !errors.Is(err, leadfile.ErrNoPhoneColumn) {
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Invalid {
			return err
		}
		key := "leads.upload.not_csv"
		if errors.Is(err, leadfile.ErrEmpty) {
			key = "leads.upload.empty"
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderImports(c, &uploadProblem{Message: pt.s.T(c, key, fh.Filename), Detail: pt.s.Localize(c, err).Message})
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	im, err := pt.d.Leads.Upload(c.UserContext(), id, fh.Filename, f)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Conflict {
		return pt.closed(c, e)
	} else if err != nil {
		return err
	}
	return c.Redirect("/portal/campaigns/"+id.String()+"/imports/"+im.ID.String(), fiber.StatusSeeOther)
}

// closed refuses an upload into a campaign that takes no more leads.
func (pt *Portal) closed(c *fiber.Ctx, e *apperr.Error) error {
	c.Status(fiber.StatusConflict)
	return pt.renderImports(c, &uploadProblem{Message: pt.s.T(c, "leads.upload.closed"), Detail: pt.s.Localize(c, e).Message})
}

// importIDs reads the campaign and the import of the address.
func importIDs(c *fiber.Ctx) (campaignID, importID uuid.UUID, err error) {
	if campaignID, err = fiberhttp.PathID(c, "id", "campaign"); err != nil {
		return campaignID, importID, err
	}
	importID, err = fiberhttp.PathID(c, "import", "import")
	return campaignID, importID, err
}

// leadImport reads the campaign and the import of the address, with the
// org's saved mapping: an import of another campaign, like one of another
// org, is not found.
func (pt *Portal) leadImport(c *fiber.Ctx) (store.ImportStep, error) {
	id, importID, err := importIDs(c)
	if err != nil {
		return store.ImportStep{}, err
	}
	return pt.d.Leads.ImportStep(c.UserContext(), id, importID)
}

// mappingColumn is a column of the file, the field it goes to, and its
// first values.
type mappingColumn struct {
	Index   int
	Header  string
	Fields  []option
	Samples []string
	Error   string
}

type mappingData struct {
	Columns []mappingColumn
	Preview [][]string // the first rows, a cell per column
	Error   string     // what is wrong with the mapping as a whole
	Detail  string
	DryRun  *dryRunView // what the campaign's rules will do to the file, mapped so
}

// dryRunView is what an import would do with the file as mapped, said
// before it runs: how many rows the campaign's rules will block, and why.
type dryRunView struct {
	Rows    int
	Whole   bool // every row was screened; else the first Rows
	Ready   int
	Blocked int
	KeptOut int // invalid, duplicates, already in the campaign
	Reasons []reasonLine
	// NoConsent says how to give the campaign the consents it lacks.
	NoConsent bool
}

// reasonLine is a reason of block, how many rows it blocks and why.
type reasonLine struct {
	Code        string
	Label       string
	N           int
	Explanation string
}

// dryRun screens the first rows of an uploaded file mapped with m
// (store.Leads.DryRun); a file the mapping cannot read has no dry run, the
// mapping step says why.
func (pt *Portal) dryRun(c *fiber.Ctx, im lead.Import, m leadfile.Mapping) (*dryRunView, error) {
	d, err := pt.d.Leads.DryRun(c.UserContext(), im.CampaignID, im.ID, m)
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	s, locale := d.Summary, fiberhttp.LocaleOf(c)
	v := &dryRunView{Rows: s.Rows, Whole: d.Whole, Ready: s.Ready, Blocked: s.Blocked, KeptOut: s.Rows - s.Imported,
		NoConsent: s.ByReason[compliance.NoConsent] > 0}
	for r, n := range s.ByReason {
		v.Reasons = append(v.Reasons, reasonLine{Code: string(r), Label: pt.s.T(c, "reason."+string(r)), N: n,
			Explanation: textIn(locale, d.Blocks[r].Explanation)})
	}
	slices.SortFunc(v.Reasons, func(a, b reasonLine) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Code, b.Code)
	})
	return v, nil
}

// countLine is a count of the summary with its label.
type countLine struct {
	Code  string
	Label string
	N     int
}

type summaryView struct {
	lead.Summary
	ByReason  []countLine
	ByProblem []countLine // the invalid rows' problems
}

type importData struct {
	Campaign leadsCampaign
	Import   importRow
	CanWrite bool
	Mapping  *mappingData
	Progress *importProgress
	Events   string // the progress stream's address
	Summary  *summaryView
}

func (pt *Portal) importPage(c *fiber.Ctx) error {
	step, err := pt.leadImport(c)
	if err != nil {
		return err
	}
	return pt.renderImport(c, step, nil)
}

// renderImport shows an import as it stands: its mapping step while
// uploaded (chosen holds the fields a refused mapping asked for), its
// progress while it runs, its summary or error once it ended.
func (pt *Portal) renderImport(c *fiber.Ctx, step store.ImportStep, chosen *mappingData) error {
	_, loc, err := pt.org(c)
	if err != nil {
		return err
	}
	k, im := step.Campaign, step.Import
	d := importData{Campaign: pt.leadsCampaign(c, k), Import: pt.importRow(c, im, loc)}
	if d.CanWrite, err = pt.s.Can(c, tenancy.PermLeadsWrite); err != nil {
		return err
	}
	switch im.Status {
	case lead.Uploaded:
		d.Mapping = chosen
		if d.Mapping == nil {
			if d.Mapping, err = pt.mappingStep(c, step); err != nil {
				return err
			}
		}
	case lead.Queued, lead.Running:
		p := progressOf(im)
		d.Progress = &p
		d.Events = d.Import.Href + "/events"
	case lead.Finished:
		d.Summary = pt.summaryView(c, im.Summary)
	}
	return pt.s.Render(c, "portal/imports-detail", "portal", pt.s.T(c, "leads.import.title", im.FileName), d)
}

// fileHead reads the head of an import's file with a mapping.
func (pt *Portal) fileHead(c *fiber.Ctx, k campaign.Campaign, im lead.Import, m leadfile.Mapping) (*leadfile.Reader, error) {
	return leadfile.NewReader(pt.d.Leads.File(c.UserContext(), im.ID), leadfile.Options{Region: k.Country, Mapping: m})
}

// mappingStep proposes a mapping for an uploaded file: the detected one
// with the org's saved mapping laid over it. When no column holds the
// phone number the columns are still shown, detected, for the client to
// choose it.
func (pt *Portal) mappingStep(c *fiber.Ctx, step store.ImportStep) (*mappingData, error) {
	r, err := pt.fileHead(c, step.Campaign, step.Import, step.Saved)
	if err != nil {
		return pt.unmappable(c, step.Campaign, step.Import, err, nil)
	}
	d := pt.mappingOf(c, r, r.Mapping(), nil)
	d.DryRun, err = pt.dryRun(c, step.Import, r.Mapping())
	return d, err
}

// unmappable shows a file the mapping left without a phone column: its
// columns as detected (or as chosen) and the first rows, read with the
// phone taken from the first column for the sake of reading; or only why,
// when the file cannot be read at all.
func (pt *Portal) unmappable(c *fiber.Ctx, k campaign.Campaign, im lead.Import, cause error, chosen *leadfile.Mapping) (*mappingData, error) {
	e := apperr.As(cause)
	if e == nil || e.Kind != apperr.Invalid {
		return nil, cause
	}
	if !errors.Is(cause, leadfile.ErrNoPhoneColumn) {
		return &mappingData{Error: pt.s.T(c, "leads.mapping.unreadable"), Detail: pt.s.Localize(c, cause).Message}, nil
	}
	r, err := pt.fileHead(c, k, im, leadfile.Mapping{Columns: []leadfile.Column{{Index: 0, Field: leadfile.FieldPhone}}})
	if err != nil {
		return nil, err
	}
	m := leadfile.DetectMapping(r.Header())
	if chosen != nil {
		m = *chosen
	}
	d := pt.mappingOf(c, r, m, nil)
	d.Error, d.Detail = pt.s.T(c, "leads.mapping.no_phone"), pt.s.Localize(c, cause).Message
	return d, nil
}

// mappingOf shows a mapping of the file r reads, with the first rows and
// the problems of columns by index.
func (pt *Portal) mappingOf(c *fiber.Ctx, r *leadfile.Reader, m leadfile.Mapping, problems map[int]string) *mappingData {
	header := r.Header()
	d := &mappingData{}
	for row, err := range r.Rows() {
		if err != nil || len(d.Preview) == previewRows {
			break
		}
		cells := make([]string, len(header))
		copy(cells, row.Values)
		d.Preview = append(d.Preview, cells)
	}
	fields := map[int]leadfile.Field{}
	for _, col := range m.Columns {
		fields[col.Index] = col.Field
	}
	for i, h := range header {
		col := mappingColumn{Index: i, Header: h, Error: problems[i]}
		if col.Header == "" {
			col.Header = pt.s.T(c, "leads.mapping.no_header", i+1)
		}
		field, ok := fields[i]
		if !ok {
			field = leadfile.FieldIgnore
		}
		for _, f := range leadfile.Fields() {
			col.Fields = append(col.Fields, option{Value: string(f), Label: pt.s.T(c, "leads.field."+string(f)), Selected: f == field})
		}
		for _, cells := range d.Preview {
			if v := cells[i]; v != "" {
				col.Samples = append(col.Samples, v)
			}
		}
		d.Columns = append(d.Columns, col)
	}
	return d
}

// startImport takes the mapping the client confirmed and queues the
// import. A mapping that gives a field to two columns, or none the phone,
// shows the step again with each problem at its column and the choices
// kept; nothing is started. The form's other button (check) shows the step
// again with the dry run of the columns chosen, and starts nothing.
func (pt *Portal) startImport(c *fiber.Ctx) error {
	step, err := pt.leadImport(c)
	if err != nil {
		return err
	}
	k, im := step.Campaign, step.Import
	if im.Status != lead.Uploaded { // started already, in another tab
		return c.Redirect(pt.importRow(c, im, time.UTC).Href, fiber.StatusSeeOther)
	}
	// The columns are the file's, read again: the form only chooses fields.
	head, err := pt.fileHead(c, k, im, leadfile.Mapping{Columns: []leadfile.Column{{Index: 0, Field: leadfile.FieldPhone}}})
	if err != nil {
		return err
	}
	chosen := leadfile.Mapping{}
	problems := map[int]string{}
	first := map[leadfile.Field]int{}
	for i, h := range head.Header() {
		f := leadfile.Field(c.FormValue("field." + strconv.Itoa(i)))
		chosen.Columns = append(chosen.Columns, leadfile.Column{Index: i, Header: h, Field: f})
		switch j, taken := first[f]; {
		case !f.Valid():
			problems[i] = pt.s.T(c, "leads.mapping.choose")
		case taken && f != leadfile.FieldCustom && f != leadfile.FieldIgnore:
			problems[i] = pt.s.T(c, "leads.mapping.taken", pt.s.T(c, "leads.field."+string(f)), head.Header()[j])
		case !taken:
			first[f] = i
		}
	}
	var r *leadfile.Reader
	if len(problems) == 0 {
		r, err = pt.fileHead(c, k, im, chosen)
	}
	if len(problems) > 0 || err != nil {
		d := pt.mappingOf(c, head, chosen, problems)
		if err != nil {
			if d, err = pt.unmappable(c, k, im, err, &chosen); err != nil {
				return err
			}
		}
		if d.Error == "" {
			d.Error = pt.s.T(c, "leads.mapping.problems")
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return pt.renderImport(c, step, d)
	}
	if c.FormValue("check") != "" { // count again with the columns chosen, and start nothing
		d := pt.mappingOf(c, head, chosen, nil)
		if d.DryRun, err = pt.dryRun(c, im, r.Mapping()); err != nil {
			return err
		}
		return pt.renderImport(c, step, d)
	}
	if _, err := pt.d.Leads.Start(c.UserContext(), im.ID, r.Mapping()); err != nil {
		return err
	}
	return c.Redirect(pt.importRow(c, im, time.UTC).Href, fiber.StatusSeeOther)
}

func (pt *Portal) summaryView(c *fiber.Ctx, s lead.Summary) *summaryView {
	v := &summaryView{Summary: s}
	lines := func(counts map[string]int, prefix string) []countLine {
		out := make([]countLine, 0, len(counts))
		for code, n := range counts {
			out = append(out, countLine{Code: code, Label: pt.s.T(c, prefix+code), N: n})
		}
		slices.SortFunc(out, func(a, b countLine) int {
			if a.N != b.N {
				return b.N - a.N
			}
			return strings.Compare(a.Code, b.Code)
		})
		return out
	}
	reasons := map[string]int{}
	for r, n := range s.ByReason {
		reasons[string(r)] = n
	}
	problems := map[string]int{}
	for p, n := range s.ByProblem {
		if p != leadfile.ProblemDuplicate && p != lead.ProblemInCampaign { // counted on their own lines
			problems[string(p)] = n
		}
	}
	v.ByReason, v.ByProblem = lines(reasons, "reason."), lines(problems, "leads.problem.")
	return v
}

// importProgress is what the progress bar shows, and what the event
// stream sends.
type importProgress struct {
	Status     string `json:"status"`
	Percent    int    `json:"percent"`
	Rows       int    `json:"rows"`
	Imported   int    `json:"imported"`
	Duplicates int    `json:"duplicates"` // in the file, and already in the campaign
	Invalid    int    `json:"invalid"`
	Blocked    int    `json:"blocked"`
}

func progressOf(im lead.Import) importProgress {
	s := im.Summary
	return importProgress{Status: string(im.Status), Percent: im.Percent(), Rows: s.Rows, Imported: s.Imported,
		Duplicates: s.Duplicates + s.InCampaign, Invalid: s.Invalid, Blocked: s.Blocked}
}

// How the progress stream goes: it reads the import about twice a second,
// sends what changed, and ends with the import; or, running long, after a
// while within the server's write timeout — the browser's EventSource
// then connects again.
const (
	progressEvery  = 500 * time.Millisecond
	progressFor    = 45 * time.Second
	progressRetry  = 1000 // ms before the browser connects again
	progressSilent = 10 * time.Second
)

// importEvents streams an import's progress as Server-Sent Events: a
// "data:" line of importProgress JSON each time it changes, the last one
// when it ended.
func (pt *Portal) importEvents(c *fiber.Ctx) error {
	id, importID, err := importIDs(c)
	if err != nil {
		return err
	}
	found, err := pt.d.Leads.Import(c.UserContext(), id, importID)
	if err != nil {
		return err
	}
	im := found.Import
	// The stream runs after the handler returned and fiber took its context
	// back: it keeps only the principal's context, for the store, and
	// fasthttp's request context, done when the server shuts down.
	ctx, stopping := c.UserContext(), c.Context().Done()
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // a proxy in front must not hold events back
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := pt.streamProgress(ctx, stopping, w, im); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "import progress stream", "import_id", im.ID, "err", err)
		}
	})
	return nil
}

func (pt *Portal) streamProgress(ctx context.Context, stopping <-chan struct{}, w *bufio.Writer, im lead.Import) error {
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", progressRetry); err != nil {
		return err
	}
	end := time.Now().Add(progressFor)
	var last importProgress
	lastSent := time.Time{}
	for {
		p := progressOf(im)
		switch {
		case p != last:
			data, err := json.Marshal(p)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
				return err
			}
			last, lastSent = p, time.Now()
		case time.Since(lastSent) >= progressSilent:
			// A comment keeps proxies from closing a quiet stream, and tells
			// a gone browser apart: its write fails.
			if _, err := w.WriteString(": waiting\n\n"); err != nil {
				return err
			}
			lastSent = time.Now()
		}
		if err := w.Flush(); err != nil {
			return nil // the browser went away
		}
		if im.Status.Ended() || im.Status == lead.Uploaded || time.Now().After(end) {
			return nil
		}
		select {
		case <-stopping:
			return nil
		case <-time.After(progressEvery):
		}
		found, err := pt.d.Leads.Import(ctx, im.CampaignID, im.ID)
		if err != nil {
			return err
		}
		im = found.Import
	}
}

var unsafeFileName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// importReport sends a finished import's per-row error report as a CSV
// file.
func (pt *Portal) importReport(c *fiber.Ctx) error {
	id, importID, err := importIDs(c)
	if err != nil {
		return err
	}
	found, err := pt.d.Leads.Import(c.UserContext(), id, importID)
	if err != nil {
		return err
	}
	im := found.Import
	if im.Status != lead.Finished {
		return apperr.New(apperr.NotFound, "leads.import.no_report", "the import has no report: it is %s", im.Status)
	}
	base := strings.Trim(unsafeFileName.ReplaceAllString(strings.TrimSuffix(im.FileName, ".csv"), "_"), "._")
	if base == "" {
		base = "leads"
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+base+`-errors.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	// The report is read a chunk per transaction, as the response goes.
	return c.SendStream(pt.d.Leads.Report(c.UserContext(), im.ID))
}
