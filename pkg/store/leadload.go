package store

import (
	"context"
	"time"

	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// loadLeads is a lead.Sink: it loads the leads of an import for the
// principal's org. On PostgreSQL the leads are copied (COPY, binary) into a
// temporary staging table as they come, then merged into leads by one
// INSERT … SELECT, all in one transaction: an import lands whole or not at
// all. On SQLite they go in batched transactions of sqliteLoadBatch leads,
// so that the single writer lock is never held long; a failed import leaves
// the batches before it, which its retry finds again as its own (see
// LeadFacts). Either way a number already in the campaign is skipped.
func (d *DB) loadLeads(ctx context.Context, next lead.Batches) error {
	p, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return err
	}
	if d.Dialect == Postgres {
		return d.copyLeads(ctx, p, next)
	}
	return d.insertLeads(ctx, next)
}

// sqliteLoadBatch is how many leads one SQLite transaction inserts.
const sqliteLoadBatch = 8192

func (d *DB) insertLeads(ctx context.Context, next lead.Batches) error {
	var rows []leadRow
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		err := do(ctx, d, func(t *tenant) error {
			// bun writes the values into the statement: 400 rows keep it small.
			for chunk := range slices.Chunk(rows, 400) {
				if _, err := t.Tx.NewInsert().Model(&chunk).On("CONFLICT (campaign_id, phone) DO NOTHING").Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		rows = rows[:0]
		return err
	}
	for {
		batch, err := next()
		if err != nil {
			return err
		}
		if batch == nil {
			return flush()
		}
		for _, l := range batch {
			rows = append(rows, leadRowOf(l))
		}
		if len(rows) >= sqliteLoadBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// withPgx runs fn on a pooled connection's pgx handle, in a transaction
// scoped to the principal's org as run scopes it.
func (d *DB) withPgx(ctx context.Context, p tenancy.Principal, fn func(tx pgx.Tx) error) error {
	conn, err := d.Bun.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		pc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: %T is not a pgx connection", driverConn)
		}
		return pgx.BeginFunc(ctx, pc.Conn(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", p.OrgID.String()); err != nil {
				return err
			}
			return fn(tx)
		})
	})
}

func (d *DB) copyLeads(ctx context.Context, p tenancy.Principal, next lead.Batches) error {
	return mapError(d.withPgx(ctx, p, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TEMPORARY TABLE lead_staging (LIKE leads INCLUDING DEFAULTS) ON COMMIT DROP"); err != nil {
			return err
		}
		src := &leadSource{next: next}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"lead_staging"}, leadColumns, src); err != nil {
			if src.err != nil {
				return src.err // the import's own failure, not the COPY's report of it
			}
			return err
		}
		columns := strings.Join(leadColumns, ", ")
		_, err := tx.Exec(ctx, "INSERT INTO leads ("+columns+") SELECT "+columns+
			" FROM lead_staging ON CONFLICT (campaign_id, phone) DO NOTHING")
		return err
	}))
}

// CopyImportRaw copies the leads an import loaded again, as new leads of
// the campaign twin, with one bare COPY in a transaction it rolls back,
// and returns how long the COPY took: the floor a load can reach, which
// `plateau bench import` compares an import with. COPY refuses tables
// under row-level security, so d must be opened as the tables' owner.
// PostgreSQL only.
func (d *DB) CopyImportRaw(ctx context.Context, importID, twin uuid.UUID) (time.Duration, error) {
	if d.Dialect != Postgres {
		return 0, fmt.Errorf("store: a raw COPY needs PostgreSQL")
	}
	var rows []leadRow
	if err := d.Bun.NewSelect().Model(&rows).Where("import_id = ?", importID).Scan(ctx); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	leads := make([]lead.Lead, len(rows))
	for i, r := range rows {
		l, err := r.lead()
		if err != nil {
			return 0, err
		}
		l.ID, l.CampaignID, l.ImportID = newID(), twin, nil
		leads[i] = l
	}
	sent := false
	src := &leadSource{next: func() ([]lead.Lead, error) {
		if sent {
			return nil, nil
		}
		sent = true
		return leads, nil
	}}
	errRollback := errors.New("rolled back")
	var took time.Duration
	err := d.withPgx(ctx, tenancy.Principal{OrgID: rows[0].OrgID}, func(tx pgx.Tx) error {
		started := time.Now()
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"leads"}, leadColumns, src); err != nil {
			return err
		}
		took = time.Since(started)
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return took, nil
	}
	return took, err
}

// leadSource feeds COPY from an import's batches.
type leadSource struct {
	next  lead.Batches
	batch []lead.Lead
	i     int
	row   []any
	err   error
}

func (s *leadSource) Next() bool {
	for s.i >= len(s.batch) {
		b, err := s.next()
		if err != nil || b == nil {
			s.err = err
			return false
		}
		s.batch, s.i = b, 0
	}
	r := leadRowOf(s.batch[s.i])
	s.i++
	var importID any
	if r.ImportID != nil {
		importID = [16]byte(*r.ImportID)
	}
	s.row = append(s.row[:0], [16]byte(r.ID), [16]byte(r.OrgID), [16]byte(r.CampaignID), r.Phone, r.Region,
		r.FirstName, r.LastName, r.Company, r.Email, r.PostalCode, r.City, r.Country, r.Timezone, jsonValue(r.Custom),
		r.ConsentSource, r.ConsentCapturedAt, r.ConsentProof, r.Status, r.BlockReason, jsonValue(r.Block),
		importID, int32(r.Line), r.CreatedAt, r.UpdatedAt)
	return true
}

func jsonValue(s *string) any {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

func (s *leadSource) Values() ([]any, error) { return s.row, nil }
func (s *leadSource) Err() error             { return s.err }
