package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// chunkSize is the size of the pieces a file and its report are kept in.
const chunkSize = 1 << 20

// Kinds of chunk.
const (
	chunkFile   = "file"
	chunkReport = "report"
)

type leadImportRow struct {
	bun.BaseModel `bun:"table:lead_imports,alias:li"`

	ID         uuid.UUID  `bun:"id,pk"`
	OrgID      uuid.UUID  `bun:"org_id"`
	CampaignID uuid.UUID  `bun:"campaign_id"`
	FileName   string     `bun:"file_name"`
	Size       int64      `bun:"size"`
	Status     string     `bun:"status"`
	Mapping    *string    `bun:"mapping"`
	Encoding   string     `bun:"encoding"`
	Delimiter  string     `bun:"delimiter"`
	BytesRead  int64      `bun:"bytes_read"`
	Summary    *string    `bun:"summary"`
	Error      string     `bun:"error"`
	CreatedBy  string     `bun:"created_by"`
	CreatedAt  time.Time  `bun:"created_at"`
	StartedAt  *time.Time `bun:"started_at"`
	FinishedAt *time.Time `bun:"finished_at"`
}

func (r leadImportRow) leadImport() (lead.Import, error) {
	im := lead.Import{ID: r.ID, OrgID: r.OrgID, CampaignID: r.CampaignID, FileName: r.FileName, Size: r.Size,
		Status: lead.ImportStatus(r.Status), Encoding: leadfile.Encoding(r.Encoding), Delimiter: r.Delimiter,
		BytesRead: r.BytesRead, Summary: lead.NewSummary(), Error: r.Error, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	if r.Mapping != nil {
		if err := json.Unmarshal([]byte(*r.Mapping), &im.Mapping); err != nil {
			return im, err
		}
	}
	if r.Summary != nil {
		if err := json.Unmarshal([]byte(*r.Summary), &im.Summary); err != nil {
			return im, err
		}
	}
	return im, nil
}

type chunkRow struct {
	bun.BaseModel `bun:"table:lead_import_chunks"`

	ImportID uuid.UUID `bun:"import_id,pk"`
	OrgID    uuid.UUID `bun:"org_id"`
	Kind     string    `bun:"kind,pk"`
	Seq      int       `bun:"seq,pk"`
	Data     []byte    `bun:"data"`
}

// Upload keeps an uploaded lead file for a campaign of the principal's
// org, in chunks, and returns the import awaiting its mapping. The file's
// content is not judged here: reading it is the import's job.
func (s *Leads) Upload(ctx context.Context, campaignID uuid.UUID, fileName string, file io.Reader) (lead.Import, error) {
	return run(ctx, s.db, func(t *tenant) (lead.Import, error) { return t.createImport(ctx, campaignID, fileName, file) })
}

// UploadAndStart keeps a lead file and queues its import at once with the
// org's saved mapping as it is (or as detected when it has none), for a
// client system that confirms no mapping: the saved mapping stays as it
// was.
func (s *Leads) UploadAndStart(ctx context.Context, campaignID uuid.UUID, fileName string, file io.Reader) (lead.Import, error) {
	return run(ctx, s.db, func(t *tenant) (lead.Import, error) {
		made, err := t.createImport(ctx, campaignID, fileName, file)
		if err != nil {
			return made, err
		}
		saved, err := t.savedMapping(ctx)
		if err != nil {
			return made, err
		}
		return t.startImport(ctx, made.ID, saved, false)
	})
}

func (t *tenant) createImport(ctx context.Context, campaignID uuid.UUID, fileName string, file io.Reader) (lead.Import, error) {
	if _, err := t.leadCampaign(ctx, campaignID); err != nil {
		return lead.Import{}, err
	}
	row := leadImportRow{ID: newID(), OrgID: t.OrgID(), CampaignID: campaignID, FileName: fileName,
		Status: string(lead.Uploaded), CreatedBy: t.Principal.Label, CreatedAt: t.Now}
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return lead.Import{}, err
	}
	size, err := t.writeChunks(ctx, row.ID, chunkFile, file)
	if err != nil {
		return lead.Import{}, err
	}
	if size == 0 {
		var f apperr.Fields
		f.Add("file", "store.import.file.empty", "the file %q is empty", fileName)
		return lead.Import{}, f.Err("store.import.empty", "the file is empty")
	}
	row.Size = size
	if _, err := t.Tx.NewUpdate().Model(&row).Column("size").WherePK().Exec(ctx); err != nil {
		return lead.Import{}, err
	}
	if err := t.audit(ctx, "lead_import.upload", "lead_import", row.ID.String(),
		map[string]any{"campaign_id": campaignID, "file_name": fileName, "size": size}); err != nil {
		return lead.Import{}, err
	}
	return row.leadImport()
}

