package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/script"
)

// The use cases shaped for the REST API's client systems: they send
// numbers as they hold them (international, or national in a country they
// name, by default their org's), batches whose every item is named by its
// path (items[2].phone) whatever the batch's size, and patches.

// PhoneQuery is a number as a client system writes it: international, or
// national in Country (by default the org's). A query without Number asks
// about every number.
type PhoneQuery struct {
	Number  string
	Country string
}

// region is the country national-format numbers are read in: given (an
// ISO code, named path when it is not one), or the org's.
func (t *tenant) region(ctx context.Context, given, path string) (string, error) {
	given = strings.ToUpper(strings.TrimSpace(given))
	if given == "" {
		org, err := t.org(ctx)
		return org.Country, err
	}
	if len(given) != 2 || strings.ContainsFunc(given, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		return "", apperr.InvalidFields("store.country.invalid", "the country is not valid",
			apperr.Field(path, "store.country.not_iso", "must be an ISO country code such as FR, US or GB (got %q)", given))
	}
	return given, nil
}

// number reads q in E.164 ("" without a number), naming the fields
// phone and country at fault.
func (t *tenant) number(ctx context.Context, q PhoneQuery) (string, error) {
	if q.Number == "" {
		return "", nil
	}
	region, err := t.region(ctx, q.Country, "country")
	if err != nil {
		return "", err
	}
	n, err := phone.Parse(q.Number, region)
	if err != nil {
		var f apperr.Fields
		f.AddError("phone", err)
		return "", f.Err("store.phone.invalid", "the number is not valid")
	}
	return n.E164, nil
}

// ConsentsOf lists the org's consent records, newest first, for the number
// q names (every record without one).
func (s *Compliance) ConsentsOf(ctx context.Context, q PhoneQuery, page Page) ([]compliance.ConsentRecord, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]compliance.ConsentRecord, *uuid.UUID, error) {
		number, err := t.number(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		return t.consents(ctx, number, page)
	})
}

// EvidenceOf lists the org's recorded decisions for the number q names
// and/or one lead.
func (s *Compliance) EvidenceOf(ctx context.Context, q PhoneQuery, leadID *uuid.UUID, page Page) ([]compliance.Evidence, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]compliance.Evidence, *uuid.UUID, error) {
		number, err := t.number(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		return t.evidenceFor(ctx, number, leadID, page)
	})
}

// batchItems checks the size of a batch of n items.
func batchItems(n int) error {
	switch {
	case n == 0:
		return apperr.InvalidFields("store.batch.empty", "the batch is empty", apperr.Field("items", "store.batch.items_none", "must hold at least one item"))
	case n > MaxBatch:
		return apperr.InvalidFields("store.batch.too_large", "the batch is too large",
			apperr.Field("items", "store.batch.items_too_many", "must hold at most %d items (got %d); send the rest in another batch", MaxBatch, n))
	}
	return nil
}

// itemPath is the prefix of a batch item's fields.
func itemPath(i int) string { return "items[" + strconv.Itoa(i) + "]." }

// ConsentBatch is a batch of consents as a client system sends it.
type ConsentBatch struct {
	Country string // national-format numbers are read in it; default: the org's
	Items   []compliance.NewConsent
	// Unread names the fields the sender could not read (a time without
	// its zone): reported with every other problem, and nothing recorded.
	Unread apperr.Fields
}

// RecordConsentBatch records a batch of consents, all or nothing: one bad
// item refuses the batch, every problem named by its path.
func (s *Compliance) RecordConsentBatch(ctx context.Context, b ConsentBatch) ([]compliance.ConsentRecord, error) {
	return run(ctx, s.db, func(t *tenant) ([]compliance.ConsentRecord, error) {
		if err := batchItems(len(b.Items)); err != nil {
			return nil, err
		}
		region, err := t.region(ctx, b.Country, "country")
		if err != nil {
			return nil, err
		}
		f := b.Unread
		for i, it := range b.Items {
			_, errs := it.Validate(itemPath(i), region, t.Now)
			f = f.Merge(errs)
		}
		if err := f.Err("store.consents.invalid", "the consents are not valid; none was recorded"); err != nil {
			return nil, err
		}
		return t.recordConsents(ctx, region, b.Items)
	})
}

// SuppressionBatch is a batch of numbers for the org's opt-out list.
type SuppressionBatch struct {
	Country string
	Items   []compliance.NewSuppression
}

