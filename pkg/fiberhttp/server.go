// Package fiberhttp is the fiber adapter: one HTTP server for every front
// door, with the middleware they share (request ids, JSON logs, panic
// recovery, security headers, metrics, authentication, CSRF), the error
// handler that answers problem+json under /api and friendly pages
// elsewhere, and a router on which every route declares its permission.
//
// It imports fiber, the Prometheus client and domain packages; it reaches
// sessions, accounts, keys and policies through the small interfaces below.
package fiberhttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/plateau-bpo/plateau/pkg/session"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// AccountLoader loads a signed-in user with their orgs.
type AccountLoader interface {
	AccountByID(ctx context.Context, id uuid.UUID) (tenancy.Account, error)
}

// KeyResolver resolves a bearer API key.
type KeyResolver interface {
	APIKeyBySecret(ctx context.Context, key string) (tenancy.APIKey, tenancy.Org, error)
}

// Authorizer answers whether a principal holds a permission.
type Authorizer interface {
	Allowed(ctx context.Context, p tenancy.Principal, perm tenancy.Permission) (bool, error)
}

// Check is a readiness probe of one dependency.
type Check func(ctx context.Context) error

// Config is the server's settings.
type Config struct {
	Addr          string
	BaseURL       string
	SecureCookies bool
	BodyLimit     int // bytes
	Views         fiber.Views
	Logger        *slog.Logger
	// TrustedProxies are the load balancers in front: the client's address
	// is read from their X-Forwarded-For, and only theirs. Empty: the peer.
	TrustedProxies []string
	// Words are the catalogs pages and messages are said in.
	Words Words
	// QuietOps logs the answered requests of the operations routes
	// (/healthz, /readyz, /metrics) and of the static files at debug
	// level, so that a developer's console shows what matters (plateau
	// dev); a refused or failed one is logged as any other.
	QuietOps bool
}

// Words are the platform's catalogs: T says a key in a locale ("fr",
// "en"), falling back to English; Lookup says it only if that locale has
// it.
type Words interface {
	T(locale, key string, args ...any) string
	Lookup(locale, key string, args ...any) (string, bool)
}

// Deps are what the server's middleware reaches.
type Deps struct {
	Sessions session.Store
	Accounts AccountLoader
	Keys     KeyResolver
	Authz    Authorizer
	Checks   map[string]Check
	Registry *prometheus.Registry
}

// Server is the HTTP front door.
type Server struct {
	App    *fiber.App
	cfg    Config
	deps   Deps
	log    *slog.Logger
	routes map[string]tenancy.Permission
	large  []largeBody
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "plateau_session"

// New builds the server with its shared middleware and the operational
// routes (/healthz, /readyz, /metrics). Front doors add theirs with Group.
func New(cfg Config, deps Deps) *Server {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 4 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, deps: deps, log: cfg.Logger, routes: map[string]tenancy.Permission{}}
	s.App = fiber.New(fiber.Config{
		AppName: "plateau",
		// encoding/json's answers, byte for byte, in about half the time
		// and a fifth of the allocations: a page of leads is 50 objects.
		JSONEncoder: gojson.Marshal,
		// Bodies are read as streams and bounded by limitBody, per route.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    cfg.BodyLimit,
		ReadBufferSize:               readBufferSize,
		Views:                        cfg.Views,
		ErrorHandler:                 s.handleError,
		DisableStartupMessage:        true,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  120 * time.Second,
		// Behind a load balancer every peer is the balancer: without this, the
		// login throttle and the audit trail would see one address for all.
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
		EnableIPValidation:      true, // the first valid address of the header, not the raw list
	})
	s.App.Server().ErrorHandler = errorBeforeRouting(s.App.Server().ErrorHandler)
	metrics := newMetrics(deps.Registry)
	s.App.Use(requestid.New(requestid.Config{Header: fiber.HeaderXRequestID, Generator: func() string { return uuid.Must(uuid.NewV7()).String() }}))
	s.App.Use(s.logRequests(metrics))
	s.App.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.App.Use(securityHeaders(cfg.SecureCookies))
	s.App.Use(limitHeaders)
	s.App.Use(s.limitBody)
	s.App.Use(s.authenticate)
	s.App.Use(s.checkInput)

	ops := s.Group("")
	ops.Get("/healthz", tenancy.Public, func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	ops.Get("/readyz", tenancy.Public, s.ready)
	if deps.Registry != nil {
		ops.Get("/metrics", tenancy.Public, adaptor.HTTPHandler(promhttp.HandlerFor(deps.Registry, promhttp.HandlerOpts{})))
	}
	return s
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

func (s *Server) ready(c *fiber.Ctx) error {
	results := fiber.Map{}
	status := fiber.StatusOK
	for name, check := range s.deps.Checks {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		err := check(ctx)
		cancel()
		if err != nil {
			status = fiber.StatusServiceUnavailable
			results[name] = "unavailable"
			s.log.Warn("readiness check failed", "check", name, "err", err)
			continue
		}
		results[name] = "ok"
	}
	state := "ok"
	if status != fiber.StatusOK {
		state = "unavailable"
	}
	return c.Status(status).JSON(fiber.Map{"status": state, "checks": results})
}

// Run serves until ctx is done, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on a listener (tests pass one on port 0).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.App.Listener(lingerListener{ln}) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return s.Close()
	}
}

// Close stops accepting requests and waits up to 10 s for those in flight.
func (s *Server) Close() error {
	err := s.App.ShutdownWithTimeout(10 * time.Second)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}
