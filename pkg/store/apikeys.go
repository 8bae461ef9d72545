package store

import (
	"context"
	"strings"
	"sync"
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
func (s *Tenancy) CreateAPIKey(ctx context.Context, in NewAPIKeyInput) (tenancy.APIKey, string, error) {
	type made struct {
		key    tenancy.APIKey
		secret string
	}
	m, err := run(ctx, s.db, func(t *tenant) (made, error) {
		k, secret, err := t.createAPIKey(ctx, in)
		return made{k, secret}, err
	})
	return m.key, m.secret, err
}

func (t *tenant) createAPIKey(ctx context.Context, in NewAPIKeyInput) (tenancy.APIKey, string, error) {
	var f apperr.Fields
	name := strings.TrimSpace(in.Name)
	if len(name) > 200 {
		f.Add("name", "store.api_key.name.too_long", "must be at most 200 characters")
	}
	role := t.validateRole("role", in.Role, &f)
	if err := f.Err("store.api_key.invalid", "the API key is not valid"); err != nil {
		return tenancy.APIKey{}, "", err
	}
	key, visible := secret.NewAPIKey()
	if name == "" {
		name = visible
	}
	row := apiKeyRow{ID: newID(), OrgID: t.OrgID(), Name: name, Prefix: visible, Hash: secret.HashToken(key),
		Role: string(role), CreatedAt: t.Now}
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return tenancy.APIKey{}, "", err
	}
	if err := t.audit(ctx, "api_key.create", "api_key", row.ID.String(),
		map[string]any{"name": name, "prefix": visible, "role": role}); err != nil {
		return tenancy.APIKey{}, "", err
	}
	return row.key(), key, nil
}

// APIKeys lists the org's keys, revoked ones included, newest first.
func (s *Tenancy) APIKeys(ctx context.Context, page Page) ([]tenancy.APIKey, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]tenancy.APIKey, *uuid.UUID, error) { return t.apiKeys(ctx, page) })
}

func (t *tenant) apiKeys(ctx context.Context, page Page) ([]tenancy.APIKey, *uuid.UUID, error) {
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
func (s *Tenancy) RevokeAPIKey(ctx context.Context, id uuid.UUID) (tenancy.APIKey, error) {
	return run(ctx, s.db, func(t *tenant) (tenancy.APIKey, error) { return t.revokeAPIKey(ctx, id) })
}

func (t *tenant) revokeAPIKey(ctx context.Context, id uuid.UUID) (tenancy.APIKey, error) {
	var row apiKeyRow
	err := t.Tx.NewSelect().Model(&row).Where("id = ? AND org_id = ?", id, t.OrgID()).Scan(ctx)
	if isNoRows(err) {
		return tenancy.APIKey{}, apperr.New(apperr.NotFound, "store.api_key.not_found", "API key not found")
	} else if err != nil {
		return tenancy.APIKey{}, err
	}
	if row.RevokedAt != nil {
		return row.key(), nil
	}
	row.RevokedAt = &t.Now
	if _, err := t.Tx.NewUpdate().Model(&row).Column("revoked_at").WherePK().Exec(ctx); err != nil {
		return tenancy.APIKey{}, err
	}
	t.onCommit(func(context.Context) {
		t.db.keys.forget(row.Hash)
		if t.db.keyObserver != nil {
			t.db.keyObserver(row.Hash)
		}
	})
	return row.key(), t.audit(ctx, "api_key.revoke", "api_key", id.String(), map[string]any{"prefix": row.Prefix})
}

// keyTTL bounds how long a resolved key (its org, its role) is kept
// without asking the database again. Whether it is still live is not left
// to the cache: every use case acting with a key checks it in the
// statement that begins its transaction (inTx).
const keyTTL = time.Minute

// resolvedKey is a live key as the cache holds it.
type resolvedKey struct {
	key tenancy.APIKey
	org tenancy.Org
	at  time.Time // when it was read from the database
}

// keyCache holds the keys resolved lately, by the SHA-256 of their secret,
// so that an API request runs one transaction (its use case's), not two.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]resolvedKey
}

