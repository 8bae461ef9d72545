package console

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
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
	Status       compliance.DataProtection
}

// profilesPage lists every center, with its profile when it filled one, its
// status and what verifying would record.
func (c *Console) profilesPage(ctx *fiber.Ctx) error {
	centers, err := c.d.Compliance.CenterProfiles(ctx.UserContext())
	if err != nil {
		return err
	}
	tr := func(key string, args ...any) string { return c.t(ctx, key, args...) }
	now, zone := c.d.Now(), fiberhttp.ZoneOf(ctx)
	rows := make([]profileRow, 0, len(centers))
	for _, x := range centers {
		org, p := x.Center, x.Profile
		r := profileRow{OrgID: org.ID.String(), Name: org.Name, Country: org.Country, Authority: compliance.AuthorityOf(org.Country),
			AuthorityRef: p.AuthorityRef, SCCModule: p.SCCModule, TIAOnFile: p.TIAOnFile, Documents: p.Documents,
			Status: compliance.DataProtectionStatus(p, now, tr)}
		if p.AuthorityExpiresAt != nil {
			r.AuthorityExp = p.AuthorityExpiresAt.Format(time.DateOnly)
		}
		if p.SCCSignedAt != nil {
			r.SCCSignedAt = p.SCCSignedAt.Format(time.DateOnly)
		}
		if x.Filled {
			r.UpdatedAt = fiberhttp.When(p.UpdatedAt, zone)
		}
		if r.Status.Verified { // when, in the reader's zone
			r.Status.Verification = tr("dp.verified", fiberhttp.When(*p.VerifiedAt, zone), p.VerifiedBy)
		}
		rows = append(rows, r)
	}
	return c.s.Render(ctx, "console/data_protection", "console", c.t(ctx, "dpc.title"), struct{ Centers []profileRow }{rows})
}

// verifyProfile records that the signed-in admin checked a center's profile
// as it stands; a later change by the center voids it.
func (c *Console) verifyProfile(ctx *fiber.Ctx) error {
	id, err := uuid.Parse(ctx.Params("org"))
	if err != nil {
		return apperr.New(apperr.NotFound, "console.center.not_found", "there is no such center")
	}
	verified, err := c.d.Compliance.VerifyCenter(ctx.UserContext(), id)
	if err != nil {
		return err
	}
	if err := c.s.Flash(ctx, c.t(ctx, "dpc.verified", strings.TrimSpace(verified.Center.Name))); err != nil {
		return err
	}
	return ctx.Redirect("/console/data-protection", fiber.StatusSeeOther)
}
