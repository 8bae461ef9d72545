package api

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
)

// A call center's data-protection profile, which its owner keeps and the
// platform verifies; every answer says whether the center may receive EU
// personal data now and, if not, everything missing.

// nullable is a field of a patch that may be set to null: Set when the body
// names it, Value nil when it names it as null.
type nullable[T any] struct {
	Set   bool
	Value *T
}

func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		n.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// centerProfilePatch is CenterProfilePatch: fields left out stay as they
// are. The country and its authority come from the org; the verification
// is the platform's.
type centerProfilePatch struct {
	SCCSignedAt        nullable[string] `json:"scc_signed_at"`
	SCCModule          *string          `json:"scc_module"`
	TIAOnFile          *bool            `json:"tia_on_file"`
	AuthorityRef       *string          `json:"authority_ref"`
	AuthorityExpiresAt nullable[string] `json:"authority_expires_at"`
	Documents          *[]string        `json:"documents"`
}

func (a *API) centerProfile(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, func(ctx context.Context) (centerProfileView, error) {
		p, err := a.d.Compliance.CheckedCenterProfile(ctx)
		return a.centerProfileOf(c, p), err
	})
}

// editCenterProfile applies a patch; any change voids the platform's
// verification, which the answer shows in missing. An empty patch changes
// nothing, and keeps the verification.
func (a *API) editCenterProfile(c *fiber.Ctx) error {
	return withBody(c, fiber.StatusOK, func(ctx context.Context, patch centerProfilePatch) (centerProfileView, error) {
		var f apperr.Fields
		sccSignedAt := optionalInstant(&f, "scc_signed_at", patch.SCCSignedAt.Value)
		expiresAt := optionalInstant(&f, "authority_expires_at", patch.AuthorityExpiresAt.Value)
		if err := f.Err("store.profile.invalid", "the profile is not valid"); err != nil {
			return centerProfileView{}, err
		}
		saved, err := a.d.Compliance.EditCenterProfile(ctx, func(p *compliance.CenterProfile) bool {
			if patch.SCCSignedAt.Set {
				p.SCCSignedAt = sccSignedAt
			}
			if patch.SCCModule != nil {
				p.SCCModule = *patch.SCCModule
			}
			if patch.TIAOnFile != nil {
				p.TIAOnFile = *patch.TIAOnFile
			}
			if patch.AuthorityRef != nil {
				p.AuthorityRef = *patch.AuthorityRef
			}
			if patch.AuthorityExpiresAt.Set {
				p.AuthorityExpiresAt = expiresAt
			}
			if patch.Documents != nil {
				p.Documents = *patch.Documents
			}
			return patch != centerProfilePatch{}
		})
		return a.centerProfileOf(c, saved), err
	})
}