func (t *tenant) writeChunks(ctx context.Context, importID uuid.UUID, kind string, r io.Reader) (int64, error) {
	if _, err := t.Tx.NewDelete().Model((*chunkRow)(nil)).Where("import_id = ? AND kind = ?", importID, kind).Exec(ctx); err != nil {
		return 0, err
	}
	var size int64
	buf := make([]byte, chunkSize)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			size += int64(n)
			c := chunkRow{ImportID: importID, OrgID: t.OrgID(), Kind: kind, Seq: seq, Data: buf[:n]}
			if _, err := t.Tx.NewInsert().Model(&c).Exec(ctx); err != nil {
				return size, err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return size, nil
		}
		if err != nil {
			return size, err
		}
	}
}

// CampaignImport is a campaign and one of its imports.
type CampaignImport struct {
	Campaign campaign.Campaign
	Import   lead.Import
}

// Import reads one import of a campaign of the principal's org; an import
// of another campaign is not found.
func (s *Leads) Import(ctx context.Context, campaignID, id uuid.UUID) (CampaignImport, error) {
	return run(ctx, s.db, func(t *tenant) (CampaignImport, error) { return t.campaignImport(ctx, campaignID, id) })
}

func (t *tenant) campaignImport(ctx context.Context, campaignID, id uuid.UUID) (CampaignImport, error) {
	c, err := t.ownCampaign(ctx, campaignID)
	if err != nil {
		return CampaignImport{}, err
	}
	im, err := t.leadImport(ctx, id)
	if err == nil && im.CampaignID != campaignID {
		err = apperr.New(apperr.NotFound, "store.import.not_found", "import not found")
	}
	return CampaignImport{Campaign: c, Import: im}, err
}

func (t *tenant) leadImport(ctx context.Context, id uuid.UUID) (lead.Import, error) {
	var row leadImportRow
	err := t.Tx.NewSelect().Model(&row).Where("li.id = ? AND li.org_id = ?", id, t.OrgID()).Scan(ctx)
	if isNoRows(err) {
		return lead.Import{}, apperr.New(apperr.NotFound, "store.import.not_found", "import not found")
	}
	if err != nil {
		return lead.Import{}, err
	}
	return row.leadImport()
}

// CampaignImports is a campaign and one page of its imports.
type CampaignImports struct {
	Campaign campaign.Campaign
	Imports  []lead.Import
	Next     *uuid.UUID
}

// Imports reads one of the org's campaigns and one page of its imports,
// newest first.
func (s *Leads) Imports(ctx context.Context, campaignID uuid.UUID, page Page) (CampaignImports, error) {
	return run(ctx, s.db, func(t *tenant) (CampaignImports, error) {
		c, err := t.ownCampaign(ctx, campaignID)
		if err != nil {
			return CampaignImports{}, err
		}
		out := CampaignImports{Campaign: c}
		out.Imports, out.Next, err = t.imports(ctx, campaignID, page)
		return out, err
	})
}

func (t *tenant) imports(ctx context.Context, campaignID uuid.UUID, page Page) ([]lead.Import, *uuid.UUID, error) {
	var rows []leadImportRow
	q := t.Tx.NewSelect().Model(&rows).Where("li.campaign_id = ? AND li.org_id = ?", campaignID, t.OrgID())
	if err := page.apply(q).Scan(ctx); err != nil {
		return nil, nil, err
	}
	list, next := cut(rows, page, func(r leadImportRow) uuid.UUID { return r.ID })
	out := make([]lead.Import, 0, len(list))
	for _, r := range list {
		im, err := r.leadImport()
		if err != nil {
			return nil, nil, err
		}
		out = append(out, im)
	}
	return out, next, nil
}

