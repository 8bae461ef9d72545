package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
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
func answersSecretOnce(c *fiber.Ctx, replay *apperr.Error) { c.Locals(localSecret, replay) }

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
	body, done, err := bodyDigest(c)
	if err != nil {
		return err
	}
	defer done()
	req := store.IdempotentRequest{Key: key, ActorID: p.ID.String(), Method: c.Method(), Path: c.Path(),
		RequestHash: fingerprint(c.Method(), c.Path(), string(c.Request().URI().QueryString()), body)}
	prior, err := a.d.Idempotency.Claim(ctx, req)
	if err != nil {
		return err
	}
	if prior != nil {
		c.Set(HeaderReplayed, "true")
		c.Set(fiber.HeaderContentType, prior.ContentType)
		if prior.Location != "" {
			c.Set(fiber.HeaderLocation, prior.Location)
		}
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
		Location: string(resp.Header.Peek(fiber.HeaderLocation)), Body: bytes.Clone(resp.Body())}
	if replay, ok := c.Locals(localSecret).(*apperr.Error); ok {
		var err error
		if stored, err = a.secretReplay(c, replay); err != nil {
			return err
		}
	}
	return a.record(ctx, &recorded, req, p.OrgID.String(), stored)
}

// secretReplay is the conflict a retry of a secret-bearing request gets,
// in the language of the first request.
func (a *API) secretReplay(c *fiber.Ctx, replay *apperr.Error) (store.StoredResponse, error) {
	status, problem := a.s.ProblemOf(c, replay)
	problem.RequestID = "" // the retry's is not the first request's
	body, err := json.Marshal(problem)
	return store.StoredResponse{StatusCode: status, ContentType: "application/problem+json", Body: body}, err
}

// record stores the answer of a claimed key.
func (a *API) record(ctx context.Context, recorded *bool, req store.IdempotentRequest, orgID string, stored store.StoredResponse) error {
	err := a.d.Idempotency.Complete(ctx, req.Key, stored)
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
	if err := a.d.Idempotency.Release(ctx, key); err != nil {
		a.log.Error("idempotency: the key of a failed request could not be released", "key", key, "err", err)
	}
}

func checkIdempotencyKey(key string) error {
	bad := len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(r rune) bool { return r < ' ' || r > '~' })
	if !bad {
		return nil
	}
	return apperr.InvalidFields("api.idempotency_key.invalid", "the Idempotency-Key header is not valid",
		apperr.Field(HeaderIdempotencyKey, "api.idempotency_key.malformed",
			"must be 1 to %d printable ASCII characters, such as a UUID (got %d bytes)", maxIdempotencyKey, len(key)))
}

// fingerprint is the SHA-256 of what makes two requests the same: the
// method, the path, the query (an upload's file_name) and the digest of
// the body; the parts are length-prefixed so none can pass for another.
func fingerprint(method, path, query string, body []byte) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d:%s\n%d:%s\n", method, len(path), path, len(query), query)
	h.Write(body)
	return h.Sum(nil)
}

// bodyDigest is the SHA-256 of the request's body. A body read already is
// hashed in memory; a streamed one (an upload's: a 200 MiB lead file, a
// 16 MiB batch) is spooled to disk as it is hashed, never held whole.
func bodyDigest(c *fiber.Ctx) (digest []byte, done func(), err error) {
	if !c.Request().IsBodyStream() {
		sum := sha256.Sum256(c.Body())
		return sum[:], func() {}, nil
	}
	sp, done, err := spoolBody(c)
	if err != nil {
		return nil, nil, err
	}
	return sp.sum, done, nil
}

// localSpool keeps a request's spooled body for its handler.
const localSpool = "api.spool"

// spool is a request's body in a temporary file, and its SHA-256.
type spool struct {
	file *os.File
	size int64
	sum  []byte
}

// reader reads the body from its start.
func (s *spool) reader() *io.SectionReader { return io.NewSectionReader(s.file, 0, s.size) }

// spoolBody writes the request's body, as it streams in, to a temporary
// file, hashing it on the way, once per request: whoever asks first (the
// Idempotency-Key handling, or the handler) spools it, and its done removes
// the file; a later caller gets the same spool and a done that does
// nothing. The request's body then reads from the file, for a handler that
// reads it whole (c.Body()).
func spoolBody(c *fiber.Ctx) (*spool, func(), error) {
	if sp, ok := c.Locals(localSpool).(*spool); ok {
		return sp, func() {}, nil
	}
	file, err := os.CreateTemp("", "plateau-body-*")
	if err != nil {
		return nil, nil, err
	}
	done := func() {
		_ = file.Close()
		_ = os.Remove(file.Name())
	}
	var body io.Reader = c.Request().BodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(file, h), body)
	if err != nil {
		done()
		return nil, nil, err
	}
	sp := &spool{file: file, size: n, sum: h.Sum(nil)}
	c.Request().SetBodyStream(sp.reader(), int(n))
	c.Locals(localSpool, sp)
	return sp, done, nil
}
