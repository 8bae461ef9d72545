package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/audit"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type auditRow struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID         uuid.UUID  `bun:"id,pk"`
	OrgID      uuid.UUID  `bun:"org_id"`
	ActorKind  string     `bun:"actor_kind"`
	ActorID    *uuid.UUID `bun:"actor_id"`
	ActorLabel string     `bun:"actor_label"`
	Action     string     `bun:"action"`
	ObjectType string     `bun:"object_type"`
	ObjectID   string     `bun:"object_id"`
	IP         string     `bun:"ip"`
	Details    string     `bun:"details,nullzero"`
	CreatedAt  time.Time  `bun:"created_at"`
}

func (r auditRow) event() audit.Event {
	e := audit.Event{ID: r.ID, OrgID: r.OrgID, ActorKind: r.ActorKind, ActorID: r.ActorID,
		ActorLabel: r.ActorLabel, Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID,
		IP: r.IP, CreatedAt: r.CreatedAt}
	if r.Details != "" {
		e.Details = json.RawMessage(r.Details)
	}
	return e
}

// insertAudit records who did what to which object, in the transaction of
// the change itself, so a change without its audit event cannot commit.
func insertAudit(ctx context.Context, tx bun.IDB, at time.Time, p tenancy.Principal, action, objectType, objectID string, details any) error {
	row := auditRow{ID: newID(), OrgID: p.OrgID, ActorKind: string(p.Kind), ActorLabel: p.Label,
		Action: action, ObjectType: objectType, ObjectID: objectID, IP: p.IP, CreatedAt: at}
	if p.ID != uuid.Nil {
		id := p.ID
		row.ActorID = &id
	}
	if details != nil {
		raw, err := json.Marshal(details)
		if err != nil {
			return err
		}
		row.Details = string(raw)
	}
	// No RETURNING: an event a center writes into its client's trail is not
	// the center's to read back.
	_, err := tx.NewInsert().Model(&row).Returning("NULL").Exec(ctx)
	return err
}

// audit records an event for a change made in this transaction.
func (t *tenant) audit(ctx context.Context, action, objectType, objectID string, details any) error {
	return insertAudit(ctx, t.Tx, t.Now, t.Principal, action, objectType, objectID, details)
}

// AuditEvents lists the org's audit trail, newest first.
func (s *Tenancy) AuditEvents(ctx context.Context, page Page) ([]audit.Event, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]audit.Event, *uuid.UUID, error) { return t.auditEvents(ctx, page) })
}

// Record audits something the principal did that changed no row of its
// own: signing in or out, for instance.
func (s *Tenancy) Record(ctx context.Context, action, objectType, objectID string) error {
	return do(ctx, s.db, func(t *tenant) error { return t.audit(ctx, action, objectType, objectID, nil) })
}

func (t *tenant) auditEvents(ctx context.Context, page Page) ([]audit.Event, *uuid.UUID, error) {
	var rows []auditRow
	q := t.Tx.NewSelect().Model(&rows).Where("org_id = ?", t.OrgID())
	if err := page.apply(q).Scan(ctx); err != nil {
		return nil, nil, err
	}
	rows, next := cut(rows, page, func(r auditRow) uuid.UUID { return r.ID })
	out := make([]audit.Event, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.event())
	}
	return out, next, nil
}
