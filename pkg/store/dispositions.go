package store

import (
	"cmp"
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/phone"
	"github.com/plateau-bpo/plateau/pkg/presence"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type callbackRow struct {
	bun.BaseModel `bun:"table:callbacks,alias:cb"`

	ID         uuid.UUID  `bun:"id,pk"`
	OrgID      uuid.UUID  `bun:"org_id"`
	CenterID   uuid.UUID  `bun:"center_id"`
	CampaignID uuid.UUID  `bun:"campaign_id"`
	LeadID     uuid.UUID  `bun:"lead_id"`
	CallID     *uuid.UUID `bun:"call_id"`
	OwnerID    *uuid.UUID `bun:"owner_id"`
	DueAt      time.Time  `bun:"due_at"`
	Timezone   string     `bun:"timezone"`
	Status     string     `bun:"status"`
	CreatedAt  time.Time  `bun:"created_at"`
}

// callbackPending is a callback promised and not yet made; its lead waits
// in the queue's callback band until it is due.
const callbackPending = "pending"

// Dispose records the outcome of a call, once, for the agent who holds it
// or a supervisor of its center, and settles its lead, which the answered
// call left held in the queue: a refusal ends it (the refusal itself
// blocks the number for the cooling-off period, through the client's
// history); do_not_call puts the number on the client's opt-out list and
// ends it; a callback, once the compliance engine allows its time, is
// promised and its lead waits in the queue's callback band until then;
// any other outcome ends the lead. The work is the client's (its queue,
// lists and evidence): after the principal's right is checked, it is done
// in the client's name, the disposer's label in its audit trail. The call
// comes back as the center sees it.
func (s *Calls) Dispose(ctx context.Context, callID uuid.UUID, o call.Outcome) (call.Call, error) {
	if err := o.Validate(); err != nil {
		return call.Call{}, err
	}
	r, err := run(ctx, s.db, func(t *tenant) (callRow, error) { return t.disposable(ctx, callID, &o) })
	if err != nil {
		return call.Call{}, err
	}
	client := s.forClient(ctx, r, "disposition")
	if o.Callback != nil {
		if err := s.checkCallback(client, r, *o.Callback); err != nil {
			return call.Call{}, err
		}
	}
	k, err := run(client, s.db, func(t *tenant) (call.Call, error) { return t.dispose(client, r, o) })
	k.Phone = phone.Mask(k.Phone)
	return k, err
}

// forClient is ctx acting for call r's client, for task done by the
// principal in ctx (its label kept in the audit trail).
func (s *Calls) forClient(ctx context.Context, r callRow, task string) context.Context {
	p, _ := tenancy.PrincipalFrom(ctx) // the principal was checked by the use case's first transaction
	return actingFor(ctx, r.OrgID, tenancy.KindClient, task+" by "+p.Label)
}

// heldCall reads a call of the principal's center that the principal may
// act on: an agent its own calls, a supervisor any of the center's.
// Anything else is not found.
func (t *tenant) heldCall(ctx context.Context, callID uuid.UUID) (callRow, error) {
	var r callRow
	manages, err := t.may(ctx, tenancy.PermFloorManage)
	if err != nil {
		return r, err
	}
	q := t.Tx.NewSelect().Model(&r).Where("k.id = ? AND k.center_id = ?", callID, t.OrgID())
	if !manages {
		agent, err := t.agentSelf(ctx)
		if err != nil {
			return r, err
		}
		q.Where("k.agent_id = ?", agent)
	}
	if err := q.Scan(ctx); isNoRows(err) {
		return r, errCallNotFound()
	} else if err != nil {
		return r, err
	}
	return r, nil
}

// disposable is the call the principal may record o for: held by it,
// answered, without an outcome yet. A callback's zone defaults to the
// call's; its owner must be an agent of the center; its time must come.
func (t *tenant) disposable(ctx context.Context, callID uuid.UUID, o *call.Outcome) (callRow, error) {
	r, err := t.heldCall(ctx, callID)
	if err != nil {
		return r, err
	}
	if r.Disposition != "" {
		return r, errDisposed(r.Disposition)
	}
	if r.AnsweredAt == nil {
		return r, apperr.New(apperr.Conflict, "store.call.not_answered", "the call was not answered: what came of it is the dialer's to say")
	}
	if o.Callback == nil {
		return r, nil
	}
	cb := *o.Callback
	cb.Zone = cmp.Or(cb.Zone, r.Timezone, "UTC")
	o.Callback = &cb
	if !cb.At.After(t.Now) {
		return r, apperr.InvalidFields("store.callback.invalid", "the callback is not valid",
			apperr.Field("callback.at", "store.callback.past", "must be a time to come"))
	}
	if cb.Owner != nil {
		if err := t.centerAgent(ctx, *cb.Owner); err != nil {
			return r, apperr.InvalidFields("store.callback.invalid", "the callback is not valid",
				apperr.Field("callback.owner", "store.callback.owner_unknown", "is not an agent of your center"))
		}
	}
	return r, nil
}

func errDisposed(d string) error {
	return apperr.New(apperr.Conflict, "store.call.disposed", "the call's outcome was already recorded (%s)", script.Disposition(d))
}

// checkCallback asks the compliance engine, in the client's scope (ctx),
// whether call r's lead may be called at the callback's time, keeping the
// decision as evidence whatever it is; a refusal says why and, when there
// is one, the next allowed time in the callee's zone.
func (s *Calls) checkCallback(ctx context.Context, r callRow, cb call.CallbackRequest) error {
	d, err := run(ctx, s.db, func(t *tenant) (compliance.Decision, error) {
		c, err := t.campaign(ctx, r.CampaignID)
		if err != nil {
			return compliance.Decision{}, err
		}
		l, err := t.queuedLead(ctx, queueRow{CampaignID: r.CampaignID, LeadID: r.LeadID})
		if err != nil {
			return compliance.Decision{}, err
		}
		return t.decideDial(ctx, s.lists, c, l, r.CallerID, compliance.PurposeCallback, cb.At)
	})
	if err != nil || d.Allowed {
		return err
	}
	zone, _ := time.LoadLocation(cb.Zone) // checked by Outcome.Validate
	const shown = "2006-01-02 15:04 MST"
	why := apperr.Field("callback.at", "store.callback.not_allowed", "a callback at %s is not allowed: %s",
		cb.At.In(zone).Format(shown), d.Reason)
	if d.NextAllowedAt != nil {
		why = apperr.Field("callback.at", "store.callback.not_allowed_until", "a callback at %s is not allowed: %s; the next allowed time is %s",
			cb.At.In(zone).Format(shown), d.Reason, d.NextAllowedAt.In(zone).Format(shown))
	}
	return apperr.InvalidFields("store.callback.refused", "the calling rules refuse this callback", why)
}

// dispose writes o on call r, once, and settles its lead, in the client's
// scope.
func (t *tenant) dispose(ctx context.Context, r callRow, o call.Outcome) (call.Call, error) {
	var fields, path *string
	if len(o.Fields) > 0 {
		fields = jsonText(o.Fields)
	}
	if len(o.ScriptPath) > 0 {
		path = jsonText(o.ScriptPath)
	}
	var got callRow
	err := t.Tx.NewUpdate().Model(&got).
		Set("disposition = ?, disposition_fields = ?, script_version = ?, script_path = ?", o.Disposition, fields, o.ScriptVersion, path).
		Set("notes = CASE WHEN ? = '' THEN notes ELSE ? END", o.Notes, strings.TrimSpace(o.Notes)).
		Where("id = ? AND org_id = ? AND disposition = ''", r.ID, t.OrgID()).Returning("*").Scan(ctx)
	if isNoRows(err) {
		return call.Call{}, errDisposed(string(o.Disposition))
	}
	if err != nil {
		return call.Call{}, err
	}
	switch o.Disposition {
	case script.Callback:
		err = t.promiseCallback(ctx, got, *o.Callback)
	case script.DoNotCall:
		err = t.optOut(ctx, got)
	default:
		err = t.finishLead(ctx, got, lead.Done)
	}
	if err == nil {
		err = t.audit(ctx, "call.dispose", "call", got.ID.String(), map[string]any{"disposition": o.Disposition, "lead": got.LeadID})
	}
	if err != nil {
		return call.Call{}, err
	}
	return got.call()
}

// optOut puts the number of call r on the client's opt-out list, as the
// client's own list use case does (with its audit and the rescreening of
// the client's other leads), and ends the lead.
func (t *tenant) optOut(ctx context.Context, r callRow) error {
	entry := compliance.NewSuppression{Phone: r.Phone, Source: "call " + r.ID.String(),
		Reason: "the callee asked not to be called again (disposition " + string(script.DoNotCall) + ")"}
	if _, err := t.addSuppressions(ctx, r.Country, []compliance.NewSuppression{entry}); err != nil {
		return err
	}
	return t.finishLead(ctx, r, lead.Done)
}

// promiseCallback records the callback promised on call r and puts its
// lead back in the queue's callback band, due at its time, for the same
// contract and its owner; the claim then asks the rules again.
func (t *tenant) promiseCallback(ctx context.Context, r callRow, cb call.CallbackRequest) error {
	row := callbackRow{ID: newID(), OrgID: r.OrgID, CenterID: r.CenterID, CampaignID: r.CampaignID, LeadID: r.LeadID,
		CallID: &r.ID, OwnerID: cb.Owner, DueAt: cb.At.UTC(), Timezone: cb.Zone, Status: callbackPending, CreatedAt: t.Now}
	if _, err := t.Tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return err
	}
	res, err := t.Tx.NewUpdate().Model((*queueRow)(nil)).
		Set("holder = NULL, lease_until = NULL, band = ?, due_at = ?, owner_id = ?", int(dispatch.Callback), cb.At.UTC(), cb.Owner).
		Where("campaign_id = ? AND lead_id = ? AND holder = ?", r.CampaignID, r.LeadID, r.ID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // the lead is no longer this call's: the callback is kept, the queue left as it is
	}
	return t.setLeadStatus(ctx, lead.Lead{ID: r.LeadID, CampaignID: r.CampaignID}, lead.Callback, nil)
}

