// Package api is the REST API front door, /api/v1: the principal, its org,
// its people, its API keys, its audit trail, the compliance engine
// (decisions, consents, suppression lists, evidence, a center's
// data-protection profile), the marketplace (campaigns, offers,
// contracts), a campaign's leads and imports, its calls, and an agent's
// work (presence, the next lead, the call in hand, its outcome, an event
// stream) and its supervisors' floor, and the call detail records of a
// center's own dialer, as JSON for client systems,
// with cursor pagination, an Idempotency-Key on every POST, errors as
// problem+json (written by fiberhttp's error handler) and an OpenAPI 3.1
// document, openapi.json, that the tests hold every real response to.
//
// A handler reads the request, calls one use case of pkg/store, and
// answers its result; who may do what is the policy table's
// (pkg/tenancy), asked by the routes and the use cases. It must not import
// another app, nor reach the database other than through the use cases.
package api

import (
	"context"
	_ "embed"
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/agentfeed"
	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Prefix is where the API is mounted; the OpenAPI document's paths are
// relative to it.
const Prefix = "/api/v1"

//go:embed openapi.json
var openAPIDocument []byte

// Deps are what the API reaches: the server it mounts on, and the use
// cases it calls.
type Deps struct {
	Server *fiberhttp.Server
	// Log receives the failures that cannot reach the caller (an
	// idempotency record that could not be saved); slog.Default() when nil.
	Log         *slog.Logger
	Tenancy     *store.Tenancy
	Campaigns   *store.Campaigns
	Market      *store.Market
	Scripts     *store.Scripts
	Leads       *store.Leads
	Compliance  *store.Compliance
	CDRs        *store.CDRs
	Idempotency *store.Idempotency
	Calls       *store.Calls
	Presence    *store.Presence
	Assignments *store.Assignments
	Agents      *store.Agents
	Trunks      *store.Trunks
	// Recordings reads back the recorded calls' audio; nil when the
	// platform keeps none (a recording is then not found).
	Recordings Recordings
	// Feed carries each agent's events to its event stream; a broker of
	// its own when nil.
	Feed *agentfeed.Broker
}

// API is the /api/v1 front door.
type API struct {
	d   Deps
	s   *fiberhttp.Server
	log *slog.Logger
}

// New builds the API.
func New(d Deps) *API {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Feed == nil {
		d.Feed = &agentfeed.Broker{}
	}
	return &API{d: d, s: d.Server, log: d.Log}
}

// Mount registers the routes under Prefix. Every POST goes through the
// Idempotency-Key handling; openapi.json must describe every route here.
func (a *API) Mount() {
	r := a.s.Group(Prefix)
	post := func(path string, perm tenancy.Permission, h fiber.Handler) {
		r.Post(path, perm, a.idempotent, h)
	}
	ten, comp := a.d.Tenancy, a.d.Compliance
	r.Get("/openapi.json", tenancy.Public, serveOpenAPI)
	r.Get("/me", tenancy.Authenticated, a.me)
	r.Get("/org", tenancy.PermOrgRead, a.org)

	r.Get("/users", tenancy.PermUsersRead, list(ten.Members, userOf))
	post("/users", tenancy.PermUsersWrite, a.createUser)
	r.Get("/users/:id", tenancy.PermUsersRead, a.user)
	r.Patch("/users/:id", tenancy.PermUsersWrite, a.updateUser)
	r.Delete("/users/:id", tenancy.PermUsersWrite, a.removeUser)

	r.Get("/api-keys", tenancy.PermAPIKeysRead, list(ten.APIKeys, apiKeyOf))
	post("/api-keys", tenancy.PermAPIKeysWrite, a.createAPIKey)
	r.Delete("/api-keys/:id", tenancy.PermAPIKeysWrite, a.revokeAPIKey)

	r.Get("/audit-events", tenancy.PermAuditRead, list(ten.AuditEvents, auditEventOf))

	post("/compliance/decisions", tenancy.PermComplianceRead, a.decide)
	r.Get("/compliance/evidence", tenancy.PermComplianceRead, a.evidence)
	r.Get("/compliance/blocks", tenancy.PermComplianceRead, a.blocks)

	r.Get("/consents", tenancy.PermComplianceRead, a.consents)
	post("/consents", tenancy.PermComplianceWrite, a.recordConsents)
	post("/consents/withdraw", tenancy.PermComplianceWrite, a.withdrawConsent)

	r.Get("/suppressions", tenancy.PermComplianceRead, list(comp.Suppressions, suppressionOf))
	post("/suppressions", tenancy.PermComplianceWrite, a.addSuppressions)
	r.Delete("/suppressions/:id", tenancy.PermComplianceWrite, a.removeSuppression)

	// The profile is edited with a PATCH, fields left out staying as they
	// are.
	r.Get("/center-profile", tenancy.PermCenterProfileRead, a.centerProfile)
	r.Patch("/center-profile", tenancy.PermCenterProfileEdit, a.editCenterProfile)

	// The marketplace. /campaigns/requests comes before /campaigns/:id,
	// which would take "requests" for an id; it lists nothing to whoever
	// does not browse requests (requests:read). Moves open to whoever reads
	// campaigns: the use case asks the policy table for the permission
	// each move needs. Offers and contracts are prices: not for agents.
	r.Get("/campaigns", tenancy.PermCampaignsRead, a.campaigns(a.d.Campaigns.List))
	r.Get("/campaigns/requests", tenancy.PermCampaignsRead, a.campaigns(a.d.Campaigns.OpenRequests))
	post("/campaigns", tenancy.PermCampaignsWrite, a.createCampaign)
	r.Get("/campaigns/:id", tenancy.PermCampaignsRead, a.campaign)
	r.Patch("/campaigns/:id", tenancy.PermCampaignsWrite, a.updateCampaign)
	post("/campaigns/:id/transitions", tenancy.PermCampaignsRead, a.moveCampaign)
	r.Get("/campaigns/:id/offers", tenancy.PermPricesRead, a.offers)
	post("/campaigns/:id/offers", tenancy.PermOffersWrite, a.submitOffer)
	r.Get("/campaigns/:id/script", tenancy.PermCampaignsRead, a.script)
	post("/campaigns/:id/script", tenancy.PermCampaignsWrite, a.saveScript)
	r.Get("/campaigns/:id/script/versions", tenancy.PermCampaignsRead, a.scriptVersions)
	post("/campaigns/:id/script/preview", tenancy.PermCampaignsRead, a.previewScript)
	post("/offers/:id/accept", tenancy.PermOffersAccept, a.acceptOffer)
	r.Get("/contracts", tenancy.PermPricesRead, a.contracts)
	post("/contracts/:id/confirm", tenancy.PermContractsConfirm, a.confirmContract)

	// A campaign's leads, and the files they come in. Both POSTs take
	// bodies over the server's 4 MiB: a full batch, and a lead file.
	r.Get("/campaigns/:id/leads", tenancy.PermLeadsRead, a.listLeads)
	r.Upload("/campaigns/:id/leads", tenancy.PermLeadsWrite, maxBatchBody, a.idempotent, a.addLeads)
	r.Get("/campaigns/:id/leads/:lead_id", tenancy.PermLeadsRead, a.lead)
	r.Delete("/campaigns/:id/leads/:lead_id", tenancy.PermLeadsWrite, a.removeLead)
	r.Get("/campaigns/:id/imports", tenancy.PermLeadsRead, a.listImports)
	r.Upload("/campaigns/:id/imports", tenancy.PermLeadsWrite, store.MaxFileSize, a.idempotent, a.uploadImport)
	r.Get("/campaigns/:id/imports/:import_id", tenancy.PermLeadsRead, a.leadImport)
	r.Get("/campaigns/:id/imports/:import_id/report", tenancy.PermLeadsRead, a.importReport)

	// A center's own dialer's call detail records, which end the calls
	// Plateau let it place: a batch of cdr.MaxBatch, or a file of them.
	r.Upload("/cdrs", tenancy.PermCDRsWrite, maxCDRBody, a.idempotent, a.recordCDRs)

	// A campaign's calls, read by its client and the center that placed
	// them; acted on by the agent who holds one, or its supervisors.
	r.Get("/campaigns/:id/calls", tenancy.PermCallsRead, a.campaignCalls)
	r.Get("/campaigns/:id/leads/:lead_id/calls", tenancy.PermCallsRead, a.leadCalls)
	r.Get("/calls/:id", tenancy.PermCallsRead, a.call)
	r.Get("/calls/:id/recording", tenancy.PermRecordingsRead, a.recording)
	post("/calls/:id/dial", tenancy.PermAgentAccess, a.ask(a.d.Calls.RequestDial))
	post("/calls/:id/hangup", tenancy.PermAgentAccess, a.ask(a.d.Calls.RequestHangup))
	post("/calls/:id/disposition", tenancy.PermAgentAccess, a.dispose)
	post("/calls/:id/skip", tenancy.PermAgentAccess, a.skip)
	r.Put("/calls/:id/notes", tenancy.PermAgentAccess, a.note)

	// An agent at work: a person signed in, acting as itself.
	r.Get("/agent/presence", tenancy.PermAgentAccess, a.myPresence)
	r.Put("/agent/presence", tenancy.PermAgentAccess, a.setMyPresence)
	post("/agent/campaigns/:id/next", tenancy.PermAgentAccess, a.next)
	r.Get("/agent/call", tenancy.PermAgentAccess, a.currentCall)
	r.Get("/agent/events", tenancy.PermAgentAccess, a.events)

	// A center's supervisors and their floor.
	r.Put("/center/agents/:id/presence", tenancy.PermFloorManage, a.setAgentPresence)
	r.Get("/center/campaigns/:id/agents", tenancy.PermFloorManage, a.assignments)
	post("/center/campaigns/:id/agents/:agent_id", tenancy.PermFloorManage, a.assign)
	r.Delete("/center/campaigns/:id/agents/:agent_id", tenancy.PermFloorManage, a.unassign)
	r.Get("/center/trunks", tenancy.PermFloorManage, a.trunks)
	post("/center/trunks", tenancy.PermFloorManage, a.addTrunk)
	r.Delete("/center/trunks/:id", tenancy.PermFloorManage, a.removeTrunk)
}

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPIDocument)
}

