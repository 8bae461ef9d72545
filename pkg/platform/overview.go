package platform

import (
	"cmp"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Landing registers the landing page of a front door at /section, for
// principals holding perm.
func (p *Platform) Landing(section string, perm tenancy.Permission) {
	p.Server.Group("/"+section).Get("", perm, func(c *fiber.Ctx) error { return p.Overview(c, section) })
}

// Overview renders the landing page of a front door: who is signed in, the
// org, the role, and the team for those allowed to see it.
func (p *Platform) Overview(c *fiber.Ctx, section string) error {
	principal, _ := fiberhttp.PrincipalOf(c)
	var data struct{ Team []tenancy.Member }
	canSeeTeam, err := p.Authz.Allowed(c.UserContext(), principal, tenancy.PermUsersRead)
	if err != nil {
		return err
	}
	if canSeeTeam {
		err := p.DB.InTenant(c.UserContext(), func(t *store.Tenant) error {
			var err error
			data.Team, _, err = t.Members(c.UserContext(), store.Page{Limit: store.MaxLimit})
			return err
		})
		if err != nil {
			return err
		}
		// Most powerful roles first, then by name: how a team is read.
		roles := tenancy.RolesOf(principal.OrgKind)
		slices.SortStableFunc(data.Team, func(a, b tenancy.Member) int {
			return cmp.Or(cmp.Compare(slices.Index(roles, a.Role), slices.Index(roles, b.Role)), strings.Compare(a.Name, b.Name))
		})
	}
	return p.Server.Render(c, section+"/home", section, p.I18n.T(fiberhttp.LocaleOf(c), section+".title"), data)
}
