package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// createAPIKey answers the new key with its secret, which is stored only as
// a hash and never shown again.
func (a *API) createAPIKey(c *fiber.Ctx) error {
	return withBody(c, fiber.StatusCreated, func(ctx context.Context, in store.NewAPIKeyInput) (newAPIKeyView, error) {
		k, secret, err := a.d.Tenancy.CreateAPIKey(ctx, in)
		if err == nil {
			answersSecretOnce(c, apperr.New(apperr.Conflict, "api.key.secret_shown_once", "the first request with this Idempotency-Key created the API key %s (%s); its secret is shown only once: if it was lost, revoke that key and create another", k.ID, k.Prefix))
		}
		return newAPIKeyView{apiKeyView: apiKeyOf(k), Key: secret}, err
	})
}

// revokeAPIKey answers 200 with the revoked key (its revoked_at set); a key
// already revoked is answered the same way, unchanged.
func (a *API) revokeAPIKey(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (apiKeyView, error) {
		k, err := a.d.Tenancy.RevokeAPIKey(ctx, id)
		return apiKeyOf(k), err
	})
}

func apiKeyOf(k tenancy.APIKey) apiKeyView {
	return apiKeyView{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Role: k.Role, CreatedAt: k.CreatedAt,
		LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}
