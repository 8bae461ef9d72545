package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// withBody decodes the strict JSON body into In before running fn in the
// principal's org, so a body that cannot be read never opens a transaction.
func withBody[In, Out any](c *fiber.Ctx, db *store.DB, status int, fn func(ctx context.Context, t *store.Tenant, in In) (Out, error)) error {
	var in In
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	return answer(c, db, status, func(ctx context.Context, t *store.Tenant) (Out, error) {
		return fn(ctx, t, in)
	})
}

// createUser adds a person to the org; without a password they are invited
// by mail and choose one themselves.
func (a *API) createUser(c *fiber.Ctx) error {
	return withBody(c, a.db, fiber.StatusCreated, func(ctx context.Context, t *store.Tenant, in store.NewMemberInput) (userView, error) {
		m, err := t.CreateMember(ctx, in)
		return userOf(m), err
	})
}

func (a *API) user(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant) (userView, error) {
		m, err := t.Member(ctx, id)
		return userOf(m), err
	})
}

func (a *API) updateUser(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return withBody(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant, patch store.MemberPatch) (userView, error) {
		m, err := t.UpdateMember(ctx, id, patch)
		return userOf(m), err
	})
}

// removeUser takes the person out of the org and answers 204.
func (a *API) removeUser(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := a.db.InTenant(ctx, func(t *store.Tenant) error { return t.RemoveMember(ctx, id) }); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func userOf(m tenancy.Member) userView {
	return userView{ID: m.ID, Email: m.Email, Name: m.Name, Locale: m.Locale, Status: m.Status,
		Role: m.Role, CreatedAt: m.CreatedAt}
}
