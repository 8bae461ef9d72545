package api

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// The consent registry and the suppression list of the principal's org.
// Batches are all or nothing: one bad item refuses the batch, every problem
// named by its path (items[2].phone), and nothing is stored.

// MaxBatch bounds the items of one batch; a larger file goes in several.
const MaxBatch = 10_000

// itemPath is the path of a batch item's field prefix. The store names the
// fields of a lone item without it; the API always does, so that a client
// reads the same path whatever the size of its batch.
func itemPath(i int) string { return "items[" + strconv.Itoa(i) + "]." }

// batchRegion checks the size of a batch of n items and returns the
// country its national-format numbers are read in (country, or the org's).
func batchRegion(ctx context.Context, t *store.Tenant, n int, country string) (string, error) {
	switch {
	case n == 0:
		return "", apperr.InvalidFields("the batch is empty", apperr.FieldError{Path: "items", Message: "must hold at least one item"})
	case n > MaxBatch:
		return "", apperr.InvalidFields("the batch is too large", apperr.FieldError{Path: "items",
			Message: "must hold at most " + strconv.Itoa(MaxBatch) + " items (got " + strconv.Itoa(n) + "); send the rest in another batch"})
	}
	return regionOf(ctx, t, country, "country")
}

// consentInput is NewConsent as a client sends it.
type consentInput struct {
	Phone       string   `json:"phone"`
	Source      string   `json:"source"`
	CapturedAt  *string  `json:"captured_at"`
	ProofRef    string   `json:"proof_ref"`
	Kinds       []string `json:"kinds"`
	WithdrawnAt *string  `json:"withdrawn_at"`
}

// consentBatch is ConsentBatch.
type consentBatch struct {
	Items   []consentInput `json:"items"`
	Country string         `json:"country"` // national-format numbers are read in it; default: the org's
}

// recordConsents records a batch of consents, all or nothing.
func (a *API) recordConsents(c *fiber.Ctx) error {
	return withBody(c, a.db, fiber.StatusCreated, func(ctx context.Context, t *store.Tenant, in consentBatch) (consentsRecordedView, error) {
		var out consentsRecordedView
		region, err := batchRegion(ctx, t, len(in.Items), in.Country)
		if err != nil {
			return out, err
		}
		var f apperr.Fields
		items := make([]compliance.NewConsent, 0, len(in.Items))
		now := time.Now()
		for i, it := range in.Items {
			var times apperr.Fields
			n := compliance.NewConsent{Phone: it.Phone, Source: it.Source, ProofRef: it.ProofRef, Kinds: it.Kinds,
				CapturedAt:  optionalInstant(&times, itemPath(i)+"captured_at", it.CapturedAt),
				WithdrawnAt: optionalInstant(&times, itemPath(i)+"withdrawn_at", it.WithdrawnAt)}
			_, errs := n.Validate(itemPath(i), region, now)
			f = append(f, merge(times, errs)...)
			items = append(items, n)
		}
		if err := f.Err("the consents are not valid; none was recorded"); err != nil {
			return out, err
		}
		records, err := t.RecordConsents(ctx, region, items)
		out.Recorded, out.Data = len(records), make([]consentView, 0, len(records))
		for _, r := range records {
			out.Data = append(out.Data, consentOf(r))
		}
		return out, err
	})
}

// consents lists the org's consent records, newest first, for one number
// with ?phone=.
func (a *API) consents(c *fiber.Ctx) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	return answer(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant) (listView[consentView], error) {
		number, err := phoneQuery(ctx, c, t)
		if err != nil {
			return listView[consentView]{}, err
		}
		rows, next, err := t.Consents(ctx, number, page)
		return pageView(rows, next, consentOf), err
	})
}

// withdrawalInput is ConsentWithdrawalInput.
type withdrawalInput struct {
	Phone   string  `json:"phone"`
	Country string  `json:"country"`
	At      *string `json:"at"` // default: now
}

// withdrawalSlack is how far ahead of the server's clock a withdrawal may
// be dated (clocks differ); a withdrawal is honoured at once, never later.
const withdrawalSlack = 5 * time.Minute

// withdrawConsent closes every open consent of the number: every center's
// next decision sees it.
func (a *API) withdrawConsent(c *fiber.Ctx) error {
	return withBody(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant, in withdrawalInput) (withdrawalView, error) {
		var out withdrawalView
		region, err := regionOf(ctx, t, in.Country, "country")
		if err != nil {
			return out, err
		}
		var f apperr.Fields
		n, err := phone.Parse(in.Phone, region)
		if err != nil {
			f.Add("phone", "%s", err.Error())
		}
		now := time.Now()
		at := now
		if given := optionalInstant(&f, "at", in.At); given != nil {
			at = *given
		}
		if at.After(now.Add(withdrawalSlack)) {
			f.Add("at", "is in the future (%s): a withdrawal is honoured at once; leave at out to mean now", at.Format(time.RFC3339))
		}
		if err := f.Err("the withdrawal is not valid"); err != nil {
			return out, err
		}
		count, err := t.WithdrawConsent(ctx, n.E164, at)
		return withdrawalView{Phone: n.E164, Withdrawn: count, At: at.UTC()}, err
	})
}

// suppressionBatch is SuppressionBatch.
type suppressionBatch struct {
	Items   []compliance.NewSuppression `json:"items"`
	Country string                      `json:"country"`
}

// addSuppressions puts numbers on the org's list, all or nothing; numbers
// already there stay as they were.
func (a *API) addSuppressions(c *fiber.Ctx) error {
	return withBody(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant, in suppressionBatch) (suppressionsAddedView, error) {
		var out suppressionsAddedView
		region, err := batchRegion(ctx, t, len(in.Items), in.Country)
		if err != nil {
			return out, err
		}
		var f apperr.Fields
		for i, it := range in.Items {
			_, errs := it.Validate(itemPath(i), region)
			f = append(f, errs...)
		}
		if err := f.Err("the numbers are not valid; none was added"); err != nil {
			return out, err
		}
		added, err := t.AddSuppressions(ctx, region, in.Items)
		return suppressionsAddedView{Received: len(in.Items), Added: added, AlreadyListed: len(in.Items) - added}, err
	})
}

// removeSuppression takes a number off the org's list and answers 204.
func (a *API) removeSuppression(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := a.db.InTenant(ctx, func(t *store.Tenant) error { return t.RemoveSuppression(ctx, id) }); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
