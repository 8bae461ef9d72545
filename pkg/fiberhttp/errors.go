package fiberhttp

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

var statusOf = map[apperr.Kind]int{
	apperr.Invalid:      fiber.StatusUnprocessableEntity,
	apperr.NotFound:     fiber.StatusNotFound,
	apperr.Conflict:     fiber.StatusConflict,
	apperr.Unauthorized: fiber.StatusUnauthorized,
	apperr.Forbidden:    fiber.StatusForbidden,
	apperr.TooMany:      fiber.StatusTooManyRequests,
	apperr.TooLarge:     fiber.StatusRequestEntityTooLarge,
	apperr.Unavailable:  fiber.StatusServiceUnavailable,
	apperr.Internal:     fiber.StatusInternalServerError,
}

var kindOfStatus = map[int]apperr.Kind{
	fiber.StatusBadRequest:                  apperr.Invalid,
	fiber.StatusNotFound:                    apperr.NotFound,
	fiber.StatusMethodNotAllowed:            apperr.Invalid,
	fiber.StatusUnsupportedMediaType:        apperr.Invalid,
	fiber.StatusRequestEntityTooLarge:       apperr.TooLarge,
	fiber.StatusRequestHeaderFieldsTooLarge: apperr.TooLarge,
	fiber.StatusUnauthorized:                apperr.Unauthorized,
	fiber.StatusForbidden:                   apperr.Forbidden,
	fiber.StatusTooManyRequests:             apperr.TooMany,
	fiber.StatusUnprocessableEntity:         apperr.Invalid,
}

// httpKind is a refusal of the HTTP layer itself, which no apperr kind
// names: it keeps its status, and has a problem type and a title of its own
// (a page's title is translated as error.title.<kind>).
type httpKind struct{ kind, title string }

var httpKinds = map[int]httpKind{
	fiber.StatusMethodNotAllowed:            {"method_not_allowed", "Method not allowed"},
	fiber.StatusUnsupportedMediaType:        {"unsupported_media_type", "Unsupported media type"},
	fiber.StatusRequestHeaderFieldsTooLarge: {"headers_too_large", "Request headers too large"},
}

// httpProblem is what the HTTP layer says of a refusal of its own (fiber's
// router, the limits of a request): its code and English text. The
// catalogs say them as err.<code>, as every message's.
type httpProblem struct{ code, english string }

var httpProblems = map[int]httpProblem{
	fiber.StatusBadRequest:                  {"http.bad_request", "the request is malformed"},
	fiber.StatusUnauthorized:                {"http.unauthorized", "sign in first"},
	fiber.StatusForbidden:                   {"http.forbidden", "this is not allowed"},
	fiber.StatusNotFound:                    {"http.not_found", "there is nothing at this address"},
	fiber.StatusMethodNotAllowed:            {"http.method_not_allowed", "this address does not take %s; it takes %s"},
	fiber.StatusRequestEntityTooLarge:       {"http.body_too_large", "the request body is larger than the server accepts"},
	fiber.StatusUnsupportedMediaType:        {"http.unsupported_media_type", "the server does not take a body of this type"},
	fiber.StatusUnprocessableEntity:         {"http.invalid", "the request is not valid"},
	fiber.StatusTooManyRequests:             {"http.too_many", "too many requests; try again in a moment"},
	fiber.StatusRequestHeaderFieldsTooLarge: {"http.headers_too_large", "the request headers are larger than the server accepts; a cookie or a header may have grown too large"},
}

// internalProblem replaces the message of an internal error, whose details
// are logged and never shown.
var internalProblem = httpProblem{"http.internal", "something went wrong on our side; the request id helps support find out what"}