// answer answers the result of one use case as JSON with status.
func answer[T any](c *fiber.Ctx, status int, use func(ctx context.Context) (T, error)) error {
	out, err := use(c.UserContext())
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out)
}

// say is err's message in the request's language, for an answer that
// carries it as data rather than as a problem.
func (a *API) say(c *fiber.Ctx, err error) string {
	if apperr.As(err) == nil {
		return err.Error()
	}
	return a.s.Localize(c, err).Message
}

// idParam reads the :id of the path.
func idParam(c *fiber.Ctx) (uuid.UUID, error) { return pathID(c, "id") }

// pathID reads the id named name in the path. An id that is not a UUID
// names no row, so it is not found rather than invalid.
func pathID(c *fiber.Ctx, name string) (uuid.UUID, error) {
	return fiberhttp.PathID(c, name, "item")
}

// me is the principal the request acts as; a person's name and email come
// with it.
func (a *API) me(c *fiber.Ctx) error {
	p, _ := fiberhttp.PrincipalOf(c) // the route let only principals through
	return answer(c, fiber.StatusOK, func(ctx context.Context) (meView, error) {
		out := meView{Kind: p.Kind, ID: p.ID, Label: p.Label, OrgID: p.OrgID, Role: p.Role}
		if p.Kind != tenancy.ActorUser {
			return out, nil
		}
		m, err := a.d.Tenancy.Member(ctx, p.ID)
		out.User = &personView{ID: m.ID, Email: m.Email, Name: m.Name, Locale: m.Locale}
		return out, err
	})
}

func (a *API) org(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(ctx context.Context) (orgView, error) {
		o, err := a.d.Tenancy.Org(ctx)
		return orgOf(o), err
	})
}