// Start records the column mapping the client confirmed, keeps it as the
// org's mapping for its next files (an empty one means "as detected" and
// keeps nothing), and queues the import. Starting an import that already
// started changes nothing.
func (s *Leads) Start(ctx context.Context, id uuid.UUID, m leadfile.Mapping) (lead.Import, error) {
	return run(ctx, s.db, func(t *tenant) (lead.Import, error) { return t.startImport(ctx, id, m, true) })
}

func (t *tenant) startImport(ctx context.Context, id uuid.UUID, m leadfile.Mapping, keep bool) (lead.Import, error) {
	im, err := t.leadImport(ctx, id)
	if err != nil || im.Status != lead.Uploaded {
		return im, err
	}
	if _, err := t.leadCampaign(ctx, im.CampaignID); err != nil {
		return im, err
	}
	mapping := jsonText(m)
	res, err := t.Tx.NewUpdate().Model((*leadImportRow)(nil)).Set("status = ?", lead.Queued).Set("mapping = ?", mapping).
		Where("id = ? AND org_id = ? AND status = ?", id, t.OrgID(), lead.Uploaded).Exec(ctx)
	if err != nil {
		return im, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return t.leadImport(ctx, id)
	}
	if !keep || len(m.Columns) == 0 { // not confirmed, or the detected mapping: nothing to keep
		return t.announceImport(ctx, im)
	}
	saved := struct {
		bun.BaseModel `bun:"table:lead_mappings"`
		OrgID         uuid.UUID `bun:"org_id,pk"`
		Mapping       *string   `bun:"mapping"`
		UpdatedAt     time.Time `bun:"updated_at"`
	}{OrgID: t.OrgID(), Mapping: mapping, UpdatedAt: t.Now}
	if _, err := t.Tx.NewInsert().Model(&saved).On("CONFLICT (org_id) DO UPDATE").
		Set("mapping = EXCLUDED.mapping, updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
		return im, err
	}
	return t.announceImport(ctx, im)
}

func (t *tenant) announceImport(ctx context.Context, im lead.Import) (lead.Import, error) {
	if err := t.announce(ctx, lead.TaskImport, lead.ImportTask{ImportID: im.ID}); err != nil {
		return im, err
	}
	if err := t.audit(ctx, "lead_import.start", "lead_import", im.ID.String(), map[string]any{"campaign_id": im.CampaignID}); err != nil {
		return im, err
	}
	return t.leadImport(ctx, im.ID)
}

// ImportSetup is what reading a campaign's lead file needs before an
// import: the campaign's country (the default region of its numbers) and
// the org's saved mapping.
type ImportSetup struct {
	Campaign lead.Campaign
	Mapping  leadfile.Mapping
}

// Setup reads what a lead file of the campaign is read with.
func (s *Leads) Setup(ctx context.Context, campaignID uuid.UUID) (ImportSetup, error) {
	return run(ctx, s.db, func(t *tenant) (ImportSetup, error) {
		c, err := t.leadCampaign(ctx, campaignID)
		if err != nil {
			return ImportSetup{}, err
		}
		m, err := t.savedMapping(ctx)
		return ImportSetup{Campaign: c, Mapping: m}, err
	})
}

// SavedMapping is the column mapping the org confirmed last, if any.
func (s *Leads) SavedMapping(ctx context.Context) (leadfile.Mapping, error) {
	return run(ctx, s.db, func(t *tenant) (leadfile.Mapping, error) { return t.savedMapping(ctx) })
}

func (t *tenant) savedMapping(ctx context.Context) (leadfile.Mapping, error) {
	var m leadfile.Mapping
	var raw string
	err := t.Tx.NewSelect().Table("lead_mappings").Column("mapping").Where("org_id = ?", t.OrgID()).Scan(ctx, &raw)
	if isNoRows(err) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal([]byte(raw), &m)
}

