package fiberhttp

import (
	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/session"
)

// LocaleOf picks the language of a page: the one chosen in this session,
// else the user's own, else their org's default (French for French orgs),
// else the browser's preference between French and English. A program
// calling the API that names no language (Accept-Language) reads English;
// a person without a preference, French.
func LocaleOf(c *fiber.Ctx) string {
	if sess, ok := c.Locals(localSession).(*session.Session); ok && sess.Locale != "" {
		return sess.Locale
	}
	if v := ViewerOf(c); v != nil {
		if v.Account.User.Locale != "" {
			return v.Account.User.Locale
		}
		return v.Membership.Org.Locale()
	}
	if IsAPI(c) && c.Get(fiber.HeaderAcceptLanguage) == "" {
		return "en"
	}
	if c.AcceptsLanguages("fr", "en") == "fr" {
		return "fr"
	}
	return "en"
}
