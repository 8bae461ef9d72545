// Package account is the front door every person passes first: signing in
// and out, choosing the page language, resetting a forgotten password and
// accepting an invitation. It owns no data; it composes the store, the
// sessions and the login throttles.
package account

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/redisstore"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Deps are what the sign-in front door uses.
type Deps struct {
	Server   *fiberhttp.Server
	Accounts *store.Accounts
	Tenancy  *store.Tenancy // audits signing in and out
	Throttle Throttle
}

// Throttle limits failed sign-ins per account and per address.
type Throttle struct {
	Account *redisstore.Throttle
	IP      *redisstore.Throttle
}

// Account is the sign-in front door.
type Account struct {
	d Deps
	s *fiberhttp.Server
	// dummyHash is checked against when an email is unknown, so a wrong email
	// takes as long as a wrong password and does not reveal who has an account.
	dummyHash string
}

// New builds the front door.
func New(d Deps) (*Account, error) {
	h, err := secret.HashPassword(secret.NewToken(""))
	if err != nil {
		return nil, err
	}
	return &Account{d: d, s: d.Server, dummyHash: h}, nil
}

// Mount registers the routes.
func (a *Account) Mount() {
	r := a.s.Group("")
	r.Get("/login", tenancy.Public, a.loginPage)
	r.Post("/login", tenancy.Public, a.login)
	r.Post("/logout", tenancy.Public, a.logout)
	r.Post("/locale", tenancy.Public, a.setLocale)
	r.Get("/password/forgot", tenancy.Public, a.forgotPage)
	r.Post("/password/forgot", tenancy.Public, a.forgot)
	r.Get("/password/reset/:token", tenancy.Public, a.tokenPage(tenancy.TokenPasswordReset))
	r.Post("/password/reset", tenancy.Public, a.redeem(tenancy.TokenPasswordReset))
	r.Get("/invitation/:token", tenancy.Public, a.tokenPage(tenancy.TokenInvitation))
	r.Post("/invitation", tenancy.Public, a.redeem(tenancy.TokenInvitation))
	r.Post("/org", tenancy.Authenticated, a.switchOrg)
}

type loginData struct {
	Email, Next, Error string
}

func (a *Account) loginPage(c *fiber.Ctx) error {
	if v := fiberhttp.ViewerOf(c); v != nil {
		return c.Redirect(tenancy.HomePath(v.Membership.Org.Kind, v.Membership.Role), fiber.StatusSeeOther)
	}
	return a.renderLogin(c, loginData{Next: c.Query("next")})
}

func (a *Account) renderLogin(c *fiber.Ctx, d loginData) error {
	return a.s.Render(c, "account/login", "account", a.s.T(c, "auth.login.title"), d)
}

// login checks the throttles first, then the password, and answers every
// failure with the same page, the reason stated as precisely as is safe.
func (a *Account) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	d := loginData{Email: email, Next: c.FormValue("next")}
	fail := func(status int, key string, args ...any) error {
		d.Error = a.s.T(c, key, args...)
		c.Status(status)
		return a.renderLogin(c, d)
	}
	th := a.d.Throttle
	// Every attempt is counted before the password is checked, so parallel
	// guesses cannot pass the limit; a success gives its slots back.
	if err := a.take(c, th.IP, c.IP(), false); err != nil {
		return a.throttledLogin(c, d, err)
	}
	if err := a.take(c, th.Account, email, true); err != nil {
		return a.throttledLogin(c, d, err)
	}
	acc, err := a.d.Accounts.AccountByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	known := err == nil && acc.User.PasswordHash != "" // invited users have no password yet
	hash := a.dummyHash
	if known {
		hash = acc.User.PasswordHash
	}
	pwErr := secret.CheckPassword(hash, c.FormValue("password"))
	if pwErr != nil && !errors.Is(pwErr, secret.ErrMismatch) {
		return pwErr // a stored hash we cannot read is a bug, not a wrong password
	}
	if !known || pwErr != nil {
		return fail(fiber.StatusUnauthorized, "auth.login.bad")
	}
	if acc.User.Status == tenancy.UserDisabled {
		return fail(fiber.StatusForbidden, "auth.login.disabled")
	}
	m, ok := firstActive(acc)
	if !ok {
		return fail(fiber.StatusForbidden, "auth.login.no_org")
	}
	if err := errors.Join(th.Account.Reset(ctx, email), th.IP.Give(ctx, c.IP())); err != nil {
		return err
	}
	return a.signIn(c, acc, m, d.Next)
}

