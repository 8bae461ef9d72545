package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type orgRow struct {
	bun.BaseModel `bun:"table:orgs"`

	ID        uuid.UUID `bun:"id,pk"`
	Kind      string    `bun:"kind"`
	Name      string    `bun:"name"`
	LegalName string    `bun:"legal_name"`
	Country   string    `bun:"country"`
	Timezone  string    `bun:"timezone"`
	Status    string    `bun:"status"`
	CreatedAt time.Time `bun:"created_at"`
}

func (r orgRow) org() tenancy.Org {
	return tenancy.Org{ID: r.ID, Kind: tenancy.OrgKind(r.Kind), Name: r.Name, LegalName: r.LegalName,
		Country: r.Country, Timezone: r.Timezone, Status: tenancy.OrgStatus(r.Status), CreatedAt: r.CreatedAt}
}

// CreateOrg creates a tenant with the default policies of its kind. It is an
// operator action (the CLI, the console, the demo seed), so it runs with the
// system scope and records an audit event in the new org.
func (d *DB) CreateOrg(ctx context.Context, in tenancy.NewOrgInput, actor string) (tenancy.Org, error) {
	if err := in.Validate(); err != nil {
		return tenancy.Org{}, err
	}
	row := orgRow{ID: newID(), Kind: string(in.Kind), Name: in.Name, LegalName: in.LegalName,
		Country: in.Country, Timezone: in.Timezone, Status: string(tenancy.OrgActive), CreatedAt: d.now()}
	err := d.inSystem(ctx, "org-create", func(tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return err
		}
		if err := insertDefaultPermissions(ctx, tx, row.ID, in.Kind); err != nil {
			return err
		}
		org := row.org()
		return insertAudit(ctx, tx, row.CreatedAt, tenancy.SystemPrincipal(org, actor), "org.create", "org", org.ID.String(), in)
	})
	if err != nil {
		return tenancy.Org{}, err
	}
	return row.org(), nil
}

// ListOrgs lists every org, for operators.
func (d *DB) ListOrgs(ctx context.Context, kind tenancy.OrgKind) ([]tenancy.Org, error) {
	var rows []orgRow
	err := d.inSystem(ctx, "org-list", func(tx bun.Tx) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("name, id")
		if kind != "" {
			q = q.Where("kind = ?", kind)
		}
		return q.Scan(ctx)
	})
	out := make([]tenancy.Org, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.org())
	}
	return out, err
}

// OrgByID loads any org, for operators and for rebuilding a job's scope.
func (d *DB) OrgByID(ctx context.Context, id uuid.UUID) (tenancy.Org, error) {
	var row orgRow
	err := d.inSystem(ctx, "org-by-id", func(tx bun.Tx) error {
		return tx.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx)
	})
	if isNoRows(err) || apperr.Is(err, apperr.NotFound) {
		return tenancy.Org{}, apperr.New(apperr.NotFound, "store.org.not_found", "org not found")
	}
	return row.org(), err
}

// Org returns the principal's own org.
func (s *Tenancy) Org(ctx context.Context) (tenancy.Org, error) {
	return run(ctx, s.db, func(t *tenant) (tenancy.Org, error) { return t.org(ctx) })
}

func (t *tenant) org(ctx context.Context) (tenancy.Org, error) {
	var row orgRow
	err := t.Tx.NewSelect().Model(&row).Where("id = ?", t.OrgID()).Scan(ctx)
	if isNoRows(err) {
		return tenancy.Org{}, apperr.New(apperr.NotFound, "store.org.not_found", "org not found")
	}
	return row.org(), err
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