func (c *keyCache) get(hash []byte, now time.Time) (resolvedKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[string(hash)]
	if ok && now.Sub(k.at) > keyTTL {
		delete(c.keys, string(hash))
		return k, false
	}
	return k, ok
}

func (c *keyCache) put(hash []byte, k resolvedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) > 100_000 {
		c.keys = map[string]resolvedKey{}
	}
	c.keys[string(hash)] = k
}

func (c *keyCache) forget(hash []byte) {
	c.mu.Lock()
	delete(c.keys, string(hash))
	c.mu.Unlock()
}

// ForgetKey drops a key from this process's cache: its next use asks the
// database. The composition root calls it when another process announces a
// revocation.
func (s *Accounts) ForgetKey(hash []byte) { s.db.keys.forget(hash) }

// OnKeyRevoked sets what runs after a transaction revoked an API key,
// besides this process's cache forgetting it: the root tells every other
// process to (Redis).
func (d *DB) OnKeyRevoked(fn func(hash []byte)) { d.keyObserver = fn }

// APIKeyBySecret finds the live key a bearer token stands for, across orgs.
// A key resolved in the last minute is answered from memory (a revocation
// in a serving process is announced and forgotten at once; one made
// anywhere else is caught by the use case's transaction, which checks the
// key); its use is recorded at most once a minute, off the request's path.
func (s *Accounts) APIKeyBySecret(ctx context.Context, key string) (tenancy.APIKey, tenancy.Org, error) {
	if !secret.LooksLikeAPIKey(key) {
		return tenancy.APIKey{}, tenancy.Org{}, apperr.New(apperr.Unauthorized, "store.api_key.malformed", "the bearer token is not a Plateau API key (they start with %s)", secret.APIKeyPrefix)
	}
	hash, now := secret.HashToken(key), s.db.now()
	k, ok := s.db.keys.get(hash, now)
	if !ok {
		var err error
		if k, err = s.resolveKey(ctx, hash); err != nil {
			return tenancy.APIKey{}, tenancy.Org{}, err
		}
		k.at = now
		s.db.keys.put(hash, k)
	}
	if k.key.LastUsedAt == nil || now.Sub(*k.key.LastUsedAt) > time.Minute {
		k.key.LastUsedAt = &now
		s.db.keys.put(hash, k)
		go s.recordKeyUse(context.WithoutCancel(ctx), k.key.ID, now)
	}
	return k.key, k.org, nil
}

// resolveKey reads a live key and its org.
func (s *Accounts) resolveKey(ctx context.Context, hash []byte) (resolvedKey, error) {
	var (
		row apiKeyRow
		org orgRow
	)
	unknown := errKeyUnknown()
	err := s.db.inSystem(ctx, "api-key-auth", func(tx bun.Tx) error {
		if err := tx.NewSelect().Model(&row).Where("hash = ?", hash).Scan(ctx); err != nil {
			return err
		}
		if row.RevokedAt != nil {
			return unknown
		}
		if err := tx.NewSelect().Model(&org).Where("id = ?", row.OrgID).Scan(ctx); err != nil {
			return err
		}
		if org.Status != string(tenancy.OrgActive) {
			return apperr.New(apperr.Forbidden, "store.org.suspended", "the organization %s is suspended", org.Name)
		}
		return nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return resolvedKey{}, unknown
	}
	return resolvedKey{key: row.key(), org: org.org()}, err
}

func errKeyUnknown() error {
	return apperr.New(apperr.Unauthorized, "store.api_key.unknown", "the API key is unknown or revoked")
}

// recordKeyUse writes when a key was last used. A failure costs only that
// figure's freshness.
func (s *Accounts) recordKeyUse(ctx context.Context, id uuid.UUID, at time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = s.db.inSystem(ctx, "api-key-used", func(tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*apiKeyRow)(nil)).Set("last_used_at = ?", at).
			Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at).Exec(ctx)
		return err
	})
}
