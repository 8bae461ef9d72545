package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type rolePermissionRow struct {
	bun.BaseModel `bun:"table:role_permissions"`

	OrgID  uuid.UUID `bun:"org_id,pk"`
	Role   string    `bun:"role,pk"`
	Object string    `bun:"object,pk"`
	Action string    `bun:"action,pk"`
}

type offeredDefaultRow struct {
	bun.BaseModel `bun:"table:role_permission_defaults"`

	OrgID  uuid.UUID `bun:"org_id,pk"`
	Role   string    `bun:"role,pk"`
	Object string    `bun:"object,pk"`
	Action string    `bun:"action,pk"`
}

// insertDefaultPermissions grants an org the default permissions of its
// kind it was never offered, and records them as offered: a default the
// org later took away is not granted again.
func insertDefaultPermissions(ctx context.Context, tx bun.IDB, orgID uuid.UUID, kind tenancy.OrgKind) error {
	var offered []offeredDefaultRow
	if err := tx.NewSelect().Model(&offered).Where("org_id = ?", orgID).Scan(ctx); err != nil {
		return err
	}
	seen := map[offeredDefaultRow]bool{}
	for _, o := range offered {
		o.BaseModel = bun.BaseModel{}
		seen[o] = true
	}
	var fresh []offeredDefaultRow
	var grants []rolePermissionRow
	for role, perms := range tenancy.DefaultPermissions(kind) {
		for _, p := range perms {
			o := offeredDefaultRow{OrgID: orgID, Role: string(role), Object: p.Object(), Action: p.Action()}
			if seen[o] {
				continue
			}
			fresh = append(fresh, o)
			grants = append(grants, rolePermissionRow{OrgID: orgID, Role: o.Role, Object: o.Object, Action: o.Action})
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&fresh).Exec(ctx); err != nil {
		return err
	}
	_, err := tx.NewInsert().Model(&grants).On("CONFLICT DO NOTHING").Exec(ctx)
	return err
}

// SyncDefaultPermissions adds to every org the default permissions its kind
// has gained since the org was last synced. It never removes a grant, and
// never gives back one an org took away.
func (d *DB) SyncDefaultPermissions(ctx context.Context) error {
	orgs, err := d.ListOrgs(ctx, "")
	if err != nil {
		return err
	}
	return d.inSystem(ctx, "rbac-sync", func(tx bun.Tx) error {
		for _, o := range orgs {
			if err := insertDefaultPermissions(ctx, tx, o.ID, o.Kind); err != nil {
				return err
			}
		}
		return nil
	})
}

// Policies returns the grants and role assignments of one org: what the RBAC
// enforcer loads for that org's domain.
func (d *DB) Policies(ctx context.Context, orgID uuid.UUID) ([]tenancy.Grant, []tenancy.Assignment, error) {
	var (
		perms   []rolePermissionRow
		members []membershipRow
	)
	err := d.inSystem(ctx, "rbac-load", func(tx bun.Tx) error {
		if err := tx.NewSelect().Model(&perms).Where("org_id = ?", orgID).Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&members).Where("org_id = ? AND status = ?", orgID, membershipActive).Scan(ctx)
	})
	if err != nil {
		return nil, nil, err
	}
	grants := make([]tenancy.Grant, 0, len(perms))
	for _, p := range perms {
		grants = append(grants, tenancy.Grant{Role: tenancy.Role(p.Role), Permission: tenancy.Permission(p.Object + ":" + p.Action)})
	}
	assignments := make([]tenancy.Assignment, 0, len(members))
	for _, m := range members {
		assignments = append(assignments, tenancy.Assignment{Subject: m.UserID.String(), Role: tenancy.Role(m.Role)})
	}
	return grants, assignments, nil
}

// Grant gives a role a permission in the principal's org. A permission
// the policy table keeps from orgs of its kind cannot be granted.
func (s *Tenancy) Grant(ctx context.Context, g tenancy.Grant) error {
	return do(ctx, s.db, func(t *tenant) error { return t.addGrant(ctx, g) })
}

// Revoke takes a permission from a role in the principal's org.
func (s *Tenancy) Revoke(ctx context.Context, g tenancy.Grant) error {
	return do(ctx, s.db, func(t *tenant) error { return t.removeGrant(ctx, g) })
}

func (t *tenant) addGrant(ctx context.Context, g tenancy.Grant) error {
	if err := t.require(ctx, tenancy.PermUsersWrite); err != nil {
		return err
	}
	if !tenancy.KindMayHold(t.Principal.OrgKind, g.Permission) {
		return apperr.InvalidFields("store.grant.invalid", "the grant is not valid",
			apperr.Field("permission", "store.grant.kind_may_not_hold", "no role of a %s org may hold %s", t.Principal.OrgKind, g.Permission))
	}
	row := rolePermissionRow{OrgID: t.OrgID(), Role: string(g.Role), Object: g.Permission.Object(), Action: g.Permission.Action()}
	if _, err := t.Tx.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return err
	}
	t.policyChanged()
	return t.audit(ctx, "rbac.grant", "role", string(g.Role), g)
}

func (t *tenant) removeGrant(ctx context.Context, g tenancy.Grant) error {
	if err := t.require(ctx, tenancy.PermUsersWrite); err != nil {
		return err
	}
	if _, err := t.Tx.NewDelete().Model((*rolePermissionRow)(nil)).
		Where("org_id = ? AND role = ? AND object = ? AND action = ?",
			t.OrgID(), g.Role, g.Permission.Object(), g.Permission.Action()).Exec(ctx); err != nil {
		return err
	}
	t.policyChanged()
	return t.audit(ctx, "rbac.revoke", "role", string(g.Role), g)
}

// OnPolicyChange sets what runs after a transaction changed an org's roles
// or grants: the RBAC cache drops that org.
func (d *DB) OnPolicyChange(fn func(orgID uuid.UUID)) { d.policyObserver = fn }

func (t *tenant) policyChanged() {
	org := t.OrgID()
	t.onCommit(func(context.Context) {
		if t.db.policyObserver != nil {
			t.db.policyObserver(org)
		}
	})
}
