package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/script"
)

type consentRow struct {
	bun.BaseModel `bun:"table:consents"`

	ID          uuid.UUID  `bun:"id,pk"`
	OrgID       uuid.UUID  `bun:"org_id"`
	Phone       string     `bun:"phone"`
	Source      string     `bun:"source"`
	CapturedAt  time.Time  `bun:"captured_at"`
	ProofRef    string     `bun:"proof_ref"`
	Kinds       string     `bun:"kinds"`
	WithdrawnAt *time.Time `bun:"withdrawn_at"`
	CreatedAt   time.Time  `bun:"created_at"`
}

func (r consentRow) record() compliance.ConsentRecord {
	rec := compliance.ConsentRecord{ID: r.ID, Phone: r.Phone, Source: r.Source, CapturedAt: r.CapturedAt,
		ProofRef: r.ProofRef, WithdrawnAt: r.WithdrawnAt, CreatedAt: r.CreatedAt, Kinds: []compliance.Kind{}}
	for _, k := range strings.Split(r.Kinds, ",") {
		if k != "" {
			rec.Kinds = append(rec.Kinds, compliance.Kind(k))
		}
	}
	return rec
}

// Compliance is the use cases of calling legally: consents, opt-out
// lists, decisions and their evidence, centers' data-protection profiles
// and the national lists.
type Compliance struct {
	db    *DB
	lists *nationallist.Registry // this process's copy of the national lists
}

// RecordConsents records a batch of consents of callees to the principal's
// org, all or nothing: one invalid item refuses the batch, with every
// problem named by its path (items[i].field).
func (s *Compliance) RecordConsents(ctx context.Context, region string, items []compliance.NewConsent) ([]compliance.ConsentRecord, error) {
	return run(ctx, s.db, func(t *tenant) ([]compliance.ConsentRecord, error) { return t.recordConsents(ctx, region, items) })
}

func (t *tenant) recordConsents(ctx context.Context, region string, items []compliance.NewConsent) ([]compliance.ConsentRecord, error) {
	var f apperr.Fields
	rows := make([]consentRow, 0, len(items))
	at := t.Now
	for i, item := range items {
		prefix := ""
		if len(items) > 1 {
			prefix = "items[" + strconv.Itoa(i) + "]."
		}
		rec, errs := item.Validate(prefix, region, at)
		f = append(f, errs...)
		kinds := make([]string, 0, len(rec.Kinds))
		for _, k := range rec.Kinds {
			kinds = append(kinds, string(k))
		}
		rows = append(rows, consentRow{ID: newID(), OrgID: t.OrgID(), Phone: rec.Phone, Source: rec.Source,
			CapturedAt: rec.CapturedAt, ProofRef: rec.ProofRef, Kinds: strings.Join(kinds, ","),
			WithdrawnAt: rec.WithdrawnAt, CreatedAt: at})
	}
	if err := f.Err("store.consents.invalid", "the consents are not valid; none was recorded"); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apperr.New(apperr.Invalid, "store.consents.none", "no consent to record")
	}
	if _, err := t.Tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return nil, err
	}
	if err := t.audit(ctx, "consent.record", "consent", rows[0].ID.String(), map[string]any{"count": len(rows)}); err != nil {
		return nil, err
	}
	out := make([]compliance.ConsentRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.record())
	}
	// A lead blocked for want of this consent may now be called.
	return out, t.announceRescrub(ctx, lead.CauseConsent, phonesOf(rows, func(r consentRow) string { return r.Phone })...)
}

// Consents lists the org's consent records, newest first, for one number
// when phone is not empty.
func (s *Compliance) Consents(ctx context.Context, phone string, page Page) ([]compliance.ConsentRecord, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]compliance.ConsentRecord, *uuid.UUID, error) { return t.consents(ctx, phone, page) })
}

func (t *tenant) consents(ctx context.Context, phone string, page Page) ([]compliance.ConsentRecord, *uuid.UUID, error) {
	var rows []consentRow
	q := t.Tx.NewSelect().Model(&rows).Where("org_id = ?", t.OrgID())
	if phone != "" {
		q = q.Where("phone = ?", phone)
	}
	if err := page.apply(q).Scan(ctx); err != nil {
		return nil, nil, err
	}
	rows, next := cut(rows, page, func(r consentRow) uuid.UUID { return r.ID })
	out := make([]compliance.ConsentRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.record())
	}
	return out, next, nil
}

// WithdrawConsent records that a callee withdrew consent at `at`: every
// record of the number not yet withdrawn is withdrawn, and every center
// sees it at its next decision. A withdrawal is also an objection (GDPR
// art. 7(3), 21(3)): the number goes on the org's opt-out list in the same
// transaction, unless it is there already. It returns how many records
// changed.
func (s *Compliance) WithdrawConsent(ctx context.Context, phone string, at time.Time) (int, error) {
	return run(ctx, s.db, func(t *tenant) (int, error) { return t.withdrawConsent(ctx, phone, at) })
}

