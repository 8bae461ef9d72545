// Package api is the REST API front door, /api/v1: the principal, its org,
// its people, its API keys, its audit trail, the compliance engine
// (decisions, consents, suppression lists, evidence, a center's
// data-protection profile), the marketplace (campaigns, offers,
// contracts) and a campaign's leads and imports as JSON for client systems,
// with cursor pagination, an Idempotency-Key on every POST, errors as
// problem+json (written by fiberhttp's error handler) and an OpenAPI 3.1
// document, openapi.json, that the tests hold every real response to.
//
// It composes the store, the screener and the fiber adapter. It must not
// import another app, nor reach the database other than through
// store.DB.InTenant (the screener's decisions go through it too).
package api

import (
	"context"
	_ "embed"
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/leadimport"
	"github.com/plateau-bpo/plateau/pkg/screening"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Prefix is where the API is mounted; the OpenAPI document's paths are
// relative to it.
const Prefix = "/api/v1"

//go:embed openapi.json
var openAPIDocument []byte

// Deps are what the API reaches.
type Deps struct {
	DB *store.DB
	// Log receives the failures that cannot reach the caller (an
	// idempotency record that could not be saved); slog.Default() when nil.
	Log *slog.Logger
	// Screener answers compliance decisions with the national lists it
	// holds; the platform's one (p.Screener). When nil, the API makes its
	// own with no national list loaded: calls a national list governs are
	// then refused (national_list_missing), never let through.
	Screener *screening.Screener
}

// API is the /api/v1 front door.
type API struct {
	db       *store.DB
	log      *slog.Logger
	screener *screening.Screener
	leads    *leadimport.Runner // the API's batches of leads
}

// New builds the API.
func New(d Deps) *API {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Screener == nil {
		d.Screener = screening.New(d.DB)
	}
	return &API{db: d.DB, log: d.Log, screener: d.Screener,
		leads: &leadimport.Runner{DB: d.DB, Screener: d.Screener, Log: d.Log}}
}

// Mount registers the routes under Prefix. Every POST goes through the
// Idempotency-Key handling; openapi.json must describe every route here.
func (a *API) Mount(s *fiberhttp.Server) {
	r := s.Group(Prefix)
	post := func(path string, perm tenancy.Permission, h fiber.Handler) {
		r.Post(path, perm, a.idempotent, h)
	}
	r.Get("/openapi.json", tenancy.Public, serveOpenAPI)
	r.Get("/me", tenancy.Authenticated, a.me)
	r.Get("/org", tenancy.PermOrgRead, a.org)

	r.Get("/users", tenancy.PermUsersRead, list(a.db, (*store.Tenant).Members, userOf))
	post("/users", tenancy.PermUsersWrite, a.createUser)
	r.Get("/users/:id", tenancy.PermUsersRead, a.user)
	r.Patch("/users/:id", tenancy.PermUsersWrite, a.updateUser)
	r.Delete("/users/:id", tenancy.PermUsersWrite, a.removeUser)

	r.Get("/api-keys", tenancy.PermAPIKeysRead, list(a.db, (*store.Tenant).APIKeys, apiKeyOf))
	post("/api-keys", tenancy.PermAPIKeysWrite, a.createAPIKey)
	r.Delete("/api-keys/:id", tenancy.PermAPIKeysWrite, a.revokeAPIKey)

	r.Get("/audit-events", tenancy.PermAuditRead, list(a.db, (*store.Tenant).AuditEvents, auditEventOf))

	post("/compliance/decisions", tenancy.PermComplianceRead, a.decide)
	r.Get("/compliance/evidence", tenancy.PermComplianceRead, a.evidence)
	r.Get("/compliance/blocks", tenancy.PermComplianceRead, a.blocks)

	r.Get("/consents", tenancy.PermComplianceRead, a.consents)
	post("/consents", tenancy.PermComplianceWrite, a.recordConsents)
	post("/consents/withdraw", tenancy.PermComplianceWrite, a.withdrawConsent)

	r.Get("/suppressions", tenancy.PermComplianceRead, list(a.db, (*store.Tenant).Suppressions, suppressionOf))
	post("/suppressions", tenancy.PermComplianceWrite, a.addSuppressions)
	r.Delete("/suppressions/:id", tenancy.PermComplianceWrite, a.removeSuppression)

	// The router has no PUT: the profile is edited with a PATCH, fields
	// left out staying as they are.
	r.Get("/center-profile", tenancy.PermCenterProfileRead, a.centerProfile)
	r.Patch("/center-profile", tenancy.PermCenterProfileEdit, a.editCenterProfile)

	// The marketplace. /campaigns/requests comes before /campaigns/:id,
	// which would take "requests" for an id. Moves open to whoever reads
	// campaigns: the campaign's state machine says who may make each one.
	r.Get("/campaigns", tenancy.PermCampaignsRead, list(a.db, (*store.Tenant).Campaigns, campaignOf))
	r.Get("/campaigns/requests", tenancy.PermCampaignsRead, list(a.db, (*store.Tenant).OpenRequests, campaignOf))
	post("/campaigns", tenancy.PermCampaignsWrite, a.createCampaign)
	r.Get("/campaigns/:id", tenancy.PermCampaignsRead, a.campaign)
	r.Patch("/campaigns/:id", tenancy.PermCampaignsWrite, a.updateCampaign)
	post("/campaigns/:id/transitions", tenancy.PermCampaignsRead, a.moveCampaign)
	r.Get("/campaigns/:id/offers", tenancy.PermCampaignsRead, a.offers)
	post("/campaigns/:id/offers", tenancy.PermOffersWrite, a.submitOffer)
	r.Get("/campaigns/:id/script", tenancy.PermCampaignsRead, a.script)
	post("/campaigns/:id/script", tenancy.PermCampaignsWrite, a.saveScript)
	r.Get("/campaigns/:id/script/versions", tenancy.PermCampaignsRead, a.scriptVersions)
	post("/campaigns/:id/script/preview", tenancy.PermCampaignsRead, a.previewScript)
	post("/offers/:id/accept", tenancy.PermContractsWrite, a.acceptOffer)
	r.Get("/contracts", tenancy.PermCampaignsRead, a.contracts)
	post("/contracts/:id/confirm", tenancy.PermContractsWrite, a.confirmContract)

	// A campaign's leads, and the files they come in. Both POSTs take
	// bodies over the server's 4 MiB: a full batch, and a lead file.
	r.Get("/campaigns/:id/leads", tenancy.PermLeadsRead, a.listLeads)
	r.Upload("/campaigns/:id/leads", tenancy.PermLeadsWrite, maxBatchBody, a.idempotent, a.addLeads)
	r.Get("/campaigns/:id/leads/:lead_id", tenancy.PermLeadsRead, a.lead)
	r.Get("/campaigns/:id/imports", tenancy.PermLeadsRead, a.listImports)
	r.Upload("/campaigns/:id/imports", tenancy.PermLeadsWrite, leadimport.MaxFileSize, a.idempotent, a.uploadImport)
	r.Get("/campaigns/:id/imports/:import_id", tenancy.PermLeadsRead, a.leadImport)
	r.Get("/campaigns/:id/imports/:import_id/report", tenancy.PermLeadsRead, a.importReport)
}

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPIDocument)
}

