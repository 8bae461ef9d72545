package fiberhttp

import (
	"net/url"
	"sort"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Router registers routes under a prefix. Every route states the permission
// it needs; the server refuses the request before the handler runs when the
// principal lacks it.
type Router struct {
	s      *Server
	r      fiber.Router
	prefix string
	access tenancy.Permission // every route also needs it; "" for none
}

// Group returns a router for routes under prefix ("" for the root).
func (s *Server) Group(prefix string) *Router {
	if prefix == "" {
		return &Router{s: s, r: s.App}
	}
	return &Router{s: s, r: s.App.Group(prefix), prefix: prefix}
}

// Section returns a router for a front door's routes under prefix: each
// needs access (the front door's own permission, such as portal:access)
// besides its own, so that people of another side of the marketplace who
// hold the same permission (campaigns:read) use their own front door.
func (s *Server) Section(prefix string, access tenancy.Permission) *Router {
	r := s.Group(prefix)
	r.access = access
	return r
}

// Get registers a GET route needing perm.
func (r *Router) Get(path string, perm tenancy.Permission, h ...fiber.Handler) {
	r.add(fiber.MethodGet, path, perm, h)
}

// Post registers a POST route needing perm.
func (r *Router) Post(path string, perm tenancy.Permission, h ...fiber.Handler) {
	r.add(fiber.MethodPost, path, perm, h)
}

// Patch registers a PATCH route needing perm.
func (r *Router) Patch(path string, perm tenancy.Permission, h ...fiber.Handler) {
	r.add(fiber.MethodPatch, path, perm, h)
}

// Put registers a PUT route needing perm: a state set whole.
func (r *Router) Put(path string, perm tenancy.Permission, h ...fiber.Handler) {
	r.add(fiber.MethodPut, path, perm, h)
}

// Delete registers a DELETE route needing perm.
func (r *Router) Delete(path string, perm tenancy.Permission, h ...fiber.Handler) {
	r.add(fiber.MethodDelete, path, perm, h)
}

func (r *Router) add(method, path string, perm tenancy.Permission, h []fiber.Handler) {
	full := r.prefix + path
	if full == "" {
		full = "/"
	}
	if perm == "" {
		panic("route " + method + " " + full + " declares no permission")
	}
	r.s.routes[method+" "+full] = perm
	handlers := append([]fiber.Handler{r.s.require(perm)}, h...)
	if r.access != "" && r.access != perm {
		handlers = append([]fiber.Handler{r.s.require(r.access)}, handlers...)
	}
	r.r.Add(method, path, handlers...)
	if method == fiber.MethodGet {
		// HEAD is GET without the body (RFC 9110 §9.3.2): the same handlers,
		// and fasthttp leaves the body out. fiber's Add, unlike its Get,
		// does not register it.
		r.r.Add(fiber.MethodHead, path, handlers...)
		r.s.routes[fiber.MethodHead+" "+full] = perm
	}
}

// Permission returns what a registered route declared.
func (s *Server) Permission(method, path string) (tenancy.Permission, bool) {
	p, ok := s.routes[method+" "+path]
	return p, ok
}

// Route is a registered route and the permission it declared.
type Route struct {
	Method     string
	Path       string
	Permission tenancy.Permission
	Declared   bool
}

// Routes lists every route fiber has, with what it declared; a route added
// around the Router (app.Get directly) shows Declared false.
func (s *Server) Routes() []Route {
	var out []Route
	for _, rt := range s.App.GetRoutes(true) {
		if rt.Method == fiber.MethodConnect || rt.Method == fiber.MethodOptions ||
			rt.Method == fiber.MethodTrace {
			continue
		}
		perm, ok := s.routes[rt.Method+" "+rt.Path]
		out = append(out, Route{Method: rt.Method, Path: rt.Path, Permission: perm, Declared: ok})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path+out[i].Method < out[j].Path+out[j].Method })
	return out
}

// require refuses a request whose principal lacks perm: 401 (or the sign-in
// page) without a principal, 403 with one.
func (s *Server) require(perm tenancy.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if perm == tenancy.Public {
			return c.Next()
		}
		p, ok := PrincipalOf(c)
		if !ok {
			if !IsAPI(c) && (c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) {
				return c.Redirect("/login?next="+url.QueryEscape(SafeRedirectTarget(c.OriginalURL())), fiber.StatusSeeOther)
			}
			return apperr.New(apperr.Unauthorized, "http.auth.required", "sign in, or send an API key as Authorization: Bearer plt_live_…")
		}
		if p.Kind == tenancy.ActorAPIKey && !IsAPI(c) {
			return apperr.New(apperr.Unauthorized, "http.auth.key_on_page", "API keys work under /api/v1; pages are for people who sign in")
		}
		allowed, err := s.deps.Authz.Allowed(c.UserContext(), p, perm)
		if err != nil {
			return err
		}
		if !allowed {
			return apperr.New(apperr.Forbidden, "access.role.lacks_permission", "your role (%s) does not allow you to %s", p.Role, perm)
		}
		return c.Next()
	}
}
