package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

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

// NationalListCopy is one uploaded copy of a national list.
type NationalListCopy struct {
	ID         uuid.UUID `json:"id"`
	Code       string    `json:"code"`
	FreshAt    time.Time `json:"fresh_at"`
	Numbers    int64     `json:"numbers"`
	FileName   string    `json:"file_name"`
	UploadedAt time.Time `json:"uploaded_at"`
	Snapshot   []byte    `json:"-"` // the numberset, serialized
}

func (r nationalListRow) copy() NationalListCopy {
	return NationalListCopy{ID: r.ID, Code: r.Code, FreshAt: r.FreshAt, Numbers: r.Numbers, FileName: r.FileName,
		UploadedAt: r.UploadedAt, Snapshot: r.Snapshot}
}

// SaveNationalList stores a new copy of a national list, uploaded by the
// platform (the principal's org must be the platform).
func (t *Tenant) SaveNationalList(ctx context.Context, c NationalListCopy) (NationalListCopy, error) {
	if t.Principal.OrgKind != tenancy.KindPlatform {
		return c, notFound("national list", c.Code)
	}
	row := nationalListRow{ID: newID(), OrgID: t.OrgID(), Code: c.Code, FreshAt: c.FreshAt.UTC(), Numbers: c.Numbers,
		Snapshot: c.Snapshot, FileName: c.FileName, UploadedAt: now()}
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return c, err
	}
	// Older copies are not needed any more: only the latest governs calls.
	if _, err := t.Tx.NewDelete().Model((*nationalListRow)(nil)).Where("code = ? AND id <> ?", c.Code, row.ID).Exec(ctx); err != nil {
		return c, err
	}
	out := row.copy()
	return out, t.Audit(ctx, "national_list.upload", "national_list", c.Code,
		map[string]any{"fresh_at": c.FreshAt, "numbers": c.Numbers, "file": c.FileName})
}

// NationalLists returns the latest copy of every national list, with its
// snapshot when withSnapshots is set. Every org's decisions read them.
func (d *DB) NationalLists(ctx context.Context, withSnapshots bool) ([]NationalListCopy, error) {
	var rows []nationalListRow
	err := d.InSystem(ctx, "national-lists", func(tx bun.Tx) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("code, uploaded_at DESC")
		if !withSnapshots {
			q = q.ExcludeColumn("snapshot")
		}
		return q.Scan(ctx)
	})
	seen := map[string]bool{}
	out := []NationalListCopy{}
	for _, r := range rows {
		if !seen[r.Code] {
			seen[r.Code] = true
			out = append(out, r.copy())
		}
	}
	return out, err
}
