package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type apiKeyRow struct {
	bun.BaseModel `bun:"table:api_keys"`

	ID         uuid.UUID  `bun:"id,pk"`
	OrgID      uuid.UUID  `bun:"org_id"`
	Name       string     `bun:"name"`
	Prefix     string     `bun:"prefix"`
	Hash       []byte     `bun:"hash"`
	Role       string     `bun:"role"`
	CreatedAt  time.Time  `bun:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
}

func (r apiKeyRow) key() tenancy.APIKey {
	return tenancy.APIKey{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Prefix: r.Prefix, Role: tenancy.Role(r.Role),
		CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt, Hash: r.Hash}
}

// NewAPIKeyInput creates a key for the principal's org.
type NewAPIKeyInput struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// CreateAPIKey makes a key and returns it with its secret, which is not
// stored and cannot be shown again.
func (t *Tenant) CreateAPIKey(ctx context.Context, in NewAPIKeyInput) (tenancy.APIKey, string, error) {
	var f apperr.Fields
	name := strings.TrimSpace(in.Name)
	if len(name) > 200 {
		f.Add("name", "must be at most 200 characters")
	}
	role := t.validateRole("role", in.Role, &f)
	if err := f.Err("the API key is not valid"); err != nil {
		return tenancy.APIKey{}, "", err
	}
	key, visible := secret.NewAPIKey()
	if name == "" {
		name = visible
	}
	row := apiKeyRow{ID: newID(), OrgID: t.OrgID(), Name: name, Prefix: visible, Hash: secret.HashToken(key),
		Role: string(role), CreatedAt: now()}
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return tenancy.APIKey{}, "", err
	}
	if err := t.Audit(ctx, "api_key.create", "api_key", row.ID.String(),
		map[string]any{"name": name, "prefix": visible, "role": role}); err != nil {
		return tenancy.APIKey{}, "", err
	}
	return row.key(), key, nil
}

// APIKeys lists the org's keys, revoked ones included, newest first.
func (t *Tenant) APIKeys(ctx context.Context, page Page) ([]tenancy.APIKey, *uuid.UUID, error) {
	var rows []apiKeyRow
	if err := page.apply(t.Tx.NewSelect().Model(&rows).Where("org_id = ?", t.OrgID())).Scan(ctx); err != nil {
		return nil, nil, err
	}
	rows, next := cut(rows, page, func(r apiKeyRow) uuid.UUID { return r.ID })
	out := make([]tenancy.APIKey, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.key())
	}
	return out, next, nil
}

// RevokeAPIKey stops a key from working at once. Revoking twice is a no-op.
func (t *Tenant) RevokeAPIKey(ctx context.Context, id uuid.UUID) (tenancy.APIKey, error) {
	var row apiKeyRow
	err := t.Tx.NewSelect().Model(&row).Where("id = ? AND org_id = ?", id, t.OrgID()).Scan(ctx)
	if isNoRows(err) {
		return tenancy.APIKey{}, notFound("API key", id)
	} else if err != nil {
		return tenancy.APIKey{}, err
	}
	if row.RevokedAt != nil {
		return row.key(), nil
	}
	at := now()
	row.RevokedAt = &at
	if _, err := t.Tx.NewUpdate().Model(&row).Column("revoked_at").WherePK().Exec(ctx); err != nil {
		return tenancy.APIKey{}, err
	}
	return row.key(), t.Audit(ctx, "api_key.revoke", "api_key", id.String(), map[string]any{"prefix": row.Prefix})
}

// APIKeyBySecret finds the live key a bearer token stands for, across orgs,
// and records its use at most once a minute.
func (d *DB) APIKeyBySecret(ctx context.Context, key string) (tenancy.APIKey, tenancy.Org, error) {
	var (
		row apiKeyRow
		org orgRow
	)
	unknown := apperr.New(apperr.Unauthorized, "the API key is unknown or revoked")
	if !secret.LooksLikeAPIKey(key) {
		return tenancy.APIKey{}, tenancy.Org{}, apperr.New(apperr.Unauthorized, "the bearer token is not a Plateau API key (they start with %s)", secret.APIKeyPrefix)
	}
	err := d.InSystem(ctx, "api-key-auth", func(tx bun.Tx) error {
		if err := tx.NewSelect().Model(&row).Where("hash = ?", secret.HashToken(key)).Scan(ctx); err != nil {
			return err
		}
		if row.RevokedAt != nil {
			return unknown
		}
		if err := tx.NewSelect().Model(&org).Where("id = ?", row.OrgID).Scan(ctx); err != nil {
			return err
		}
		if org.Status != string(tenancy.OrgActive) {
			return apperr.New(apperr.Forbidden, "the organization %s is suspended", org.Name)
		}
		at := now()
		if row.LastUsedAt == nil || at.Sub(*row.LastUsedAt) > time.Minute {
			row.LastUsedAt = &at
			_, err := tx.NewUpdate().Model(&row).Column("last_used_at").WherePK().Exec(ctx)
			return err
		}
		return nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return tenancy.APIKey{}, tenancy.Org{}, unknown
	}
	return row.key(), org.org(), err
}
