package console

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/platform"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// profileRow is one center on the data-protection page.
type profileRow struct {
	OrgID        string
	Name         string
	Country      string
	Authority    string
	AuthorityRef string
	AuthorityExp string
	SCCSignedAt  string
	SCCModule    string
	TIAOnFile    bool
	Documents    []string
	UpdatedAt    string
	Status       platform.DataProtection
}

// profilesPage lists every center, with its profile when it filled one, its
// status and what verifying would record.
func (c *Console) profilesPage(ctx *fiber.Ctx) error {
	uctx := ctx.UserContext()
	centers, err := c.p.DB.ListOrgs(uctx, tenancy.KindCenter)
	if err != nil {
		return err
	}
	profiles, err := c.p.DB.CenterProfiles(uctx)
	if err != nil {
		return err
	}
	byOrg := map[uuid.UUID]compliance.CenterProfile{}
	for _, p := range profiles {
		byOrg[p.OrgID] = p
	}
	tr := func(key string, args ...any) string { return c.t(ctx, key, args...) }
	now := time.Now()
	rows := make([]profileRow, 0, len(centers))
	for _, org := range centers {
		p, ok := byOrg[org.ID]
		if !ok {
			p = compliance.CenterProfile{OrgID: org.ID, Country: org.Country, Authority: compliance.AuthorityOf(org.Country)}
		}
		r := profileRow{OrgID: org.ID.String(), Name: org.Name, Country: org.Country, Authority: compliance.AuthorityOf(org.Country),
			AuthorityRef: p.AuthorityRef, SCCModule: p.SCCModule, TIAOnFile: p.TIAOnFile, Documents: p.Documents,
			Status: platform.DataProtectionStatus(p, now, tr)}
		if p.AuthorityExpiresAt != nil {
			r.AuthorityExp = p.AuthorityExpiresAt.Format(time.DateOnly)
		}
		if p.SCCSignedAt != nil {
			r.SCCSignedAt = p.SCCSignedAt.Format(time.DateOnly)
		}
		if ok {
			r.UpdatedAt = p.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		rows = append(rows, r)
	}
	return c.p.Server.Render(ctx, "console/data_protection", "console", c.t(ctx, "dpc.title"), struct{ Centers []profileRow }{rows})
}

// verifyProfile records that the signed-in admin checked a center's profile
// as it stands; a later change by the center voids it.
func (c *Console) verifyProfile(ctx *fiber.Ctx) error {
	id, err := uuid.Parse(ctx.Params("org"))
	if err != nil {
		return apperr.New(apperr.NotFound, "there is no such center")
	}
	principal, ok := fiberhttp.PrincipalOf(ctx)
	if !ok {
		return apperr.New(apperr.Unauthorized, "sign in")
	}
	org, err := c.p.DB.OrgByID(ctx.UserContext(), id)
	if err != nil {
		return err
	}
	if org.Kind != tenancy.KindCenter {
		return apperr.New(apperr.NotFound, "there is no such center")
	}
	if _, err := c.p.DB.VerifyCenterProfile(ctx.UserContext(), id, principal); err != nil {
		return err
	}
	if err := c.p.Server.Flash(ctx, c.t(ctx, "dpc.verified", strings.TrimSpace(org.Name))); err != nil {
		return err
	}
	return ctx.Redirect("/console/data-protection", fiber.StatusSeeOther)
}
