package fiberhttp

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/session"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

const (
	localPrincipal = "plateau.principal"
	localSession   = "plateau.session"
	localViewer    = "plateau.viewer"
)

// Viewer is the signed-in person of a page: their account and the org they
// are working in.
type Viewer struct {
	Account    tenancy.Account
	Membership tenancy.Membership
}

// authenticate turns the request's credentials into a principal. A bearer
// API key wins over a session cookie. It never refuses a request on its own
// (routes declare what they need) except for a bad bearer key, a failed CSRF
// check on a session-authenticated change, or an unavailable store.
func (s *Server) authenticate(c *fiber.Ctx) error {
	if auth := c.Get(fiber.HeaderAuthorization); auth != "" {
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			return apperr.New(apperr.Unauthorized, "http.auth.not_bearer", "the Authorization header must be \"Bearer <API key>\"")
		}
		key, org, err := s.deps.Keys.APIKeyBySecret(c.UserContext(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		s.setPrincipal(c, tenancy.Principal{Kind: tenancy.ActorAPIKey, ID: key.ID, Label: key.Prefix,
			OrgID: org.ID, OrgKind: org.Kind, Role: key.Role, IP: c.IP()})
		return c.Next()
	}
	sess, err := s.deps.Sessions.Get(c.UserContext(), c.Cookies(SessionCookie))
	if errors.Is(err, session.ErrNotFound) {
		sess = nil
	} else if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "http.sessions.unavailable", "sessions are unavailable; try again in a moment")
	}
	if sess != nil {
		c.Locals(localSession, sess)
		if sess.SignedIn() {
			if err := s.loadViewer(c, sess); err != nil {
				return err
			}
		}
	}
	// An API call without a signed-in session carries no cookie credential
	// to forge: its route answers 401 itself, which tells a client that
	// forgot its key what to fix.
	cookieless := IsAPI(c) && (sess == nil || !sess.SignedIn())
	if !isSafeMethod(c.Method()) && !cookieless {
		if err := checkCSRF(c, sess); err != nil {
			return err
		}
	}
	return c.Next()
}

func (s *Server) loadViewer(c *fiber.Ctx, sess *session.Session) error {
	acc, err := s.deps.Accounts.AccountByID(c.UserContext(), sess.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return s.dropSession(c, sess)
	} else if err != nil {
		return err
	}
	m, ok := acc.Membership(sess.OrgID)
	if !ok || acc.User.Status != tenancy.UserActive || m.Org.Status != tenancy.OrgActive {
		// Removed from the org, disabled, or the org suspended since signing in.
		return s.dropSession(c, sess)
	}
	if time.Since(sess.CreatedAt) > MaxSessionAge ||
		(acc.User.SessionsSince != nil && sess.CreatedAt.Before(*acc.User.SessionsSince)) {
		// Too old to trust, or opened before the password last changed.
		return s.dropSession(c, sess)
	}
	s.setPrincipal(c, acc.Principal(m, c.IP()))
	c.Locals(localViewer, &Viewer{Account: acc, Membership: m})
	return nil
}

func (s *Server) dropSession(c *fiber.Ctx, sess *session.Session) error {
	sess.UserID, sess.OrgID = [16]byte{}, [16]byte{}
	return s.deps.Sessions.Save(c.UserContext(), sess)
}

func (s *Server) setPrincipal(c *fiber.Ctx, p tenancy.Principal) {
	c.Locals(localPrincipal, p)
	c.SetUserContext(tenancy.WithPrincipal(c.UserContext(), p))
}

// PrincipalOf returns the request's principal, if any.
func PrincipalOf(c *fiber.Ctx) (tenancy.Principal, bool) {
	p, ok := c.Locals(localPrincipal).(tenancy.Principal)
	return p, ok
}

// ViewerOf returns the signed-in person, or nil for API keys and visitors.
func ViewerOf(c *fiber.Ctx) *Viewer {
	v, _ := c.Locals(localViewer).(*Viewer)
	return v
}

// Session returns the browser's session, starting an anonymous one (and
// setting its cookie) when there is none, so a form can carry a CSRF token.
func (s *Server) Session(c *fiber.Ctx) (*session.Session, error) {
	if sess, ok := c.Locals(localSession).(*session.Session); ok {
		return sess, nil
	}
	sess := s.deps.Sessions.New()
	if err := s.deps.Sessions.Save(c.UserContext(), sess); err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "http.sessions.unavailable", "sessions are unavailable; try again in a moment")
	}
	s.setCookie(c, sess)
	c.Locals(localSession, sess)
	return sess, nil
}

// SignIn binds the browser to a user in an org, under a new session id.
func (s *Server) SignIn(c *fiber.Ctx, acc tenancy.Account, m tenancy.Membership) error {
	sess, err := s.Session(c)
	if err != nil {
		return err
	}
	sess.UserID, sess.OrgID, sess.CreatedAt = acc.User.ID, m.Org.ID, time.Now().UTC()
	if err := s.deps.Sessions.Rotate(c.UserContext(), sess); err != nil {
		return err
	}
	s.setCookie(c, sess)
	return nil
}

// SignOut ends the session and clears its cookie.
func (s *Server) SignOut(c *fiber.Ctx) error {
	if sess, ok := c.Locals(localSession).(*session.Session); ok {
		if err := s.deps.Sessions.Delete(c.UserContext(), sess.ID); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0),
		HTTPOnly: true, Secure: s.cfg.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode})
	return nil
}

// SaveSession writes a changed session (its locale, a flash message).
func (s *Server) SaveSession(c *fiber.Ctx, sess *session.Session) error {
	return s.deps.Sessions.Save(c.UserContext(), sess)
}

func (s *Server) setCookie(c *fiber.Ctx, sess *session.Session) {
	c.Cookie(&fiber.Cookie{
		Name:     SessionCookie,
		Value:    sess.ID,
		Path:     "/",
		HTTPOnly: true,
		Secure:   s.cfg.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// MaxSessionAge bounds a session whatever its use: a person signs in again
// after a week.
const MaxSessionAge = 7 * 24 * time.Hour

// CSRFField is the form field, and CSRFHeader the header, that carry the
// session's CSRF token on every change made with a session cookie.
const (
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
)

func checkCSRF(c *fiber.Ctx, sess *session.Session) error {
	if sess == nil { // refused before the body is read: a visitor's upload is never spooled
		return apperr.New(apperr.Forbidden, "http.csrf.invalid", "this form has expired or did not come from Plateau; reload the page and try again")
	}
	sent := c.Get(CSRFHeader)
	if sent == "" {
		sent = c.FormValue(CSRFField)
	}
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(sess.CSRF)) != 1 {
		return apperr.New(apperr.Forbidden, "http.csrf.invalid", "this form has expired or did not come from Plateau; reload the page and try again")
	}
	return nil
}

func isSafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// IsAPI reports whether the request is for the REST API.
func IsAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/")
}

// SafeRedirectTarget returns next if it is a path on this site, else "/".
// It refuses what a browser could read as another site: a scheme or host,
// a leading "//" or "/\", and control characters, which browsers drop
// ("/\t/evil.example" becomes "//evil.example").
func SafeRedirectTarget(next string) string {
	if next == "" || next[0] != '/' || strings.ContainsAny(next, "\\") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}
