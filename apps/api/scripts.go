package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
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

func scriptVersionOf(v store.ScriptVersion) scriptVersionView {
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
	return answer(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant) (scriptVersionView, error) {
		v, err := t.Script(ctx, id)
		return scriptVersionOf(v), err
	})
}

func (a *API) scriptVersions(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant) (scriptVersionList, error) {
		list, err := t.ScriptVersions(ctx, id)
		out := scriptVersionList{Data: make([]scriptVersionView, 0, len(list))}
		for _, v := range list {
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
	return answer(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant) (scriptVersionView, error) {
		v, err := t.SaveScript(ctx, id, s)
		return scriptVersionOf(v), err
	})
}

// previewScript walks the latest version with the sample lead. The client
// sees its own name; a center sees the placeholder, as its agents would
// without the client's data.
func (a *API) previewScript(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return withBody(c, a.db, fiber.StatusOK, func(ctx context.Context, t *store.Tenant, in previewInput) (previewView, error) {
		v, err := t.Script(ctx, id)
		if err != nil {
			return previewView{}, err
		}
		values := script.SampleValues()
		if t.Principal.OrgKind == tenancy.KindClient {
			org, err := t.Org(ctx)
			if err != nil {
				return previewView{}, err
			}
			values["client.name"] = org.Name
		}
		steps, err := v.Script.Walk(in.Choices, values)
		return previewView{Steps: steps}, err
	})
}
