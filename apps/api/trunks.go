package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// trunkInput is NewTrunk: a SIP trunk a center adds. The password is
// written once and never read back.
type trunkInput struct {
	Name           string   `json:"name"`
	Host           string   `json:"host"`
	Port           int      `json:"port"`
	Transport      string   `json:"transport"`
	Username       string   `json:"username"`
	Password       string   `json:"password"`
	CallerIDs      []string `json:"caller_ids"`
	MaxConcurrent  int      `json:"max_concurrent"`
	CallsPerSecond float64  `json:"calls_per_second"`
	Codec          string   `json:"codec"`
}

// trunkView is Trunk: a center's SIP trunk, without its password.
type trunkView struct {
	ID             uuid.UUID `json:"id"`
	Name           string    `json:"name"`
	Host           string    `json:"host"`
	Port           int       `json:"port"`
	Transport      string    `json:"transport"`
	Username       string    `json:"username"`
	HasPassword    bool      `json:"has_password"`
	CallerIDs      []string  `json:"caller_ids"`
	MaxConcurrent  int       `json:"max_concurrent"`
	CallsPerSecond float64   `json:"calls_per_second"`
	Codec          string    `json:"codec"`
	CreatedAt      time.Time `json:"created_at"`
}

func trunkOf(t store.Trunk) trunkView { return trunkView(t) }

func (a *API) trunks(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(ctx context.Context) (listView[trunkView], error) {
		list, err := a.d.Trunks.List(ctx)
		return pageView(list, nil, trunkOf), err
	})
}

func (a *API) addTrunk(c *fiber.Ctx) error {
	return withBody(c, fiber.StatusCreated, func(ctx context.Context, in trunkInput) (trunkView, error) {
		t, err := a.d.Trunks.Add(ctx, store.NewTrunk{Name: in.Name, Trunk: dialing.Trunk{Host: in.Host, Port: in.Port,
			Transport: in.Transport, Username: in.Username, Password: in.Password, CallerIDs: in.CallerIDs,
			MaxConcurrent: in.MaxConcurrent, CallsPerSecond: in.CallsPerSecond, Codec: in.Codec}})
		return trunkOf(t), err
	})
}

func (a *API) removeTrunk(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.d.Trunks.Remove(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
