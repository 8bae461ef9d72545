package compliance

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// ConsentRecord is one consent of a callee to a client, as the registry
// keeps it: where it was captured, when, the proof, which kinds of calls it
// covers, and its withdrawal.
type ConsentRecord struct {
	ID          uuid.UUID  `json:"id"`
	Phone       string     `json:"phone"`
	Source      string     `json:"source"`
	CapturedAt  time.Time  `json:"captured_at"`
	ProofRef    string     `json:"proof_ref"`
	Kinds       []Kind     `json:"kinds"` // empty: every kind, within the decree's hours; OutOfHours: outside them too
	WithdrawnAt *time.Time `json:"withdrawn_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Consent is the record as the engine reads it.
func (r ConsentRecord) Consent() Consent {
	return Consent{CapturedAt: r.CapturedAt, WithdrawnAt: r.WithdrawnAt, Kinds: r.Kinds}
}

// NewConsent is a consent to record, as a person or a system sends it.
type NewConsent struct {
	Phone       string     `json:"phone"`
	Source      string     `json:"source"`
	CapturedAt  *time.Time `json:"captured_at"`
	ProofRef    string     `json:"proof_ref"`
	Kinds       []string   `json:"kinds"`
	WithdrawnAt *time.Time `json:"withdrawn_at"`
}

// Validate checks a consent and normalizes its number with region as the
// default country. prefix is the path of the item ("" for one, "items[3]."
// in a batch) so errors point at the field.
func (n NewConsent) Validate(prefix, region string, now time.Time) (ConsentRecord, apperr.Fields) {
	var f apperr.Fields
	rec := ConsentRecord{Source: strings.TrimSpace(n.Source), ProofRef: strings.TrimSpace(n.ProofRef), WithdrawnAt: n.WithdrawnAt}
	num, err := phone.Parse(n.Phone, region)
	if err != nil {
		f.AddError(prefix+"phone", err)
	}
	rec.Phone = num.E164
	if rec.Source == "" {
		f.Add(prefix+"source", "compliance.consent.source_required", "is required: where the consent was captured (web form, checkout, call…)")
	} else if len(rec.Source) > 200 {
		f.Add(prefix+"source", "compliance.source.too_long", "must be at most 200 characters")
	}
	if len(rec.ProofRef) > 500 {
		f.Add(prefix+"proof_ref", "compliance.proof_ref.too_long", "must be at most 500 characters")
	}
	switch {
	case n.CapturedAt == nil:
		f.Add(prefix+"captured_at", "compliance.captured_at.required", "is required, as an RFC 3339 time with its zone (2026-09-15T10:00:00+02:00)")
	case n.CapturedAt.After(now.Add(5 * time.Minute)):
		f.Add(prefix+"captured_at", "compliance.captured_at.future", "is in the future (%s)", n.CapturedAt.Format(time.RFC3339))
	default:
		rec.CapturedAt = n.CapturedAt.UTC()
	}
	if n.WithdrawnAt != nil && n.CapturedAt != nil && n.WithdrawnAt.Before(*n.CapturedAt) {
		f.Add(prefix+"withdrawn_at", "compliance.withdrawn_at.before_capture", "is before captured_at: a consent cannot be withdrawn before it was given")
	}
	if n.WithdrawnAt != nil {
		w := n.WithdrawnAt.UTC()
		rec.WithdrawnAt = &w
	}
	for i, k := range n.Kinds {
		kind, err := ParseConsentKind(k)
		if err != nil {
			f.AddError(prefix+"kinds["+strconv.Itoa(i)+"]", err)
			continue
		}
		rec.Kinds = append(rec.Kinds, kind)
	}
	return rec, f
}

// SuppressionEntry is a number on a client's or the platform's list.
type SuppressionEntry struct {
	ID        uuid.UUID `json:"id"`
	List      ListKind  `json:"list"`
	Phone     string    `json:"phone"`
	Reason    string    `json:"reason"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// NewSuppression is a number to put on a list.
type NewSuppression struct {
	Phone  string `json:"phone"`
	Reason string `json:"reason"`
	Source string `json:"source"`
}

// Validate checks an entry and normalizes its number.
func (n NewSuppression) Validate(prefix, region string) (SuppressionEntry, apperr.Fields) {
	var f apperr.Fields
	e := SuppressionEntry{Reason: strings.TrimSpace(n.Reason), Source: strings.TrimSpace(n.Source)}
	num, err := phone.Parse(n.Phone, region)
	if err != nil {
		f.AddError(prefix+"phone", err)
	}
	e.Phone = num.E164
	if len(e.Reason) > 500 {
		f.Add(prefix+"reason", "compliance.reason.too_long", "must be at most 500 characters")
	}
	if len(e.Source) > 200 {
		f.Add(prefix+"source", "compliance.source.too_long", "must be at most 200 characters")
	}
	return e, f
}
