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

// Problem is an RFC 9457 problem detail, with the invalid fields.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Instance  string              `json:"instance,omitempty"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

// toAppError maps any error, fiber's included, to an *apperr.Error.
func toAppError(err error) *apperr.Error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		kind, ok := kindOfStatus[fe.Code]
		if !ok {
			kind = apperr.Internal
		}
		msg := fe.Message
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			msg = "the request body is larger than the server accepts"
		case fiber.StatusNotFound:
			msg = "there is nothing at this address"
		case fiber.StatusRequestHeaderFieldsTooLarge:
			msg = "the request headers are larger than the server accepts; a cookie or a header may have grown too large"
		}
		return &apperr.Error{Kind: kind, Message: msg, Err: err}
	}
	if e := apperr.As(err); e != nil {
		return e
	}
	return &apperr.Error{Kind: apperr.Internal, Message: "something went wrong on our side", Err: err}
}

func (s *Server) handleError(c *fiber.Ctx, err error) error {
	e := toAppError(err)
	status := statusOf[e.Kind]
	if status == 0 {
		status = fiber.StatusInternalServerError
	}
	kind, title := string(e.Kind), titleOf(e.Kind)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		if k, ok := httpKinds[fe.Code]; ok {
			status, kind, title = fe.Code, k.kind, k.title
		}
	}
	reqID, _ := c.Locals("requestid").(string)
	message := e.Message
	switch {
	case status == fiber.StatusMethodNotAllowed:
		// fiber has listed the methods the address takes in Allow.
		message = fmt.Sprintf("this address does not take %s; it takes %s", c.Method(), c.GetRespHeader(fiber.HeaderAllow))
	case status == fiber.StatusUnauthorized && IsAPI(c):
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="plateau"`)
	}
	if status >= 500 {
		s.log.Error("request failed", "request_id", reqID, "method", c.Method(), "path", loggedPath(c), "err", err)
		if e.Kind == apperr.Internal {
			message = "something went wrong on our side; the request id helps support find out what"
		}
	}
	if e.Kind == apperr.TooMany && e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(e.RetryAfter))
	}
	if IsAPI(c) || !acceptsHTML(c) {
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.Status(status).JSON(Problem{
			Type:      "https://plateau.example/problems/" + kind,
			Title:     title,
			Status:    status,
			Detail:    message,
			Instance:  c.OriginalURL(),
			Errors:    e.Fields,
			RequestID: reqID,
		}, "application/problem+json")
	}
	if s.cfg.Views != nil {
		page := Page{Title: title, Locale: LocaleOf(c), Path: c.Path(), RequestID: reqID,
			Data: ErrorPage{Status: status, Kind: kind, Message: message, Fields: e.Fields}}
		if sess, err := s.Session(c); err == nil {
			page.CSRF = sess.CSRF
		}
		renderErr := c.Status(status).Render("error", page, "layouts/bare")
		if renderErr == nil {
			return nil
		}
		s.log.Error("rendering the error page failed", "err", renderErr)
	}
	return c.Status(status).SendString(message)
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
