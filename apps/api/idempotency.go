package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// Idempotency headers: the client's key, and the mark of an answer given
// again from the record rather than by running the request.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
	maxIdempotencyKey    = 255

	// localSecret marks an answer that holds a secret shown once: it is not
	// recorded; a replay gets a conflict saying what the first request did.
	localSecret = "api.secret-answer"
)

// answersSecretOnce marks the answer of c as holding a secret: the
// idempotency record keeps replay, a caller-safe conflict, instead.
func answersSecretOnce(c *fiber.Ctx, replay string) { c.Locals(localSecret, replay) }

// idempotent lets a client retry a POST safely. The first request with a key
// claims it and its answer (any status below 500) is recorded; the same
// request again gets that answer back; another request with the key, or one
// sent while the first still runs, is a conflict. An answer of 500 or more,
// or a panic, releases the key so that a retry runs again. Without the
// header the request simply runs.
//
// The claim, the request and the record are three transactions: the claim
// must be visible to a concurrent retry while the request runs.
func (a *API) idempotent(c *fiber.Ctx) error {
	key := c.Get(HeaderIdempotencyKey)
	if key == "" {
		return c.Next()
	}
	if err := checkIdempotencyKey(key); err != nil {
		return err
	}
	p, _ := fiberhttp.PrincipalOf(c) // the route's permission check ran first
	ctx := c.UserContext()
	req := store.IdempotentRequest{Key: key, ActorID: p.ID.String(), Method: c.Method(), Path: c.Path(),
		RequestHash: fingerprint(c.Method(), c.Path(), c.Body())}
	var prior *store.StoredResponse
	if err := a.db.InTenant(ctx, func(t *store.Tenant) (err error) {
		prior, err = t.ClaimIdempotencyKey(ctx, req)
		return err
	}); err != nil {
		return err
	}
	if prior != nil {
		c.Set(HeaderReplayed, "true")
		c.Set(fiber.HeaderContentType, prior.ContentType)
		return c.Status(prior.StatusCode).Send(prior.Body)
	}

	recorded := false
	defer func() {
		if !recorded {
			a.release(ctx, key)
		}
	}()
	if err := c.Next(); err != nil {
		// Render the error now, so that its problem+json is what gets recorded.
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			return herr
		}
	}
	resp := c.Response()
	if resp.StatusCode() >= fiber.StatusInternalServerError {
		return nil
	}
	stored := store.StoredResponse{StatusCode: resp.StatusCode(), ContentType: string(resp.Header.ContentType()),
		Body: bytes.Clone(resp.Body())}
	if replay, ok := c.Locals(localSecret).(string); ok {
		var err error
		if stored, err = secretReplay(c, replay); err != nil {
			return err
		}
	}
	return a.record(ctx, &recorded, req, p.OrgID.String(), stored)
}

// secretReplay is the conflict a retry of a secret-bearing request gets.
func secretReplay(c *fiber.Ctx, detail string) (store.StoredResponse, error) {
	body, err := json.Marshal(fiberhttp.Problem{Type: "https://plateau.example/problems/conflict", Title: "Conflict",
		Status: fiber.StatusConflict, Detail: detail, Instance: c.OriginalURL()})
	return store.StoredResponse{StatusCode: fiber.StatusConflict, ContentType: "application/problem+json", Body: body}, err
}

// record stores the answer of a claimed key.
func (a *API) record(ctx context.Context, recorded *bool, req store.IdempotentRequest, orgID string, stored store.StoredResponse) error {
	err := a.db.InTenant(ctx, func(t *store.Tenant) error { return t.CompleteIdempotencyKey(ctx, req.Key, stored) })
	*recorded = true
	if err != nil {
		// The change is done: answering an error would invite a retry that
		// does it twice. The key stays claimed, so a retry is refused as
		// "still being processed" until the key expires.
		a.log.Error("idempotency: the response could not be recorded; the key stays claimed",
			"key", req.Key, "method", req.Method, "path", req.Path, "org_id", orgID, "err", err)
	}
	return nil
}

func (a *API) release(ctx context.Context, key string) {
	if err := a.db.InTenant(ctx, func(t *store.Tenant) error { return t.ReleaseIdempotencyKey(ctx, key) }); err != nil {
		a.log.Error("idempotency: the key of a failed request could not be released", "key", key, "err", err)
	}
}

func checkIdempotencyKey(key string) error {
	bad := len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(r rune) bool { return r < ' ' || r > '~' })
	if !bad {
		return nil
	}
	return apperr.InvalidFields("the Idempotency-Key header is not valid", apperr.FieldError{
		Path:    HeaderIdempotencyKey,
		Message: fmt.Sprintf("must be 1 to %d printable ASCII characters, such as a UUID (got %d bytes)", maxIdempotencyKey, len(key)),
	})
}

// fingerprint is the SHA-256 of what makes two requests the same; the path
// is length-prefixed so no body can be mistaken for part of it.
func fingerprint(method, path string, body []byte) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d:%s\n", method, len(path), path)
	h.Write(body)
	return h.Sum(nil)
}