// BeginImport marks a queued import running, from the start (a retried
// import starts again). An import that ended is returned as it is.
func (t *tenant) beginImport(ctx context.Context, id uuid.UUID) (lead.Import, error) {
	im, err := t.leadImport(ctx, id)
	if err != nil || im.Status.Ended() {
		return im, err
	}
	_, err = t.Tx.NewUpdate().Model((*leadImportRow)(nil)).Set("status = ?", lead.Running).Set("started_at = ?", t.Now).
		Set("bytes_read = 0").Set("summary = NULL").Where("id = ? AND org_id = ?", id, t.OrgID()).Exec(ctx)
	if err != nil {
		return im, err
	}
	return t.leadImport(ctx, id)
}

// ImportProgress records how far a running import has gone.
func (t *tenant) importProgress(ctx context.Context, id uuid.UUID, bytesRead int64, s lead.Summary) error {
	_, err := t.Tx.NewUpdate().Model((*leadImportRow)(nil)).Set("bytes_read = ?", bytesRead).Set("summary = ?", jsonText(s)).
		Where("id = ? AND org_id = ? AND status = ?", id, t.OrgID(), lead.Running).Exec(ctx)
	return err
}

// EndImport records how an import ended — finished with its summary, or
// failed with why — with the file's encoding and separator and the per-row
// error report.
func (t *tenant) endImport(ctx context.Context, im lead.Import, report []byte) error {
	_, err := t.Tx.NewUpdate().Model((*leadImportRow)(nil)).
		Set("status = ?", im.Status).Set("finished_at = ?", t.Now).Set("bytes_read = ?", im.BytesRead).
		Set("summary = ?", jsonText(im.Summary)).Set("error = ?", im.Error).
		Set("encoding = ?", im.Encoding).Set("delimiter = ?", im.Delimiter).
		Where("id = ? AND org_id = ?", im.ID, t.OrgID()).Exec(ctx)
	if err != nil {
		return err
	}
	if _, err := t.writeChunks(ctx, im.ID, chunkReport, bytes.NewReader(report)); err != nil {
		return err
	}
	return t.audit(ctx, "lead_import."+string(im.Status), "lead_import", im.ID.String(),
		map[string]any{"campaign_id": im.CampaignID, "imported": im.Summary.Imported, "rows": im.Summary.Rows, "error": im.Error})
}

// DropImportLeads deletes the leads an import loaded, for an import that
// failed after loading some (SQLite's batches).
func (t *tenant) dropImportLeads(ctx context.Context, id uuid.UUID) error {
	_, err := t.Tx.NewDelete().Model((*leadRow)(nil)).Where("import_id = ? AND org_id = ?", id, t.OrgID()).Exec(ctx)
	return err
}

// File reads an import's file back, a chunk per transaction, so that no
// transaction stays open while the file is read.
func (s *Leads) File(ctx context.Context, id uuid.UUID) io.Reader {
	return &chunkReader{ctx: ctx, db: s.db, importID: id, kind: chunkFile}
}

// Report reads an import's error report.
func (s *Leads) Report(ctx context.Context, id uuid.UUID) io.Reader {
	return &chunkReader{ctx: ctx, db: s.db, importID: id, kind: chunkReport}
}

type chunkReader struct {
	ctx      context.Context
	db       *DB
	importID uuid.UUID
	kind     string
	seq      int
	buf      []byte
	done     bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var data []byte
		err := do(r.ctx, r.db, func(t *tenant) error {
			return t.Tx.NewSelect().Model((*chunkRow)(nil)).Column("data").
				Where("import_id = ? AND org_id = ? AND kind = ? AND seq = ?", r.importID, t.OrgID(), r.kind, r.seq).Scan(r.ctx, &data)
		})
		if isNoRows(err) || apperr.Is(err, apperr.NotFound) {
			r.done = true
			continue
		}
		if err != nil {
			return 0, err
		}
		r.buf, r.seq = data, r.seq+1
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