// AddSuppressionBatch puts numbers on the org's list, all or nothing, and
// returns how many were new; numbers already there stay as they were.
func (s *Compliance) AddSuppressionBatch(ctx context.Context, b SuppressionBatch) (int, error) {
	return run(ctx, s.db, func(t *tenant) (int, error) {
		if err := batchItems(len(b.Items)); err != nil {
			return 0, err
		}
		region, err := t.region(ctx, b.Country, "country")
		if err != nil {
			return 0, err
		}
		var f apperr.Fields
		for i, it := range b.Items {
			_, errs := it.Validate(itemPath(i), region)
			f = append(f, errs...)
		}
		if err := f.Err("store.suppressions.invalid", "the numbers are not valid; none was added"); err != nil {
			return 0, err
		}
		return t.addSuppressions(ctx, region, b.Items)
	})
}

// withdrawalSlack is how far ahead of the platform's clock a withdrawal
// may be dated (clocks differ); a withdrawal is honoured at once, never
// later.
const withdrawalSlack = 5 * time.Minute

// Withdrawal is a callee's withdrawal of consent as a client system sends
// it.
type Withdrawal struct {
	PhoneQuery
	At     *time.Time    // default: now
	Unread apperr.Fields // as ConsentBatch's
}

// Withdrawn is what a withdrawal did.
type Withdrawn struct {
	Phone string // E.164
	Count int    // consent records it closed
	At    time.Time
}

// Withdraw closes every open consent of the number (WithdrawConsent).
func (s *Compliance) Withdraw(ctx context.Context, w Withdrawal) (Withdrawn, error) {
	return run(ctx, s.db, func(t *tenant) (Withdrawn, error) {
		region, err := t.region(ctx, w.Country, "country")
		if err != nil {
			return Withdrawn{}, err
		}
		f := w.Unread
		n, err := phone.Parse(w.Number, region)
		if err != nil {
			var bad apperr.Fields
			bad.AddError("phone", err)
			f = f.Merge(bad)
		}
		at := t.Now
		if w.At != nil {
			at = *w.At
		}
		if at.After(t.Now.Add(withdrawalSlack)) {
			f = f.Merge([]apperr.FieldError{apperr.Field("at", "store.withdrawal.future",
				"is in the future (%s): a withdrawal is honoured at once; leave at out to mean now", at.Format(time.RFC3339))})
		}
		if err := f.Err("store.withdrawal.invalid", "the withdrawal is not valid"); err != nil {
			return Withdrawn{}, err
		}
		count, err := t.withdrawConsent(ctx, n.E164, at)
		return Withdrawn{Phone: n.E164, Count: count, At: at.UTC()}, err
	})
}

// CheckedProfile is a center's data-protection profile with the check
// contract activation makes on it now: Missing is nil when the center may
// receive EU personal data, else says everything it misses.
type CheckedProfile struct {
	Profile compliance.CenterProfile
	Missing error
}

func (t *tenant) checked(p compliance.CenterProfile) CheckedProfile {
	return CheckedProfile{Profile: p, Missing: compliance.MayProcessEUData(p, t.Now)}
}

// CheckedCenterProfile returns the center's profile, checked.
func (s *Compliance) CheckedCenterProfile(ctx context.Context) (CheckedProfile, error) {
	return run(ctx, s.db, func(t *tenant) (CheckedProfile, error) {
		p, err := t.centerProfile(ctx)
		return t.checked(p), err
	})
}

// EditCenterProfile applies edit to the center's profile and saves it
// when edit reports a change: saving voids the platform's verification,
// so a patch that changes nothing leaves it as it is.
func (s *Compliance) EditCenterProfile(ctx context.Context, edit func(*compliance.CenterProfile) bool) (CheckedProfile, error) {
	return run(ctx, s.db, func(t *tenant) (CheckedProfile, error) {
		p, err := t.centerProfile(ctx)
		if err != nil || !edit(&p) {
			return t.checked(p), err
		}
		saved, err := t.saveCenterProfile(ctx, p)
		return t.checked(saved), err
	})
}

// Preview walks the latest version of a campaign's script with the
// choices an agent makes and the sample lead. The campaign's client sees
// its own name; a center sees the placeholder, as its agents would
// without the client's data.
func (s *Scripts) Preview(ctx context.Context, campaignID uuid.UUID, choices []script.Choice) ([]script.Step, error) {
	return run(ctx, s.db, func(t *tenant) ([]script.Step, error) {
		v, err := t.script(ctx, campaignID)
		if err != nil {
			return nil, err
		}
		values := script.SampleValues()
		if v.OrgID == t.OrgID() {
			org, err := t.org(ctx)
			if err != nil {
				return nil, err
			}
			values["client.name"] = org.Name
		}
		return v.Script.Walk(choices, values)
	})
}