// answer runs fn in a transaction limited to the principal's org and
// answers its result as JSON with status.
func answer[T any](c *fiber.Ctx, db *store.DB, status int, fn func(ctx context.Context, t *store.Tenant) (T, error)) error {
	ctx := c.UserContext()
	var out T
	err := db.InTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = fn(ctx, t)
		return err
	})
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out)
}

// idParam reads the :id of the path.
func idParam(c *fiber.Ctx) (uuid.UUID, error) { return pathID(c, "id") }

// pathID reads the id named name in the path. An id that is not a UUID
// names no row, so it is not found rather than invalid.
func pathID(c *fiber.Ctx, name string) (uuid.UUID, error) {
	return fiberhttp.PathID(c, name, "item")
}

func (a *API) me(c *fiber.Ctx) error {
	return answer(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant) (meView, error) {
		p := t.Principal
		out := meView{Kind: p.Kind, ID: p.ID, Label: p.Label, OrgID: p.OrgID, Role: p.Role}
		if p.Kind != tenancy.ActorUser {
			return out, nil
		}
		m, err := t.Member(ctx, p.ID)
		out.User = &personView{ID: m.ID, Email: m.Email, Name: m.Name, Locale: m.Locale}
		return out, err
	})
}

func (a *API) org(c *fiber.Ctx) error {
	return answer(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant) (orgView, error) {
		o, err := t.Org(ctx)
		return orgOf(o), err
	})
}