// maxSkipReason is the longest reason a skip keeps.
const maxSkipReason = 200

// Skip gives back a preview lead the agent chose not to dial, with why.
// The call was claimed but never placed: it is not an attempt, so its row
// is deleted (attempts and caps count call rows) and the skip is kept in
// the client's audit trail with the agent and the reason. The lead goes
// back to the queue in its band, behind the work already due; the agent
// reserved for it is ready again.
func (s *Calls) Skip(ctx context.Context, callID uuid.UUID, reason string) error {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > maxSkipReason {
		return apperr.InvalidFields("store.skip.invalid", "the skip is not valid",
			apperr.Field("reason", "store.skip.reason", "is required, at most %d characters", maxSkipReason))
	}
	r, client, err := s.undialled(ctx, callID, "preview skip")
	if err != nil {
		return err
	}
	if err := do(client, s.db, func(t *tenant) error { return t.skip(client, r, reason) }); err != nil {
		return err
	}
	return do(ctx, s.db, func(t *tenant) error { return t.unreserve(ctx, r) })
}

// unreserve makes the agent reserved for the undialled call r ready again,
// in the scope of r's center; an agent who moved on since is left as it is.
func (t *tenant) unreserve(ctx context.Context, r callRow) error {
	if r.AgentID == nil {
		return nil
	}
	cur, err := t.presenceOf(ctx, *r.AgentID, true)
	if err != nil || cur.State != presence.Reserved || !sameID(cur.CallID, &r.ID) {
		return err
	}
	_, err = t.engage(ctx, *r.AgentID, r, presence.Ready)
	return err
}

