package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// withBody decodes the strict JSON body into In before calling use, so
// that a body that cannot be read never reaches a use case.
func withBody[In, Out any](c *fiber.Ctx, status int, use func(ctx context.Context, in In) (Out, error)) error {
	var in In
	if err := fiberhttp.DecodeJSON(c, &in); err != nil {
		return err
	}
	return answer(c, status, func(ctx context.Context) (Out, error) { return use(ctx, in) })
}

// createUser adds a person to the org; without a password they are invited
// by mail and choose one themselves.
func (a *API) createUser(c *fiber.Ctx) error {
	return withBody(c, fiber.StatusCreated, func(ctx context.Context, in store.NewMemberInput) (userView, error) {
		m, err := a.d.Tenancy.AddMember(ctx, in)
		return userOf(m), err
	})
}

func (a *API) user(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (userView, error) {
		m, err := a.d.Tenancy.Member(ctx, id)
		return userOf(m), err
	})
}

func (a *API) updateUser(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return withBody(c, fiber.StatusOK, func(ctx context.Context, patch store.MemberPatch) (userView, error) {
		m, err := a.d.Tenancy.UpdateMember(ctx, id, patch)
		return userOf(m), err
	})
}

// removeUser takes the person out of the org and answers 204.
func (a *API) removeUser(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.d.Tenancy.RemoveMember(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func userOf(m tenancy.Member) userView {
	return userView{ID: m.ID, Email: m.Email, Name: m.Name, Locale: m.Locale, Status: m.Status,
		Role: m.Role, CreatedAt: m.CreatedAt}
}
