package store

import (
	"bytes"
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	OrgID        uuid.UUID `bun:"org_id,pk"`
	Key          string    `bun:"key,pk"`
	ActorID      string    `bun:"actor_id"`
	Method       string    `bun:"method"`
	Path         string    `bun:"path"`
	RequestHash  []byte    `bun:"request_hash"`
	StatusCode   *int      `bun:"status_code"`
	ContentType  string    `bun:"content_type"`
	Location     string    `bun:"location"`
	ResponseBody []byte    `bun:"response_body"`
	CreatedAt    time.Time `bun:"created_at"`
}

// IdempotentRequest identifies a POST by its Idempotency-Key and fingerprint.
type IdempotentRequest struct {
	Key         string
	ActorID     string
	Method      string
	Path        string
	RequestHash []byte // digest of the request: its body, query, …
}

// StoredResponse is the response first given to an idempotent request.
type StoredResponse struct {
	StatusCode  int
	ContentType string
	Location    string // "" when the response had none
	Body        []byte
}

// Idempotency is the use cases of the API's Idempotency-Key: a POST run
// once, its first response replayed.
type Idempotency struct{ db *DB }

// Claim reserves a key for a request, as claimIdempotencyKey says.
func (s *Idempotency) Claim(ctx context.Context, r IdempotentRequest) (*StoredResponse, error) {
	return run(ctx, s.db, func(t *tenant) (*StoredResponse, error) { return t.claimIdempotencyKey(ctx, r) })
}

// Complete stores the response of a claimed request.
func (s *Idempotency) Complete(ctx context.Context, key string, resp StoredResponse) error {
	return do(ctx, s.db, func(t *tenant) error { return t.completeIdempotencyKey(ctx, key, resp) })
}

// Release forgets a claim whose request failed on our side, so that a
// retry runs again.
func (s *Idempotency) Release(ctx context.Context, key string) error {
	return do(ctx, s.db, func(t *tenant) error { return t.releaseIdempotencyKey(ctx, key) })
}

// claimIdempotencyKey reserves a key for a request. It returns the stored
// response when the same request already completed; a Conflict when the key
// was used for another request or the first one is still running; and nil,
// nil when the caller should run the request and then call
// CompleteIdempotencyKey (or ReleaseIdempotencyKey if it failed).
func (t *tenant) claimIdempotencyKey(ctx context.Context, r IdempotentRequest) (*StoredResponse, error) {
	row := idempotencyRow{OrgID: t.OrgID(), Key: r.Key, ActorID: r.ActorID, Method: r.Method, Path: r.Path,
		RequestHash: r.RequestHash, CreatedAt: t.Now}
	res, err := t.Tx.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	var prior idempotencyRow
	if err := t.Tx.NewSelect().Model(&prior).Where("org_id = ? AND key = ?", t.OrgID(), r.Key).Scan(ctx); err != nil {
		return nil, err
	}
	if prior.ActorID != r.ActorID || prior.Method != r.Method || prior.Path != r.Path || !bytes.Equal(prior.RequestHash, r.RequestHash) {
		return nil, apperr.New(apperr.Conflict, "store.idempotency.key_reused", "the Idempotency-Key %q was already used for a different request; use a new key for a new request", r.Key)
	}
	if prior.StatusCode == nil {
		return nil, apperr.New(apperr.Conflict, "store.idempotency.in_progress", "a request with the Idempotency-Key %q is still being processed; retry in a moment", r.Key)
	}
	return &StoredResponse{StatusCode: *prior.StatusCode, ContentType: prior.ContentType, Location: prior.Location,
		Body: prior.ResponseBody}, nil
}

// CompleteIdempotencyKey stores the response of a claimed request.
func (t *tenant) completeIdempotencyKey(ctx context.Context, key string, resp StoredResponse) error {
	_, err := t.Tx.NewUpdate().Model((*idempotencyRow)(nil)).
		Set("status_code = ?", resp.StatusCode).Set("content_type = ?", resp.ContentType).Set("location = ?", resp.Location).
		Set("response_body = ?", resp.Body).Where("org_id = ? AND key = ?", t.OrgID(), key).Exec(ctx)
	return err
}

// ReleaseIdempotencyKey forgets a claim whose request failed on our side,
// so that a retry runs again.
func (t *tenant) releaseIdempotencyKey(ctx context.Context, key string) error {
	_, err := t.Tx.NewDelete().Model((*idempotencyRow)(nil)).
		Where("org_id = ? AND key = ? AND status_code IS NULL", t.OrgID(), key).Exec(ctx)
	return err
}

// PurgeIdempotencyKeys deletes keys older than the retention, in every org.
func (s *Jobs) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.db.inSystem(ctx, "idempotency-purge", func(tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*idempotencyRow)(nil)).Where("created_at < ?", before).Exec(ctx)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, err
}
