package store

import (
	"cmp"
	"context"
	"errors"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/cdr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// CDRs is the use case of a center that keeps its own dialer (a VICIdial
// or Asterisk floor): it sends the call detail records of the calls
// Plateau let it place, and each ends its call as our own dialer's end
// would, its lead settled or retried alike.
//
// A record is matched to its call by the call id Plateau issued, when the
// dialer carried it; otherwise by campaign, number and time: the call of
// that campaign to that number the center claimed last before the record's
// start. A record for which no call was issued is never stored as a new
// attempt, even when a lead of the campaign has its number: every attempt
// passes the compliance decision a claim makes, and a center's dialer may
// not skip it. A record counts once per center and external id: sending a
// file again changes nothing, its rows already recorded.
type CDRs struct {
	db    *DB
	retry dispatch.RetryPolicy
}

// cdrChunk is how many records one round of matching and ending takes.
const cdrChunk = 500

// Matching by number looks for a call claimed from claimBefore before the
// record's start to clockSkew after it: a claim precedes its dial by its
// lease (renewed while an agent previews the lead), and the dialer's clock
// may run a little behind ours.
const (
	claimBefore = time.Hour
	clockSkew   = 5 * time.Minute
)

// CDRRow is a row of a CDR source that was not recorded, and why.
type CDRRow struct {
	Line       int    // its line in a file; 0 in a batch
	Index      int    // its index in a batch's cdrs; -1 in a file
	ExternalID string // the dialer's id of the call, when the row has one
	// Problem says why, as an *apperr.Error the front doors say in the
	// reader's language.
	Problem error
}

// Row is where the row is: its index in a batch, or its line in a file.
func (r CDRRow) Row() int {
	if r.Index >= 0 {
		return r.Index
	}
	return r.Line
}

// CDRReport is what an ingest did with each row: recorded (a call ended
// by it), already recorded (sent before), unmatched or malformed — every
// row is in one of them.
type CDRReport struct {
	Recorded        int
	AlreadyRecorded int
	Unmatched       []CDRRow
	Malformed       []CDRRow
}

// Ingest records the call detail records for the center acting, a chunk
// at a time. campaignID, when it is not uuid.Nil, is the campaign of the
// records that do not carry a call id; otherwise a record's campaign code
// must be the campaign's id. A row that cannot be read is malformed, a
// record no call of the center matches is unmatched, and the rest go on.
// A source that cannot be read past some point (a JSON batch that breaks
// off) stops the ingest with its error, what came before it recorded.
//
// The matching runs in the center's scope: only its own calls, of
// campaigns it holds a contract on, can match. Ending a call and settling
// its lead then runs in the scope of the campaign's client, as the
// engine's own dispatch does.
func (s *CDRs) Ingest(ctx context.Context, campaignID uuid.UUID, records iter.Seq2[cdr.Record, error]) (CDRReport, error) {
	var rep CDRReport
	center, err := tenancy.PrincipalFrom(ctx)
	if err != nil {
		return rep, err
	}
	if err := do(ctx, s.db, func(t *tenant) error { return t.mayRecordCDRs(ctx) }); err != nil {
		return rep, err
	}
	chunk := make([]cdr.Record, 0, cdrChunk)
	flush := func() error {
		err := s.ingestChunk(ctx, center, campaignID, chunk, &rep)
		chunk = chunk[:0]
		return err
	}
	for rec, err := range records {
		var row *cdr.RowError
		switch {
		case errors.As(err, &row):
			rep.Malformed = append(rep.Malformed, CDRRow{Line: row.Line, Index: row.Index, ExternalID: row.ExternalID, Problem: row.Unwrap()})
		case err != nil:
			return rep, errors.Join(flush(), err)
		default:
			if chunk = append(chunk, rec); len(chunk) == cdrChunk {
				if err := flush(); err != nil {
					return rep, err
				}
			}
		}
	}
	return rep, flush()
}

// mayRecordCDRs refuses whoever is not a center allowed to send its
// dialer's records.
func (t *tenant) mayRecordCDRs(ctx context.Context) error {
	if t.Principal.OrgKind != tenancy.KindCenter {
		return apperr.New(apperr.Forbidden, "store.cdr.center_only",
			"call detail records are sent by the center whose dialer placed the calls")
	}
	return t.require(ctx, tenancy.PermCDRsWrite)
}

// ingestChunk matches a chunk in the center's scope, then ends the
// matched calls in each client's.
func (s *CDRs) ingestChunk(ctx context.Context, center tenancy.Principal, campaignID uuid.UUID, recs []cdr.Record, rep *CDRReport) error {
	if len(recs) == 0 {
		return nil
	}
	matches, err := run(ctx, s.db, func(t *tenant) ([]cdrMatch, error) { return t.matchCDRs(ctx, campaignID, recs) })
	if err != nil {
		return err
	}
	ends := map[uuid.UUID][]callEnd{} // client → the ends of its calls
	for _, m := range matches {
		if !m.already && m.problem == nil {
			ends[m.client] = append(ends[m.client], m.end(center.OrgID))
		}
	}
	closed := map[uuid.UUID]bool{}
	for _, client := range slices.SortedFunc(maps.Keys(ends), func(a, b uuid.UUID) int { return cmp.Compare(a.String(), b.String()) }) {
		engine := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(tenancy.Org{ID: client, Kind: tenancy.KindClient}, "cdr:"+center.OrgID.String()))
		rows, err := run(engine, s.db, func(t *tenant) ([]callRow, error) { return t.endCalls(engine, s.retry, ends[client]) })
		if err != nil {
			return err
		}
		for _, r := range rows {
			closed[r.ID] = true
		}
	}
	for _, m := range matches {
		switch {
		case m.already:
			rep.AlreadyRecorded++
		case m.problem != nil:
			rep.Unmatched = append(rep.Unmatched, CDRRow{Line: m.rec.Line, Index: m.rec.Index, ExternalID: m.rec.ExternalID, Problem: m.problem})
		case closed[m.call]:
			rep.Recorded++
		default: // it ended in between, by another path
			rep.Unmatched = append(rep.Unmatched, CDRRow{Line: m.rec.Line, Index: m.rec.Index, ExternalID: m.rec.ExternalID, Problem: errCallEnded()})
		}
	}
	return nil
}