// Problem is an RFC 9457 problem detail, with the invalid fields. Code is
// the stable code of what went wrong (each field's too), for programs;
// Title, Detail and the fields' messages are in the request's language.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Code      string              `json:"code"`
	Detail    string              `json:"detail"`
	Instance  string              `json:"instance,omitempty"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

// toAppError maps any error, fiber's included, to an *apperr.Error. An
// *apperr.Error wins over a fiber error it wraps (which only sets the
// status).
func toAppError(err error) *apperr.Error {
	if e := apperr.As(err); e != nil {
		return e
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		kind, ok := kindOfStatus[fe.Code]
		if !ok {
			kind = apperr.Internal
		}
		if p, ok := httpProblems[fe.Code]; ok { // 405's arguments are the request's: refusal adds them
			return p.error(kind, err)
		}
		return internalProblem.error(kind, err)
	}
	return internalProblem.error(apperr.Internal, err)
}

func (p httpProblem) error(kind apperr.Kind, cause error, args ...any) *apperr.Error {
	msg := p.english
	if len(args) > 0 {
		msg = fmt.Sprintf(p.english, args...)
	}
	return &apperr.Error{Kind: kind, Code: p.code, Message: msg, Args: args, Err: cause}
}

func (s *Server) handleError(c *fiber.Ctx, err error) error {
	r := s.refusal(c, err)
	if r.status >= 500 {
		s.log.Error("request failed", "request_id", r.requestID, "method", c.Method(), "path", loggedPath(c), "err", err)
	}
	if r.status == fiber.StatusUnauthorized && IsAPI(c) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="plateau"`)
	}
	if r.said.Kind == apperr.TooMany && r.said.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(r.said.RetryAfter))
	}
	if IsAPI(c) || !acceptsHTML(c) {
		c.Set(fiber.HeaderContentType, "application/problem+json")
		c.Set(fiber.HeaderContentLanguage, LocaleOf(c))
		return c.Status(r.status).JSON(r.problem(c), "application/problem+json")
	}
	if s.cfg.Views != nil {
		page := Page{Title: r.title, Locale: LocaleOf(c), Path: c.Path(), RequestID: r.requestID,
			Data: ErrorPage{Status: r.status, Kind: r.kind, Message: r.said.Message, Fields: r.said.Fields}}
		if sess, err := s.Session(c); err == nil {
			page.CSRF = sess.CSRF
		}
		renderErr := c.Status(r.status).Render("error", page, "layouts/bare")
		if renderErr == nil {
			return nil
		}
		s.log.Error("rendering the error page failed", "err", renderErr)
	}
	return c.Status(r.status).SendString(r.said.Message)
}

// ProblemOf is err as the error handler would answer it to the request, for
// an answer written ahead of time (a replay of the request): its status,
// and its problem detail in the request's language.
func (s *Server) ProblemOf(c *fiber.Ctx, err error) (int, Problem) {
	r := s.refusal(c, err)
	return r.status, r.problem(c)
}

// refusal is how an error is answered: its status, its kind and title,
// and what it says in the request's language.
type refusal struct {
	status      int
	kind, title string
	said        *apperr.Error
	requestID   string
}

func (s *Server) refusal(c *fiber.Ctx, err error) refusal {
	e := toAppError(err)
	r := refusal{status: statusOf[e.Kind], kind: string(e.Kind), title: titleOf(e.Kind)}
	if r.status == 0 {
		r.status = fiber.StatusInternalServerError
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		if k, ok := httpKinds[fe.Code]; ok {
			r.status, r.kind, r.title = fe.Code, k.kind, k.title
		}
	}
	switch {
	case r.status == fiber.StatusMethodNotAllowed:
		// fiber has listed the methods the address takes in Allow.
		e = httpProblems[r.status].error(e.Kind, err, c.Method(), c.GetRespHeader(fiber.HeaderAllow))
	case e.Kind == apperr.Internal:
		e = internalProblem.error(apperr.Internal, err)
	}
	r.said = s.Localize(c, e)
	if s.cfg.Words != nil {
		r.title = s.T(c, "error.title."+r.kind)
	}
	r.requestID, _ = c.Locals("requestid").(string)
	return r
}

func (r refusal) problem(c *fiber.Ctx) Problem {
	return Problem{
		Type:      "https://plateau.example/problems/" + r.kind,
		Title:     r.title,
		Status:    r.status,
		Code:      r.said.Code,
		Detail:    r.said.Message,
		Instance:  c.OriginalURL(),
		Errors:    r.said.Fields,
		RequestID: r.requestID,
	}
}

// ErrorPage is what the error template shows.
type ErrorPage struct {
	Status  int
	Kind    string // the apperr kind, or the httpKind, which names the translated title
	Message string
	Fields  []apperr.FieldError
}

func acceptsHTML(c *fiber.Ctx) bool {
	return c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMETextHTML
}

func titleOf(k apperr.Kind) string {
	switch k {
	case apperr.Invalid:
		return "Invalid input"
	case apperr.NotFound:
		return "Not found"
	case apperr.Conflict:
		return "Conflict"
	case apperr.Unauthorized:
		return "Not signed in"
	case apperr.Forbidden:
		return "Not allowed"
	case apperr.TooMany:
		return "Too many attempts"
	case apperr.TooLarge:
		return "Too large"
	case apperr.Unavailable:
		return "Temporarily unavailable"
	}
	return "Internal error"
}
