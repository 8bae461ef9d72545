// Package console is the platform operator's front door: its landing page,
// the job queues' state, the verification of the centers' data-protection
// profiles, the upload of the national do-not-call lists, and the
// oversight of every client's campaigns and contracts. Later releases add
// tenant onboarding and dispute handling.
//
// Each handler reads the request, calls one use case of pkg/store (or the
// console's read side, store.Oversight) and renders; who may do what is
// the policy table's (pkg/tenancy).
package console

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Queues reports the job queues' state.
type Queues interface {
	Stats(ctx context.Context) ([]asynqjobs.QueueStat, error)
}

// Deps are what the console uses.
type Deps struct {
	Server     *fiberhttp.Server
	Tenancy    *store.Tenancy    // the landing page's team
	Oversight  *store.Oversight  // every client's campaigns and contracts
	Compliance *store.Compliance // centers' profiles, national lists
	Jobs       *store.Jobs       // the outbox
	Queues     Queues
	// BodyLimit is the server's request limit (0: fiberhttp's default),
	// which the national list form states.
	BodyLimit int
	// Now is the platform's clock: a national list's freshness is judged
	// by it.
	Now func() time.Time
}

// Console is the operator's front door.
type Console struct {
	d Deps
	s *fiberhttp.Server
}

// New builds the front door.
func New(d Deps) *Console { return &Console{d: d, s: d.Server} }

// Mount registers the routes; every one needs console:access besides its
// own permission.
func (c *Console) Mount() {
	c.s.Landing("console", tenancy.PermConsoleAccess, c.d.Tenancy.Team)
	r := c.s.Section("/console", tenancy.PermConsoleAccess)
	r.Get("/queues", tenancy.PermQueuesRead, c.queuesPage)
	r.Get("/data-protection", tenancy.PermCenterProfileOK, c.profilesPage)
	r.Post("/data-protection/:org/verify", tenancy.PermCenterProfileOK, c.verifyProfile)
	r.Get("/national-lists", tenancy.PermNationalLists, c.listsPage)
	r.Post("/national-lists", tenancy.PermNationalLists, c.uploadList)
	c.mountCampaigns(r)
}

func (c *Console) t(ctx *fiber.Ctx, key string, args ...any) string { return c.s.T(ctx, key, args...) }

// queuesPage shows the job queues, as their broker counts them, beside the
// outbox messages not yet done.
func (c *Console) queuesPage(ctx *fiber.Ctx) error {
	stats, err := c.d.Queues.Stats(ctx.UserContext())
	if err != nil {
		return err
	}
	outbox, err := c.d.Jobs.CountOutbox(ctx.UserContext())
	if err != nil {
		return err
	}
	return c.s.Render(ctx, "console/queues", "console", c.t(ctx, "queues.title"),
		struct {
			Queues []asynqjobs.QueueStat
			Outbox store.OutboxCounts
		}{stats, outbox})
}