// cdrMatch is what matching made of a record: already recorded, a
// problem, or the call it ends.
type cdrMatch struct {
	rec     cdr.Record
	already bool
	problem error
	call    uuid.UUID
	client  uuid.UUID // the call's client, in whose scope it ends
}

// end is the call's end as the record says it.
func (m cdrMatch) end(center uuid.UUID) callEnd {
	e := callEnd{Event: dialing.Event{CallID: m.call, Kind: dialing.EventEnded, At: m.rec.End, Result: m.rec.Result, Cause: m.rec.Cause},
		ExternalID: &m.rec.ExternalID, Center: &center}
	if !m.rec.Start.IsZero() {
		e.DialedAt = &m.rec.Start
	}
	if !m.rec.Answer.IsZero() {
		e.AnsweredAt = &m.rec.Answer
	}
	return e
}

// numberKey names the calls of a campaign to a number.
type numberKey struct {
	campaign uuid.UUID
	phone    string
}

// matchCDRs finds the call of each record among the center's calls on the
// campaigns it holds a contract on, in a few queries for the whole chunk.
func (t *tenant) matchCDRs(ctx context.Context, campaignID uuid.UUID, recs []cdr.Record) ([]cdrMatch, error) {
	if err := t.mayRecordCDRs(ctx); err != nil {
		return nil, err
	}
	known, err := t.knownCDRs(ctx, recs)
	if err != nil {
		return nil, err
	}
	campaignOf := func(rec cdr.Record) (uuid.UUID, bool) {
		if campaignID != uuid.Nil {
			return campaignID, true
		}
		id, err := uuid.Parse(rec.Campaign)
		return id, err == nil
	}
	var ids []uuid.UUID
	var numbers []numberKey
	for _, rec := range recs {
		if rec.CallID != uuid.Nil {
			ids = append(ids, rec.CallID)
			continue
		}
		c, ok := campaignOf(rec)
		if !ok || rec.To == "" {
			continue
		}
		numbers = append(numbers, numberKey{c, rec.To})
	}
	calls, err := t.contractedCalls(ctx, ids, numbers)
	if err != nil {
		return nil, err
	}
	byID := map[uuid.UUID]callRow{}
	byNumber := map[numberKey][]callRow{}
	for _, r := range calls {
		byID[r.ID] = r
		k := numberKey{r.CampaignID, r.Phone}
		byNumber[k] = append(byNumber[k], r)
	}

	out := make([]cdrMatch, len(recs))
	seen := map[string]bool{}
	used := map[uuid.UUID]bool{}
	var noCall []int // records of a number no call matched: was a lead there?
	for i, rec := range recs {
		m := cdrMatch{rec: rec}
		var r callRow
		var found bool
		switch {
		case known[rec.ExternalID] || seen[rec.ExternalID]:
			m.already = true
		case rec.CallID != uuid.Nil:
			if r, found = byID[rec.CallID]; !found {
				m.problem = apperr.New(apperr.NotFound, "store.cdr.call_unknown",
					"no call %s was issued to this center: the call id the dialer carried is not one Plateau gave it", rec.CallID)
			}
		default:
			c, ok := campaignOf(rec)
			if !ok {
				m.problem = apperr.New(apperr.Invalid, "store.cdr.campaign_unknown",
					"the record carries neither Plateau's call id nor a campaign: name the campaign its calls belong to")
				break
			}
			if r, found = pickCall(byNumber[numberKey{c, rec.To}], rec.Start, used); !found {
				noCall = append(noCall, i)
			}
		}
		if found {
			switch {
			case r.ExternalID != nil:
				m.problem = apperr.New(apperr.Conflict, "store.cdr.call_recorded",
					"the call %s already has its record from the dialer (%s)", r.ID, *r.ExternalID)
			case used[r.ID]:
				m.problem = apperr.New(apperr.Conflict, "store.cdr.call_twice", "another record of the same source ends the same call %s", r.ID)
			case r.EndedAt != nil:
				m.problem = errCallEnded()
			default:
				m.call, m.client = r.ID, r.OrgID
				used[r.ID] = true
			}
		}
		seen[rec.ExternalID] = true
		out[i] = m
	}
	return out, t.explainNoCall(ctx, out, noCall, campaignOf)
}

