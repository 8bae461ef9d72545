package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type nationalListRow struct {
	bun.BaseModel `bun:"table:national_lists"`

	ID         uuid.UUID `bun:"id,pk"`
	OrgID      uuid.UUID `bun:"org_id"`
	Code       string    `bun:"code"`
	FreshAt    time.Time `bun:"fresh_at"`
	Numbers    int64     `bun:"numbers"`
	Snapshot   []byte    `bun:"snapshot"`
	FileName   string    `bun:"file_name"`
	UploadedAt time.Time `bun:"uploaded_at"`
}

func (r nationalListRow) copy() nationallist.Upload {
	return nationallist.Upload{ID: r.ID, Code: r.Code, FreshAt: r.FreshAt, Numbers: r.Numbers, FileName: r.FileName,
		UploadedAt: r.UploadedAt, Snapshot: r.Snapshot}
}

// SaveNationalList stores a new copy of a national list, uploaded by the
// platform (national_lists:write), and loads it into this process's lists
// at once; other processes pick it up at their next reload.
func (s *Compliance) SaveNationalList(ctx context.Context, c nationallist.Upload) (nationallist.Upload, error) {
	saved, err := run(ctx, s.db, func(t *tenant) (nationallist.Upload, error) { return t.saveNationalList(ctx, c) })
	if err != nil {
		return saved, err
	}
	return saved, s.ReloadLists(ctx)
}

func (t *tenant) saveNationalList(ctx context.Context, c nationallist.Upload) (nationallist.Upload, error) {
	if err := t.require(ctx, tenancy.PermNationalLists); err != nil {
		return c, err
	}
	row := nationalListRow{ID: newID(), OrgID: t.OrgID(), Code: c.Code, FreshAt: c.FreshAt.UTC(), Numbers: c.Numbers,
		Snapshot: c.Snapshot, FileName: c.FileName, UploadedAt: t.Now}
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return c, err
	}
	// Older copies are not needed any more: only the latest governs calls.
	if _, err := t.Tx.NewDelete().Model((*nationalListRow)(nil)).Where("code = ? AND id <> ?", c.Code, row.ID).Exec(ctx); err != nil {
		return c, err
	}
	out := row.copy()
	if err := t.audit(ctx, "national_list.upload", "national_list", c.Code,
		map[string]any{"fresh_at": c.FreshAt, "numbers": c.Numbers, "file": c.FileName}); err != nil {
		return out, err
	}
	// Every client's leads are screened against the new copy.
	return out, t.announceRescrub(ctx, lead.CauseNationalList)
}

// NationalLists returns the latest copy of every national list, without
// its numbers.
func (s *Compliance) NationalLists(ctx context.Context) ([]nationallist.Upload, error) {
	return s.db.nationalLists(ctx, false)
}

// ReloadLists loads into this process's lists the national lists whose
// latest copy changed since the last load. It is cheap when nothing
// changed: one small query.
func (s *Compliance) ReloadLists(ctx context.Context) error { return s.db.reloadLists(ctx, s.lists) }

func (d *DB) reloadLists(ctx context.Context, lists *nationallist.Registry) error {
	heads, err := d.nationalLists(ctx, false)
	if err != nil {
		return err
	}
	stale := false
	for _, h := range heads {
		stale = stale || !lists.Holds(h.Code, h.ID)
	}
	if !stale {
		return nil
	}
	copies, err := d.nationalLists(ctx, true)
	if err != nil {
		return err
	}
	for _, c := range copies {
		if lists.Holds(c.Code, c.ID) {
			continue
		}
		set := &numberset.Set{}
		if err := set.UnmarshalBinary(c.Snapshot); err != nil {
			return apperr.Wrap(err, apperr.Internal, "store.national_list.unreadable", "national list %s (copy %s) cannot be read", c.Code, c.ID)
		}
		lists.Put(nationallist.Copy{ID: c.ID, Code: c.Code, FreshAt: c.FreshAt, Set: set})
	}
	return nil
}

// nationalLists returns the latest copy of every national list, with its
// snapshot when withSnapshots is set. Every org's decisions read them.
func (d *DB) nationalLists(ctx context.Context, withSnapshots bool) ([]nationallist.Upload, error) {
	var rows []nationalListRow
	err := d.inSystem(ctx, "national-lists", func(tx bun.Tx) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("code, uploaded_at DESC")
		if !withSnapshots {
			q = q.ExcludeColumn("snapshot")
		}
		return q.Scan(ctx)
	})
	seen := map[string]bool{}
	out := []nationallist.Upload{}
	for _, r := range rows {
		if !seen[r.Code] {
			seen[r.Code] = true
			out = append(out, r.copy())
		}
	}
	return out, err
}