// Release gives back, in the client's name, the lead of a call claimed
// and never dialled — the engine's claim for an agent who went away before
// the dial — as Skip does for an agent: the call is no attempt, its row
// goes, the release is audited with reason, the lead returns to the queue.
// Moving the agent is the engine's (Presence.Engage).
func (s *Calls) Release(ctx context.Context, callID uuid.UUID, reason string) error {
	return do(ctx, s.db, func(t *tenant) error {
		var r callRow
		err := t.Tx.NewSelect().Model(&r).Where("k.id = ? AND k.org_id = ?", callID, t.OrgID()).Scan(ctx)
		if isNoRows(err) {
			return errCallNotFound()
		}
		if err != nil {
			return err
		}
		return t.skip(ctx, r, reason)
	})
}

// skip deletes the undialled call r and returns its lead to the queue, in
// the client's scope.
func (t *tenant) skip(ctx context.Context, r callRow, reason string) error {
	res, err := t.Tx.NewDelete().Model((*callRow)(nil)).
		Where("id = ? AND org_id = ? AND dialed_at IS NULL AND ended_at IS NULL", r.ID, t.OrgID()).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errDialed()
	}
	var q queueRow
	err = t.Tx.NewUpdate().Model(&q).Set("holder = NULL, lease_until = NULL, due_at = ?", t.Now).
		Where("campaign_id = ? AND lead_id = ? AND holder = ?", r.CampaignID, r.LeadID, r.ID).Returning("*").Scan(ctx)
	if err != nil && !isNoRows(err) {
		return err
	}
	if err == nil {
		status := map[dispatch.Band]lead.Status{dispatch.Callback: lead.Callback, dispatch.Fresh: lead.Ready, dispatch.Retry: lead.Retry}[dispatch.Band(q.Band)]
		if err := t.setLeadStatus(ctx, lead.Lead{ID: r.LeadID, CampaignID: r.CampaignID}, status, nil); err != nil {
			return err
		}
	}
	return t.audit(ctx, "call.skip", "lead", r.LeadID.String(), map[string]any{"call": r.ID, "agent": r.AgentID, "reason": reason})
}

// Note writes the notes of a call the principal holds (an agent its own,
// a supervisor its center's), during the call or after it.
func (s *Calls) Note(ctx context.Context, callID uuid.UUID, notes string) error {
	notes = strings.TrimSpace(notes)
	if err := call.ValidateNotes(notes); err != nil {
		return err
	}
	return do(ctx, s.db, func(t *tenant) error {
		r, err := t.heldCall(ctx, callID)
		if err != nil {
			return err
		}
		_, err = t.Tx.NewUpdate().Model((*callRow)(nil)).Set("notes = ?", notes).Where("id = ? AND center_id = ?", r.ID, t.OrgID()).Exec(ctx)
		return err
	})
}