func errCallEnded() error {
	return apperr.New(apperr.Conflict, "store.cdr.call_ended",
		"the call had already ended before this record came (its lease lapsed, or another record ended it): it is kept as it ended")
}

// knownCDRs are the external ids of recs the center recorded before.
func (t *tenant) knownCDRs(ctx context.Context, recs []cdr.Record) (map[string]bool, error) {
	ext := make([]string, len(recs))
	for i, rec := range recs {
		ext[i] = rec.ExternalID
	}
	var have []string
	if err := t.Tx.NewSelect().Model((*callRow)(nil)).Column("external_id").
		Where("center_id = ? AND external_id IN (?)", t.OrgID(), bun.List(ext)).Scan(ctx, &have); err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(have))
	for _, e := range have {
		known[e] = true
	}
	return known, nil
}

// contractedCalls reads the center's calls that have one of ids, or that
// called one of numbers' clients' numbers, on campaigns it holds a
// contract on.
func (t *tenant) contractedCalls(ctx context.Context, ids []uuid.UUID, numbers []numberKey) ([]callRow, error) {
	var calls []callRow
	contracted := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Join("JOIN contracts AS c ON c.id = k.contract_id AND c.center_id = ?", t.OrgID()).Where("k.center_id = ?", t.OrgID())
	}
	if len(ids) > 0 {
		if err := contracted(t.Tx.NewSelect().Model(&calls)).Where("k.id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
			return nil, err
		}
	}
	if len(numbers) == 0 {
		return calls, nil
	}
	campaigns, phones := map[uuid.UUID]bool{}, map[string]bool{}
	for _, n := range numbers {
		campaigns[n.campaign], phones[n.phone] = true, true
	}
	// The client's calls to a number are indexed by the client first
	// (calls_attempts): find the campaigns' clients.
	var clients []uuid.UUID
	if err := t.Tx.NewSelect().Model((*contractRow)(nil)).Distinct().Column("org_id").
		Where("center_id = ? AND campaign_id IN (?)", t.OrgID(), bun.List(slices.Collect(maps.Keys(campaigns)))).Scan(ctx, &clients); err != nil {
		return nil, err
	}
	if len(clients) == 0 {
		return calls, nil
	}
	// By client and number alone (calls_attempts), a few calls each: the
	// caller sorts out campaigns and times. A campaign's calls in a time
	// window may be all of them, and the planner, its statistics behind a
	// floor's fresh calls, would read them all for every chunk.
	var near []callRow
	err := contracted(t.Tx.NewSelect().Model(&near)).
		Where("k.org_id IN (?) AND k.phone IN (?)", bun.List(clients), bun.List(slices.Collect(maps.Keys(phones)))).
		Scan(ctx)
	return append(calls, near...), err
}

