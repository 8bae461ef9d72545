package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/script"
)

// A campaign's call script: the client writes it, the centers holding an
// active contract on the campaign read it, and anyone who reads it may walk
// it in a preview. The store keeps the versions (a version a call used is
// never rewritten) and decides who sees what; pkg/script reads, validates
// and walks the graph.

// scriptVersionView is ScriptVersion.
type scriptVersionView struct {
	ID        uuid.UUID     `json:"id"`
	Version   int           `json:"version"`
	Hash      string        `json:"hash"`
	Script    script.Script `json:"script"`
	CreatedAt time.Time     `json:"created_at"`
	Used      bool          `json:"used"`
}

func scriptVersionOf(v script.Version) scriptVersionView {
	return scriptVersionView{ID: v.ID, Version: v.Version, Hash: v.Hash, Script: v.Script, CreatedAt: v.CreatedAt, Used: v.UsedAt != nil}
}

// scriptVersionList is ScriptVersionList: every version in one page.
type scriptVersionList struct {
	Data       []scriptVersionView `json:"data"`
	NextCursor *string             `json:"next_cursor"`
}

// previewInput is ScriptPreviewInput: the choices an agent makes, in order.
type previewInput struct {
	Choices []script.Choice `json:"choices"`
}

// previewView is ScriptPreview: the steps of the walk, the start's first.
type previewView struct {
	Steps []script.Step `json:"steps"`
}

func (a *API) script(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (scriptVersionView, error) {
		v, err := a.d.Scripts.Latest(ctx, id)
		return scriptVersionOf(v), err
	})
}

func (a *API) scriptVersions(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (scriptVersionList, error) {
		got, err := a.d.Scripts.Versions(ctx, id)
		out := scriptVersionList{Data: make([]scriptVersionView, 0, len(got.Versions))}
		for _, v := range got.Versions {
			out.Data = append(out.Data, scriptVersionOf(v))
		}
		return out, err
	})
}

// saveScript reads the body with script.Parse rather than the API's JSON
// decoder: the script's own reader names the node of an unknown field or
// of an id given twice, in the paths validation uses.
func (a *API) saveScript(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	body, err := fiberhttp.JSONBody(c)
	if err != nil {
		return err
	}
	s, err := script.Parse(body)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, func(ctx context.Context) (scriptVersionView, error) {
		v, err := a.d.Scripts.Save(ctx, id, s)
		return scriptVersionOf(v), err
	})
}

// previewScript walks the latest version with the sample lead: the
// client's own name for the client, the placeholder for a center.
func (a *API) previewScript(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return withBody(c, fiber.StatusOK, func(ctx context.Context, in previewInput) (previewView, error) {
		steps, err := a.d.Scripts.Preview(ctx, id, in.Choices)
		return previewView{Steps: steps}, err
	})
}
