package fiberhttp

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Page is what every template gets besides its own data.
type Page struct {
	Title     string
	Locale    string
	CSRF      string
	Viewer    *Viewer
	Role      tenancy.Role
	Section   string // the audience: portal, center, agent, console, account
	Path      string
	Flash     string
	RequestID any
	Data      any
	can       func(tenancy.Permission) bool // nil for visitors
}

// Can reports whether the viewer holds perm, so that a page shows only the
// links and forms its viewer may use; the routes enforce permissions either
// way. It is false for visitors, and when the permissions cannot be read.
func (p Page) Can(perm tenancy.Permission) bool { return p.can != nil && p.can(perm) }

// Render renders a page of an audience in the main layout (or the bare one
// for visitors), with the common page data.
func (s *Server) Render(c *fiber.Ctx, name, section, title string, data any) error {
	sess, err := s.Session(c)
	if err != nil {
		return err
	}
	p := Page{Title: title, Locale: LocaleOf(c), CSRF: sess.CSRF, Viewer: ViewerOf(c), Section: section,
		Path: c.Path(), RequestID: c.Locals("requestid"), Data: data}
	if p.Viewer != nil {
		p.Role = p.Viewer.Membership.Role
		p.can = s.permissions(c)
	}
	if sess.Flash != "" {
		p.Flash = sess.Flash
		sess.Flash = ""
		if err := s.SaveSession(c, sess); err != nil {
			return err
		}
	}
	layout := "layouts/main"
	if p.Viewer == nil {
		layout = "layouts/bare"
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render(name, p, layout)
}

// permissions answers a page's questions about the request's principal
// through the Authorizer.
func (s *Server) permissions(c *fiber.Ctx) func(tenancy.Permission) bool {
	principal, ok := PrincipalOf(c)
	if !ok || s.deps.Authz == nil {
		return nil
	}
	ctx := c.UserContext()
	return func(perm tenancy.Permission) bool {
		allowed, err := s.deps.Authz.Allowed(ctx, principal, perm)
		if err != nil {
			// Fail closed: the page hides what it cannot check.
			s.log.Warn("reading a permission for a page failed", "permission", perm, "err", err)
			return false
		}
		return allowed
	}
}

// Flash leaves a message for the next page this browser renders.
func (s *Server) Flash(c *fiber.Ctx, message string) error {
	sess, err := s.Session(c)
	if err != nil {
		return err
	}
	sess.Flash = message
	return s.SaveSession(c, sess)
}

// T says key in the reader's language.
func (s *Server) T(c *fiber.Ctx, key string, args ...any) string {
	return s.cfg.Words.T(LocaleOf(c), key, args...)
}

// Localize is err as the request's reader reads it: its message and its
// fields' messages in their language where the catalogs say them (see
// apperr.Localize).
func (s *Server) Localize(c *fiber.Ctx, err error) *apperr.Error {
	return apperr.Localize(err, s.Translator(c))
}

// Translator says catalog keys in the request's language, for a message
// said on its own (FieldError.Say); nil, which says English, without
// catalogs.
func (s *Server) Translator(c *fiber.Ctx) apperr.Translator {
	if s.cfg.Words == nil {
		return nil
	}
	locale := LocaleOf(c)
	return func(key string, args ...any) (string, bool) {
		return s.cfg.Words.Lookup(locale, key, args...)
	}
}

// Can reports whether the request's principal holds perm, to show or hide
// the forms a page offers; the routes enforce permissions either way.
func (s *Server) Can(c *fiber.Ctx, perm tenancy.Permission) (bool, error) {
	p, ok := PrincipalOf(c)
	if !ok {
		return false, nil
	}
	return s.deps.Authz.Allowed(c.UserContext(), p, perm)
}

// Landing registers the landing page of a front door at /section for
// principals holding perm: who is signed in, the org, the role, and the
// team (read through team) for those who may see it (users:read).
func (s *Server) Landing(section string, perm tenancy.Permission, team func(ctx context.Context) ([]tenancy.Member, error)) {
	s.Group("/"+section).Get("", perm, func(c *fiber.Ctx) error {
		var data struct{ Team []tenancy.Member }
		seesTeam, err := s.Can(c, tenancy.PermUsersRead)
		if err != nil {
			return err
		}
		if seesTeam {
			if data.Team, err = team(c.UserContext()); err != nil {
				return err
			}
		}
		return s.Render(c, section+"/home", section, s.T(c, section+".title"), data)
	})
}