// pickCall is the call of a record that carries no call id: among the
// calls of its campaign to its number claimed from an hour before its
// start to clockSkew after it, and that no record of the dialer ended, the
// last one claimed — one another record of this chunk did not take first,
// then an open one first. What it returns may be taken or ended: the
// caller says so.
func pickCall(calls []callRow, start time.Time, used map[uuid.UUID]bool) (callRow, bool) {
	var best callRow
	found := false
	rank := func(r callRow) int { // higher is better
		n := 0
		if !used[r.ID] {
			n += 2
		}
		if r.EndedAt == nil {
			n++
		}
		return n
	}
	for _, r := range calls {
		if r.ExternalID != nil || r.ClaimedAt.After(start.Add(clockSkew)) || r.ClaimedAt.Before(start.Add(-claimBefore)) {
			continue
		}
		if !found || rank(r) > rank(best) || rank(r) == rank(best) && r.ClaimedAt.After(best.ClaimedAt) {
			best, found = r, true
		}
	}
	return best, found
}

// explainNoCall says why the records at idx matched no call: a lead of
// the campaign has the number, but no call was issued for it; or the
// campaign has no such number at all.
func (t *tenant) explainNoCall(ctx context.Context, out []cdrMatch, idx []int, campaignOf func(cdr.Record) (uuid.UUID, bool)) error {
	if len(idx) == 0 {
		return nil
	}
	campaigns, phones := map[uuid.UUID]bool{}, map[string]bool{}
	for _, i := range idx {
		c, _ := campaignOf(out[i].rec)
		campaigns[c], phones[out[i].rec.To] = true, true
	}
	var leads []struct {
		CampaignID uuid.UUID `bun:"campaign_id"`
		Phone      string    `bun:"phone"`
	}
	if err := t.Tx.NewSelect().Model((*leadRow)(nil)).ColumnExpr("l.campaign_id, l.phone").
		Join("JOIN contracts AS c ON c.campaign_id = l.campaign_id AND c.center_id = ?", t.OrgID()).
		Where("l.campaign_id IN (?) AND l.phone IN (?)", bun.List(slices.Collect(maps.Keys(campaigns))), bun.List(slices.Collect(maps.Keys(phones)))).
		Scan(ctx, &leads); err != nil {
		return err
	}
	isLead := map[numberKey]bool{}
	for _, l := range leads {
		isLead[numberKey{l.CampaignID, l.Phone}] = true
	}
	for _, i := range idx {
		c, _ := campaignOf(out[i].rec)
		if isLead[numberKey{c, out[i].rec.To}] {
			out[i].problem = apperr.New(apperr.Conflict, "store.cdr.no_call_for_lead",
				"no call was issued for this lead near %s: a center's dialer may only place the calls Plateau allowed (a claim), so this attempt is not recorded",
				out[i].rec.Start.UTC().Format(time.RFC3339))
		} else {
			out[i].problem = apperr.New(apperr.NotFound, "store.cdr.no_call",
				"no call of the campaign to %s was issued to this center near %s", out[i].rec.To, out[i].rec.Start.UTC().Format(time.RFC3339))
		}
	}
	return nil
}
