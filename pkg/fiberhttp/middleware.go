package fiberhttp

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plateau_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "plateau_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.duration)
	}
	return m
}

// logRequests writes one JSON log line per request and feeds the metrics.
// Routes, not raw paths, label the metrics, so ids do not explode them.
func (s *Server) logRequests(m *metrics) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			if herr := s.App.ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		elapsed := time.Since(start)
		status := c.Response().StatusCode()
		route := routeLabel(c)
		method := methodLabel(c.Method())
		m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
		attrs := []any{"request_id", c.Locals("requestid"), "method", c.Method(), "path", loggedPath(c),
			"route", route, "status", status, "duration_ms", elapsed.Milliseconds(), "ip", c.IP()}
		if p, ok := PrincipalOf(c); ok {
			attrs = append(attrs, "org_id", p.OrgID, "actor", p.Label)
		}
		level := slog.LevelInfo
		if s.cfg.QuietOps && status < fiber.StatusBadRequest && opsRoute(route) {
			level = slog.LevelDebug
		}
		s.log.Log(c.UserContext(), level, "http", attrs...)
		return nil
	}
}

// opsRoute reports whether a route serves operations or static files:
// what QuietOps logs at debug level.
func opsRoute(route string) bool {
	switch route {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(route, "/static/")
}

// The labels outlive the request, while fiber's strings are views of
// fasthttp's buffers, rewritten by the next request on them ("GET" becomes
// "GETETE" and the registry refuses to be read): they are constants, or
// copies.

// methodLabel is the method as one of fiber's constants.
func methodLabel(method string) string {
	for _, m := range fiber.DefaultMethods {
		if m == method {
			return m
		}
	}
	return "OTHER"
}

// routeLabel is the pattern of the route that answered, copied; a request
// no route took (404, 405) is "unmatched", not the "/" of the middleware
// that saw it last.
func routeLabel(c *fiber.Ctx) string {
	rt := c.Route()
	if rt.Method == methodUse {
		return "unmatched"
	}
	return strings.Clone(rt.Path)
}

// methodUse is the method fiber gives the routes of middleware (App.Use).
const methodUse = "USE"

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.log.Error("panic", "request_id", c.Locals("requestid"), "path", loggedPath(c), "panic", fmt.Sprint(e))
}

// loggedPath is the path as logs may keep it: a route with parameters is
// logged as its pattern, since parameters can be secrets (the one-time
// token of /password/reset/:token).
func loggedPath(c *fiber.Ctx) string {
	if route := c.Route().Path; strings.ContainsAny(route, ":*") {
		return route
	}
	return c.Path()
}

// contentSecurityPolicy allows only this site's own scripts, styles and
// images: no inline script, no third party, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

func securityHeaders(https bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if https {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}