func (t *tenant) withdrawConsent(ctx context.Context, phone string, at time.Time) (int, error) {
	res, err := t.Tx.NewUpdate().Model((*consentRow)(nil)).Set("withdrawn_at = ?", at.UTC()).
		Where("org_id = ? AND phone = ? AND withdrawn_at IS NULL", t.OrgID(), phone).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, apperr.New(apperr.NotFound, "store.consent.none_to_withdraw", "no consent of %s is on record to withdraw", phone)
	}
	if err := t.audit(ctx, "consent.withdraw", "phone", phone, map[string]any{"records": n, "at": at}); err != nil {
		return 0, err
	}
	entry := suppressionRow{ID: newID(), OrgID: t.OrgID(), List: string(t.listOf()), Phone: phone,
		Reason: "consent withdrawn on " + at.UTC().Format(time.RFC3339) + ": a withdrawal is also an objection (GDPR art. 7(3), 21(3))",
		Source: "consent withdrawal", CreatedAt: t.Now}
	added, err := t.Tx.NewInsert().Model(&entry).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return 0, err
	}
	if k, _ := added.RowsAffected(); k > 0 {
		if err := t.audit(ctx, "suppression.add", "suppression_list", string(t.listOf()), map[string]any{"count": 1, "new": k, "source": entry.Source}); err != nil {
			return 0, err
		}
	}
	return int(n), t.announceRescrub(ctx, lead.CauseConsent, phone)
}

type suppressionRow struct {
	bun.BaseModel `bun:"table:suppression_entries"`

	ID        uuid.UUID `bun:"id,pk"`
	OrgID     uuid.UUID `bun:"org_id"`
	List      string    `bun:"list"`
	Phone     string    `bun:"phone"`
	Reason    string    `bun:"reason"`
	Source    string    `bun:"source"`
	CreatedAt time.Time `bun:"created_at"`
}

func (r suppressionRow) entry() compliance.SuppressionEntry {
	return compliance.SuppressionEntry{ID: r.ID, List: compliance.ListKind(r.List), Phone: r.Phone, Reason: r.Reason,
		Source: r.Source, CreatedAt: r.CreatedAt}
}

// listOf is the list the principal's org keeps.
func (t *tenant) listOf() compliance.ListKind { return compliance.ListOf(t.Principal.OrgKind) }

// AddSuppressions puts numbers on the org's list, all or nothing. A number
// already there stays as it was. It returns how many were new.
func (s *Compliance) AddSuppressions(ctx context.Context, region string, items []compliance.NewSuppression) (int, error) {
	return run(ctx, s.db, func(t *tenant) (int, error) { return t.addSuppressions(ctx, region, items) })
}

func (t *tenant) addSuppressions(ctx context.Context, region string, items []compliance.NewSuppression) (int, error) {
	var f apperr.Fields
	rows := make([]suppressionRow, 0, len(items))
	at := t.Now
	for i, item := range items {
		prefix := ""
		if len(items) > 1 {
			prefix = "items[" + strconv.Itoa(i) + "]."
		}
		e, errs := item.Validate(prefix, region)
		f = append(f, errs...)
		rows = append(rows, suppressionRow{ID: newID(), OrgID: t.OrgID(), List: string(t.listOf()), Phone: e.Phone,
			Reason: e.Reason, Source: e.Source, CreatedAt: at})
	}
	if err := f.Err("store.suppressions.invalid", "the numbers are not valid; none was added"); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, apperr.New(apperr.Invalid, "store.suppressions.none", "no number to add")
	}
	res, err := t.Tx.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if err := t.audit(ctx, "suppression.add", "suppression_list", string(t.listOf()), map[string]any{"count": len(rows), "new": n}); err != nil {
		return 0, err
	}
	return int(n), t.announceRescrub(ctx, lead.CauseOptOut, phonesOf(rows, func(r suppressionRow) string { return r.Phone })...)
}

// phonesOf lists the distinct numbers of rows, in order.
func phonesOf[R any](rows []R, phone func(R) string) []string {
	seen := make(map[string]bool, len(rows))
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		if p := phone(r); !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// Suppressions lists the org's list, newest first.
func (s *Compliance) Suppressions(ctx context.Context, page Page) ([]compliance.SuppressionEntry, *uuid.UUID, error) {
	return runPair(ctx, s.db, func(t *tenant) ([]compliance.SuppressionEntry, *uuid.UUID, error) { return t.suppressions(ctx, page) })
}

func (t *tenant) suppressions(ctx context.Context, page Page) ([]compliance.SuppressionEntry, *uuid.UUID, error) {
	var rows []suppressionRow
	if err := page.apply(t.Tx.NewSelect().Model(&rows).Where("org_id = ?", t.OrgID())).Scan(ctx); err != nil {
		return nil, nil, err
	}
	rows, next := cut(rows, page, func(r suppressionRow) uuid.UUID { return r.ID })
	out := make([]compliance.SuppressionEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.entry())
	}
	return out, next, nil
}

