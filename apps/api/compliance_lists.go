package api

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// The consent registry and the suppression list of the principal's org.
// Batches are all or nothing: one bad item refuses the batch, every problem
// named by its path (items[2].phone), and nothing is stored.

// itemPath is the path prefix of a batch item's fields: the API names
// them so whatever the size of the batch.
func itemPath(i int) string { return "items[" + strconv.Itoa(i) + "]." }

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
	return withBody(c, fiber.StatusCreated, func(ctx context.Context, in consentBatch) (consentsRecordedView, error) {
		b := store.ConsentBatch{Country: in.Country, Items: make([]compliance.NewConsent, 0, len(in.Items))}
		for i, it := range in.Items {
			b.Items = append(b.Items, compliance.NewConsent{Phone: it.Phone, Source: it.Source, ProofRef: it.ProofRef, Kinds: it.Kinds,
				CapturedAt:  optionalInstant(&b.Unread, itemPath(i)+"captured_at", it.CapturedAt),
				WithdrawnAt: optionalInstant(&b.Unread, itemPath(i)+"withdrawn_at", it.WithdrawnAt)})
		}
		records, err := a.d.Compliance.RecordConsentBatch(ctx, b)
		out := consentsRecordedView{Recorded: len(records), Data: make([]consentView, 0, len(records))}
		for _, r := range records {
			out.Data = append(out.Data, consentOf(r))
		}
		return out, err
	})
}

// consents lists the org's consent records, newest first, for one number
// with ?phone=.
func (a *API) consents(c *fiber.Ctx) error {
	return list(func(ctx context.Context, page store.Page) ([]compliance.ConsentRecord, *uuid.UUID, error) {
		return a.d.Compliance.ConsentsOf(ctx, phoneQuery(c), page)
	}, consentOf)(c)
}

// withdrawalInput is ConsentWithdrawalInput.
type withdrawalInput struct {
	Phone   string  `json:"phone"`
	Country string  `json:"country"`
	At      *string `json:"at"` // default: now
}

// withdrawConsent closes every open consent of the number: every center's
// next decision sees it. A withdrawal is honoured at once: one dated in
// the future is refused.
func (a *API) withdrawConsent(c *fiber.Ctx) error {
	return withBody(c, fiber.StatusOK, func(ctx context.Context, in withdrawalInput) (withdrawalView, error) {
		w := store.Withdrawal{PhoneQuery: store.PhoneQuery{Number: in.Phone, Country: in.Country}}
		w.At = optionalInstant(&w.Unread, "at", in.At)
		done, err := a.d.Compliance.Withdraw(ctx, w)
		return withdrawalView{Phone: done.Phone, Withdrawn: done.Count, At: done.At}, err
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
	return withBody(c, fiber.StatusOK, func(ctx context.Context, in suppressionBatch) (suppressionsAddedView, error) {
		added, err := a.d.Compliance.AddSuppressionBatch(ctx, store.SuppressionBatch{Country: in.Country, Items: in.Items})
		return suppressionsAddedView{Received: len(in.Items), Added: added, AlreadyListed: len(in.Items) - added}, err
	})
}

// removeSuppression takes a number off the org's list and answers 204.
func (a *API) removeSuppression(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.d.Compliance.RemoveSuppression(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
