package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// A campaign's calls: read by its client (every center's) and by the
// center that placed them, the callee's number masked (the store masks
// it); acted on — dialled, hung up, noted, given an outcome, skipped — by
// the agent who holds the call or a supervisor of its center, anything
// else being 404.

// callView is Call.
type callView struct {
	ID                uuid.UUID         `json:"id"`
	ClientID          uuid.UUID         `json:"client_id"`
	CenterID          uuid.UUID         `json:"center_id"`
	CampaignID        uuid.UUID         `json:"campaign_id"`
	ContractID        *uuid.UUID        `json:"contract_id"`
	LeadID            uuid.UUID         `json:"lead_id"`
	AgentID           *uuid.UUID        `json:"agent_id"`
	Mode              string            `json:"mode"`
	Phone             string            `json:"phone"`
	Country           string            `json:"country"`
	Timezone          string            `json:"timezone"`
	RuleSet           string            `json:"rule_set"`
	DecisionID        uuid.UUID         `json:"decision_id"`
	CallerID          string            `json:"caller_id"`
	ClaimedAt         time.Time         `json:"claimed_at"`
	DialedAt          *time.Time        `json:"dialed_at"`
	RingingAt         *time.Time        `json:"ringing_at"`
	AnsweredAt        *time.Time        `json:"answered_at"`
	BridgedAt         *time.Time        `json:"bridged_at"`
	EndedAt           *time.Time        `json:"ended_at"`
	Result            string            `json:"result"`
	Cause             string            `json:"cause"`
	TalkSeconds       int               `json:"talk_seconds"`
	Disposition       string            `json:"disposition"`
	DispositionFields map[string]string `json:"disposition_fields"`
	ScriptVersion     int               `json:"script_version"`
	ScriptPath        []string          `json:"script_path"`
	Notes             string            `json:"notes"`
	Recorded          bool              `json:"recorded"` // the reference stays inside: where the platform keeps the audio is its own
}

func callOf(k call.Call) callView {
	v := callView{ID: k.ID, ClientID: k.ClientID, CenterID: k.CenterID, CampaignID: k.CampaignID, ContractID: k.ContractID,
		LeadID: k.LeadID, AgentID: k.AgentID, Mode: string(k.Mode), Phone: k.Phone, Country: k.Country, Timezone: k.Timezone,
		RuleSet: k.RuleSet, DecisionID: k.DecisionID, CallerID: k.CallerID, ClaimedAt: k.ClaimedAt, DialedAt: k.DialedAt,
		RingingAt: k.RingingAt, AnsweredAt: k.AnsweredAt, BridgedAt: k.BridgedAt, EndedAt: k.EndedAt, Result: string(k.Result),
		Cause: k.Cause, TalkSeconds: k.TalkSeconds, Disposition: string(k.Disposition), DispositionFields: k.DispositionFields,
		ScriptVersion: k.ScriptVersion, ScriptPath: k.ScriptPath, Notes: k.Notes, Recorded: k.Recording != ""}
	if v.DispositionFields == nil {
		v.DispositionFields = map[string]string{}
	}
	if v.ScriptPath == nil {
		v.ScriptPath = []string{}
	}
	return v
}

func (a *API) campaignCalls(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return list(func(ctx context.Context, page store.Page) ([]call.Call, *uuid.UUID, error) {
		return a.d.Calls.List(ctx, id, page)
	}, callOf)(c)
}

func (a *API) leadCalls(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	leadID, err := pathID(c, "lead_id")
	if err != nil {
		return err
	}
	return list(func(ctx context.Context, page store.Page) ([]call.Call, *uuid.UUID, error) {
		return a.d.Calls.ForLead(ctx, id, leadID, page)
	}, callOf)(c)
}

func (a *API) call(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (callView, error) {
		k, err := a.d.Calls.Get(ctx, id)
		return callOf(k), err
	})
}

// Recordings reads a recording back by the reference its call keeps
// (pkg/recordings).
type Recordings interface {
	Open(ctx context.Context, ref string) (io.ReadCloser, error)
}

// recording streams the call's recording, a WAV, to whoever may read the
// call and hear recordings (its client, its center's supervisors); a call
// not recorded is 404 like one out of reach. Each hearing is audited.
func (a *API) recording(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	k, err := a.d.Calls.Get(ctx, id)
	if err != nil {
		return err
	}
	if k.Recording == "" || a.d.Recordings == nil {
		return apperr.New(apperr.NotFound, "api.call.not_recorded", "the call was not recorded")
	}
	r, err := a.d.Recordings.Open(ctx, k.Recording)
	if apperr.Is(err, apperr.NotFound) { // purged, or kept elsewhere: where is not the caller's business
		return apperr.New(apperr.NotFound, "api.call.recording_gone", "the call's recording is no longer kept")
	}
	if err != nil {
		return err
	}
	if err := a.d.Tenancy.Record(ctx, "call.recording.read", "call", id.String()); err != nil {
		return errors.Join(err, r.Close())
	}
	c.Set(fiber.HeaderContentType, "audio/wav")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": id.String() + ".wav"}))
	return c.SendStream(r) // fasthttp closes r once sent
}

// ask answers 202 once the call's pacer was asked to do what request
// says (dial a preview call, hang up): it does it on its next tick, in
// whichever process paces the campaign.
func (a *API) ask(request func(ctx context.Context, callID uuid.UUID) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		if err := request(c.UserContext(), id); err != nil {
			return err
		}
		c.Status(fiber.StatusAccepted) // no body: the event stream tells what came of it
		return nil
	}
}

func (a *API) dispose(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var o call.Outcome // Outcome
	if err := fiberhttp.DecodeJSON(c, &o); err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (callView, error) {
		k, err := a.d.Calls.Dispose(ctx, id, o)
		return callOf(k), err
	})
}

// skipInput is Skip: why the agent gives the lead back.
type skipInput struct {
	Reason string `json:"reason"`
}

func (a *API) skip(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in skipInput
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.d.Calls.Skip(c.UserContext(), id, in.Reason); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// notesInput is Notes: the call's notes, whole.
type notesInput struct {
	Notes string `json:"notes"`
}

func (a *API) note(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in notesInput
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.d.Calls.Note(c.UserContext(), id, in.Notes); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
