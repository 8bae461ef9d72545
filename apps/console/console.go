// Package console is the platform operator's front door: its landing page,
// the job queues' state, the verification of the centers' data-protection
// profiles and the upload of the national do-not-call lists. Later releases
// add tenant onboarding and dispute handling.
package console

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Queues reports the job queues' state.
type Queues interface {
	Stats(ctx context.Context) ([]asynqjobs.QueueStat, error)
}

// Console is the operator's front door.
type Console struct {
	p      *platform.Platform
	queues Queues
}

// New builds the front door.
func New(p *platform.Platform, queues Queues) *Console { return &Console{p: p, queues: queues} }

// Mount registers the routes.
func (c *Console) Mount() {
	c.p.Landing("console", tenancy.PermConsoleAccess)
	r := c.p.Server.Group("/console")
	r.Get("/queues", tenancy.PermQueuesRead, c.queuesPage)
	r.Get("/data-protection", tenancy.PermCenterProfileOK, c.profilesPage)
	r.Post("/data-protection/:org/verify", tenancy.PermCenterProfileOK, c.verifyProfile)
	r.Get("/national-lists", tenancy.PermNationalLists, c.listsPage)
	r.Post("/national-lists", tenancy.PermNationalLists, c.uploadList)
	c.mountCampaigns(r)
}

func (c *Console) t(ctx *fiber.Ctx, key string, args ...any) string {
	return c.p.I18n.T(fiberhttp.LocaleOf(ctx), key, args...)
}

func (c *Console) queuesPage(ctx *fiber.Ctx) error {
	stats, err := c.queues.Stats(ctx.UserContext())
	if err != nil {
		return err
	}
	outbox, err := c.p.DB.CountOutbox(ctx.UserContext())
	if err != nil {
		return err
	}
	title := c.p.I18n.T(fiberhttp.LocaleOf(ctx), "queues.title")
	return c.p.Server.Render(ctx, "console/queues", "console", title,
		struct {
			Queues []asynqjobs.QueueStat
			Outbox store.OutboxCounts
		}{stats, outbox})
}
