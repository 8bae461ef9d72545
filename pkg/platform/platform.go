// Package platform composes the adapters into a running platform: the
// database, Redis, RBAC, sessions, login throttles, the job queue client
// and the HTTP server with its middleware. The binary (cmd/plateau) and the
// end-to-end tests of every app build the same thing through it, so what is
// tested is what runs. Front doors (apps/…) mount their routes on Server.
package platform

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/template/html/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/pkg/rbac"
	"github.com/plateau-bpo/plateau/pkg/redisstore"
	"github.com/plateau-bpo/plateau/pkg/screening"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/web"
)

// Config is every setting the platform reads; cmd/plateau fills it from
// PLATEAU_* variables and flags.
type Config struct {
	DatabaseURL    string
	RedisURL       string
	HTTPAddr       string
	BaseURL        string
	SecureCookies  bool
	SessionIdle    time.Duration
	BodyLimit      int
	TrustedProxies []string // load balancers whose X-Forwarded-For is believed
}

// Platform is the composed platform.
type Platform struct {
	Cfg      Config
	Log      *slog.Logger
	DB       *store.DB
	Redis    *redisstore.Redis
	Authz    *rbac.Authorizer
	Sessions *redisstore.Sessions
	Server   *fiberhttp.Server
	I18n     *i18n.Catalog
	Registry *prometheus.Registry
	Throttle LoginThrottle
	Queue    *asynqjobs.Queue // where committed outbox messages go
	Screener *screening.Screener

	cancel context.CancelFunc
}

// LoginThrottle limits failed sign-ins per account and per address.
type LoginThrottle struct {
	Account *redisstore.Throttle
	IP      *redisstore.Throttle
}

// Open connects to the database (as the application role) and Redis,
// refuses a database whose migrations are behind, and builds the server.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Platform, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, false)
	if err != nil {
		return nil, err
	}
	if err := db.CheckMigrated(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	red, err := redisstore.Open(ctx, cfg.RedisURL)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	p, err := Assemble(ctx, cfg, log, db, red)
	if err != nil {
		_ = red.Close()
		_ = db.Close()
	}
	return p, err
}

// Assemble builds the platform on an open database and Redis (tests open
// their own).
func Assemble(ctx context.Context, cfg Config, log *slog.Logger, db *store.DB, red *redisstore.Redis) (*Platform, error) {
	catalog, err := i18n.Load(web.FS, "i18n")
	if err != nil {
		return nil, err
	}
	views, err := newViews(catalog)
	if err != nil {
		return nil, err
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 12 * time.Hour
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &Platform{Cfg: cfg, Log: log, DB: db, Redis: red, I18n: catalog, cancel: cancel,
		Authz:    rbac.New(db, 5*time.Minute),
		Sessions: redisstore.NewSessions(red, cfg.SessionIdle),
		Registry: prometheus.NewRegistry(),
		Throttle: LoginThrottle{
			Account: redisstore.NewThrottle(red, "login-account", 5, 15*time.Minute),
			// Failures only (a success gives its slot back): a call center floor
			// signs in from one address.
			IP: redisstore.NewThrottle(red, "login-ip", 100, 15*time.Minute),
		},
	}
	p.Queue = asynqjobs.NewQueue(red.Options, log)
	db.SetPublisher(p.Queue)
	p.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// A policy change drops the org from this process's cache at once and
	// from every other process's through Redis.
	db.OnPolicyChange(func(org uuid.UUID) {
		p.Authz.Invalidate(org)
		if err := red.AnnouncePolicyChange(context.Background(), org); err != nil {
			log.Warn("announce policy change", "org_id", org, "err", err)
		}
	})
	red.FollowPolicyChanges(ctx, log, p.Authz.Invalidate)
	p.Screener = screening.New(db)
	if err := p.Screener.Reload(ctx); err != nil {
		return nil, fmt.Errorf("load the national do-not-call lists: %w", err)
	}
	go p.reloadLists(ctx)

	p.Server = fiberhttp.New(fiberhttp.Config{
		Addr: cfg.HTTPAddr, BaseURL: cfg.BaseURL, SecureCookies: cfg.SecureCookies,
		BodyLimit: cfg.BodyLimit, Views: views, Logger: log, TrustedProxies: cfg.TrustedProxies,
	}, fiberhttp.Deps{
		Sessions: p.Sessions, Accounts: db, Keys: db, Authz: p.Authz, Registry: p.Registry,
		Checks: map[string]fiberhttp.Check{"database": db.Ping, "redis": red.Ping},
	})
	// The route path is not stripped from the request path, so /static/app.css
	// is looked up as static/app.css in the embedded tree.
	p.Server.Group("").Get("/static/*", tenancy.Public, filesystem.New(filesystem.Config{
		Root: http.FS(web.FS), MaxAge: 3600,
	}))
	p.Server.Group("").Get("/", tenancy.Public, p.home)
	return p, nil
}

// reloadLists picks up national lists uploaded through another process.
func (p *Platform) reloadLists(ctx context.Context) {
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := p.Screener.Reload(ctx); err != nil && ctx.Err() == nil {
				p.Log.Warn("reload national lists", "err", err)
			}
		}
	}
}

// home sends a visitor to sign in and a signed-in person to their front door.
func (p *Platform) home(c *fiber.Ctx) error {
	v := fiberhttp.ViewerOf(c)
	if v == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	return c.Redirect(tenancy.HomePath(v.Membership.Org.Kind, v.Membership.Role), fiber.StatusSeeOther)
}

func newViews(catalog *i18n.Catalog) (*html.Engine, error) {
	templates, err := fs.Sub(web.FS, "templates")
	if err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(templates), ".html")
	engine.AddFuncMap(template.FuncMap{
		"t":     catalog.T,
		"upper": strings.ToUpper,
		"date":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	})
	if err := engine.Load(); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return engine, nil
}

// Close stops background work and disconnects.
func (p *Platform) Close() error {
	p.cancel()
	return errors.Join(p.Queue.Close(), p.Redis.Close(), p.DB.Close())
}