// RemoveSuppression takes a number off the org's list.
func (s *Compliance) RemoveSuppression(ctx context.Context, id uuid.UUID) error {
	return do(ctx, s.db, func(t *tenant) error { return t.removeSuppression(ctx, id) })
}

func (t *tenant) removeSuppression(ctx context.Context, id uuid.UUID) error {
	var phones []string
	err := t.Tx.NewDelete().Model((*suppressionRow)(nil)).Where("id = ? AND org_id = ?", id, t.OrgID()).
		Returning("phone").Scan(ctx, &phones)
	if err != nil && !isNoRows(err) {
		return err
	}
	if len(phones) == 0 {
		return apperr.New(apperr.NotFound, "store.suppression.not_found", "suppression entry not found")
	}
	if err := t.audit(ctx, "suppression.remove", "suppression_entry", id.String(), nil); err != nil {
		return err
	}
	// A lead blocked for this opt-out may now be called.
	return t.announceRescrub(ctx, lead.CauseOptOut, phones...)
}

// Screening is what the stores know of a callee for the principal's org:
// its consents to this client and the lists it is on; for a dial, also the
// client's calls to it from every center — each an attempt, whatever its
// result — and the times the callee refused.
type Screening struct {
	Consents     []compliance.Consent
	Suppressions []compliance.ListKind
	Attempts     []compliance.Attempt
	Refusals     []time.Time
}

// screenQuery reads what the stores know of numbers in one query, a row
// per fact: each consent of the client's ('consent'), each list a number
// is on ('list': the client's own opt-outs, and the platform's list,
// which is shared by every org, so read across orgs) and, with calls,
// each call of the client's to it from any center ('call'). The columns
// a fact has no use for are empty. phones is the condition a row's
// number meets (anyOf), written after each "phone".
func screenQuery(phones string, calls bool) string {
	q := `
SELECT 'consent' AS fact, phone, id, source, captured_at AS at, proof_ref, kinds, withdrawn_at, created_at,
       '' AS list, '' AS result, '' AS disposition
  FROM consents WHERE org_id = ? AND phone ` + phones + `
UNION ALL
SELECT 'list', phone, id, '', created_at, '', '', NULL, created_at, list, '', ''
  FROM suppression_entries WHERE phone ` + phones + ` AND ((org_id = ? AND list = 'client') OR list = 'platform')`
	if calls {
		q += `
UNION ALL
SELECT 'call', phone, id, '', claimed_at, '', '', NULL, claimed_at, '', result, disposition
  FROM calls WHERE org_id = ? AND phone ` + phones
	}
	return q + "\nORDER BY at"
}

// screenRow is one row of screenQuery.
type screenRow struct {
	Fact        string     `bun:"fact"`
	Phone       string     `bun:"phone"`
	ID          uuid.UUID  `bun:"id"`
	Source      string     `bun:"source"`
	At          time.Time  `bun:"at"` // when a consent was captured, a call claimed
	ProofRef    string     `bun:"proof_ref"`
	Kinds       string     `bun:"kinds"`
	WithdrawnAt *time.Time `bun:"withdrawn_at"`
	CreatedAt   time.Time  `bun:"created_at"`
	List        string     `bun:"list"`
	Result      string     `bun:"result"`
	Disposition string     `bun:"disposition"`
}

// screen gathers the stored facts the engine needs about phone, with the
// client's calls to it when calls is true (a dial's question), in one
// query. The platform's list is shared by every org: it is read across
// orgs, and only whether the number is on it comes back.
func (t *tenant) screen(ctx context.Context, phone string, calls bool) (Screening, error) {
	all, err := t.screenAll(ctx, []string{phone}, calls)
	return all[phone], err
}

// screenAll is screen for several numbers at once, by number.
func (t *tenant) screenAll(ctx context.Context, phones []string, calls bool) (map[string]Screening, error) {
	match, arg := t.anyOf(phones)
	args := []any{t.OrgID(), arg, arg, t.OrgID()}
	if calls {
		args = append(args, t.OrgID(), arg)
	}
	var rows []screenRow
	if err := t.selectPrepared(ctx, &rows, screenQuery(match, calls), args...); err != nil {
		return nil, err
	}
	all := make(map[string]Screening, len(phones))
	for _, r := range rows {
		s := all[r.Phone]
		switch r.Fact {
		case "consent":
			c := consentRow{ID: r.ID, OrgID: t.OrgID(), Phone: r.Phone, Source: r.Source, CapturedAt: r.At, ProofRef: r.ProofRef,
				Kinds: r.Kinds, WithdrawnAt: r.WithdrawnAt, CreatedAt: r.CreatedAt}
			s.Consents = append(s.Consents, c.record().Consent())
		case "list":
			s.Suppressions = append(s.Suppressions, compliance.ListKind(r.List))
		case "call":
			s.Attempts = append(s.Attempts, compliance.Attempt{At: r.At.UTC(), Result: r.Result})
			if r.Disposition == string(script.Refused) {
				s.Refusals = append(s.Refusals, r.At.UTC())
			}
		}
		all[r.Phone] = s
	}
	return all, nil
}