// take counts an attempt against a throttle, an account's or an
// address's, and answers a TooMany error when the key is over its limit.
func (a *Account) take(c *fiber.Ctx, th *redisstore.Throttle, key string, perAccount bool) error {
	blocked, wait, err := th.Take(c.UserContext(), key)
	if err != nil || !blocked {
		return err
	}
	e := apperr.New(apperr.TooMany, "account.throttled.network", "Too many failed attempts from your network. Try again in %d minutes.", minutes(wait))
	if perAccount {
		e = apperr.New(apperr.TooMany, "account.throttled.account", "Too many failed attempts for this account. Try again in %d minutes, or reset your password.", minutes(wait))
	}
	e.RetryAfter = int(math.Ceil(wait.Seconds()))
	return e
}

// throttledLogin shows a throttle's refusal on the sign-in page itself.
func (a *Account) throttledLogin(c *fiber.Ctx, d loginData, err error) error {
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.TooMany {
		return err
	}
	c.Set(fiber.HeaderRetryAfter, fmt.Sprint(e.RetryAfter))
	c.Status(fiber.StatusTooManyRequests)
	d.Error = a.s.Localize(c, e).Message
	return a.renderLogin(c, d)
}

func (a *Account) signIn(c *fiber.Ctx, acc tenancy.Account, m tenancy.Membership, next string) error {
	if err := a.s.SignIn(c, acc, m); err != nil {
		return err
	}
	if err := a.audit(c.UserContext(), acc.Principal(m, c.IP()), "session.login"); err != nil {
		return err
	}
	target := fiberhttp.SafeRedirectTarget(next)
	if target == "/" {
		target = tenancy.HomePath(m.Org.Kind, m.Role)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

func (a *Account) audit(ctx context.Context, p tenancy.Principal, action string) error {
	ctx = tenancy.WithPrincipal(ctx, p)
	return a.d.Tenancy.Record(ctx, action, "user", p.ID.String())
}

func firstActive(acc tenancy.Account) (tenancy.Membership, bool) {
	for _, m := range acc.Memberships {
		if m.Org.Status == tenancy.OrgActive {
			return m, true
		}
	}
	return tenancy.Membership{}, false
}

func minutes(d time.Duration) int { return int(math.Ceil(d.Minutes())) }

func (a *Account) logout(c *fiber.Ctx) error {
	if p, ok := fiberhttp.PrincipalOf(c); ok && p.Kind == tenancy.ActorUser {
		if err := a.audit(c.UserContext(), p, "session.logout"); err != nil {
			return err
		}
	}
	if err := a.s.SignOut(c); err != nil {
		return err
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func (a *Account) setLocale(c *fiber.Ctx) error {
	locale := c.FormValue("locale")
	if !tenancy.ValidLocale(locale) || locale == "" {
		return apperr.InvalidFields("account.locale.unknown", "unknown language", apperr.Field("locale", "account.locale.invalid", "must be fr or en"))
	}
	sess, err := a.s.Session(c)
	if err != nil {
		return err
	}
	sess.Locale = locale
	if err := a.s.SaveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect(fiberhttp.SafeRedirectTarget(c.FormValue("next")), fiber.StatusSeeOther)
}

func (a *Account) forgotPage(c *fiber.Ctx) error {
	return a.s.Render(c, "account/forgot", "account", a.s.T(c, "auth.forgot.title"), fiber.Map{"Sent": false})
}

// forgot announces a reset mail and answers the same whether or not the
// email has an account. Requests count against the address's throttle so
// the form cannot be used to flood someone's mailbox.
func (a *Account) forgot(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if err := a.take(c, a.d.Throttle.IP, c.IP(), false); err != nil {
		return err
	}
	if err := a.d.Accounts.RequestPasswordReset(ctx, c.FormValue("email")); err != nil {
		return err
	}
	return a.s.Render(c, "account/forgot", "account", a.s.T(c, "auth.forgot.title"), fiber.Map{"Sent": true})
}

type tokenData struct {
	Purpose              tenancy.TokenPurpose
	Token, Action, Error string
	// Joining: an invitation for a person who has an account, to join one
	// more org (OrgName) with their password.
	Joining bool
	OrgName string
}

func actionOf(purpose tenancy.TokenPurpose) string {
	if purpose == tenancy.TokenInvitation {
		return "/invitation"
	}
	return "/password/reset"
}

func (a *Account) tokenPage(purpose tenancy.TokenPurpose) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return a.renderToken(c, tokenData{Purpose: purpose, Token: c.Params("token"), Action: actionOf(purpose)})
	}
}

// renderToken shows the form of a link; an invitation says whether the
// person accepts with the password they have, or chooses one.
func (a *Account) renderToken(c *fiber.Ctx, d tokenData) error {
	key := "auth.reset.title"
	if d.Purpose == tenancy.TokenInvitation {
		key = "auth.invite.title"
		if inv, err := a.d.Accounts.Invitation(c.UserContext(), d.Token); err == nil {
			d.Joining, d.OrgName = inv.Joining, inv.OrgName
		} else if d.Error == "" {
			d.Error = a.s.T(c, "auth.link_invalid")
		}
	}
	return a.s.Render(c, "account/token", "account", a.s.T(c, key), d)
}

func (a *Account) redeem(purpose tenancy.TokenPurpose) fiber.Handler {
	return func(c *fiber.Ctx) error {
		d := tokenData{Purpose: purpose, Token: c.FormValue("token"), Action: actionOf(purpose)}
		joining := c.FormValue("joining") == "1" // no new password to confirm
		if !joining && c.FormValue("password") != c.FormValue("confirm") {
			d.Error = a.s.T(c, "auth.passwords_differ")
			c.Status(fiber.StatusUnprocessableEntity)
			return a.renderToken(c, d)
		}
		// Redeeming hashes a password: attempts count against the address, so
		// made-up tokens cannot make the server hash without end.
		if err := a.take(c, a.d.Throttle.IP, c.IP(), false); err != nil {
			return err
		}
		acc, orgID, err := a.d.Accounts.RedeemToken(c.UserContext(), d.Token, purpose, c.FormValue("password"))
		if err == nil {
			err = a.d.Throttle.IP.Give(c.UserContext(), c.IP())
		}
		if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
			said, colon := a.s.Localize(c, e), ": "
			if fiberhttp.LocaleOf(c) == "fr" {
				colon = "\u00a0: "
			}
			d.Error = said.Message
			for _, f := range said.Fields {
				d.Error += colon + f.Message
			}
			c.Status(fiber.StatusUnprocessableEntity)
			return a.renderToken(c, d)
		} else if err != nil {
			return err
		}
		m, ok := acc.Membership(orgID) // the org that sent the link
		if !ok || m.Org.Status != tenancy.OrgActive {
			m, ok = firstActive(acc)
		}
		if !ok || acc.User.Status != tenancy.UserActive {
			return apperr.New(apperr.Forbidden, "account.no_active_org", "This account does not belong to any active organization.")
		}
		return a.signIn(c, acc, m, "/")
	}
}

// switchOrg moves a signed-in person to another org they belong to: the
// session's org changes, under a new session id, and they land on that
// org's front door.
func (a *Account) switchOrg(c *fiber.Ctx) error {
	v := fiberhttp.ViewerOf(c)
	if v == nil {
		return apperr.New(apperr.Unauthorized, "account.sign_in_first", "Sign in first.")
	}
	id, err := uuid.Parse(c.FormValue("org"))
	m, ok := v.Account.Membership(id)
	if err != nil || !ok || m.Org.Status != tenancy.OrgActive {
		return apperr.New(apperr.NotFound, "account.switch.not_a_member", "You do not belong to this organization.")
	}
	if err := a.s.SignIn(c, v.Account, m); err != nil {
		return err
	}
	return c.Redirect(tenancy.HomePath(m.Org.Kind, m.Role), fiber.StatusSeeOther)
}
