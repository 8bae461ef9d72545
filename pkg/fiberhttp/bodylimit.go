package fiberhttp

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Request bodies are streamed (fasthttp's StreamRequestBody) and bounded
// here, before anything reads them: by Config.BodyLimit, or by the limit of
// a route registered with Upload. Multipart files are then spooled to
// temporary files by the multipart reader rather than held in memory, so a
// 200 MB lead file costs disk, not RAM. A body without a length (chunked)
// is refused: every client of this server, browsers included, sends one.

// largeBody is an upload route's pattern ("/portal/campaigns/:id/imports")
// and its limit.
type largeBody struct {
	method   string
	segments []string
	limit    int
}

// Upload registers a POST route whose body may reach limit bytes.
func (r *Router) Upload(path string, perm tenancy.Permission, limit int, h ...fiber.Handler) {
	r.s.large = append(r.s.large, largeBody{method: fiber.MethodPost, segments: splitPath(r.prefix + path), limit: limit})
	r.add(fiber.MethodPost, path, perm, h)
}

func splitPath(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

func (l largeBody) matches(method string, segments []string) bool {
	if method != l.method || len(segments) != len(l.segments) {
		return false
	}
	for i, s := range l.segments {
		if s != segments[i] && !(strings.HasPrefix(s, ":") && segments[i] != "") {
			return false
		}
	}
	return true
}

// bodyLimit is the limit of a request's body: its upload route's, or the
// server's.
func (s *Server) bodyLimit(c *fiber.Ctx) int {
	segments := splitPath(c.Path())
	for _, l := range s.large {
		if l.matches(c.Method(), segments) {
			return l.limit
		}
	}
	return s.cfg.BodyLimit
}

// limitBody refuses a body over its limit before it is read. A body within
// the server's limit is read at once, as without streaming; an upload's is
// left to its handler, and the connection is closed after it, since what
// the handler did not read would otherwise be taken for the next request.
func (s *Server) limitBody(c *fiber.Ctx) error {
	n := c.Request().Header.ContentLength()
	if n == -1 { // chunked
		closeAfterAnswer(c)
		return apperr.New(apperr.Invalid, "http.body.no_length", "send the request body with a Content-Length")
	}
	limit := s.bodyLimit(c)
	if n > limit {
		closeAfterAnswer(c)
		return apperr.New(apperr.TooLarge, "http.body.over_limit", "the request body is %s, over the limit of %s for this address", size(n), size(limit))
	}
	if limit == s.cfg.BodyLimit {
		c.Request().Body()
		return c.Next()
	}
	// An upload may take longer than the server's read timeout, which
	// counts from the headers: give it time for a slow line (200 MiB at
	// 2 Mbit/s is about 15 minutes).
	if err := c.Context().Conn().SetReadDeadline(time.Now().Add(uploadReadTimeout)); err != nil {
		return err
	}
	closeAfterAnswer(c)
	return c.Next()
}

// uploadReadTimeout is how long an upload's body may take to arrive.
const uploadReadTimeout = 20 * time.Minute

// size writes a byte count as people read it: "4 MiB", "200 MiB", "812 KiB".
func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.4g MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.4g KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
