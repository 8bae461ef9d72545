// Package platform is the composition root: the one place where the
// binary's adapters (the database, Redis, RBAC, sessions, login throttles,
// the job queue, the HTTP server), its use cases (pkg/store's services, on
// the process's one copy of the national lists and its one clock) and its
// front doors (apps/…, each given a Deps holding only what it uses) are
// built and wired. cmd/plateau runs what it builds; the end-to-end tests
// of every front door build the same thing through platformtest, so what
// is tested is what runs.
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

	"github.com/plateau-bpo/plateau/apps/account"
	"github.com/plateau-bpo/plateau/apps/agent"
	"github.com/plateau-bpo/plateau/apps/api"
	"github.com/plateau-bpo/plateau/apps/center"
	"github.com/plateau-bpo/plateau/apps/console"
	"github.com/plateau-bpo/plateau/apps/portal"
	"github.com/plateau-bpo/plateau/apps/worker"
	"github.com/plateau-bpo/plateau/pkg/agentfeed"
	"github.com/plateau-bpo/plateau/pkg/asynqjobs"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/rbac"
	"github.com/plateau-bpo/plateau/pkg/recordings"
	"github.com/plateau-bpo/plateau/pkg/redisstore"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
	"github.com/plateau-bpo/plateau/web"
)

// Config is every setting the platform reads; cmd/plateau fills it from
// PLATEAU_* variables and flags.
type Config struct {
	DatabaseURL string
	// SystemDatabaseURL is the login of the cross-org lookups' role, when
	// DatabaseURL's login cannot switch to it (it logs in as plateau_app).
	SystemDatabaseURL string
	RedisURL          string
	HTTPAddr          string
	BaseURL           string
	SecureCookies     bool
	SessionIdle       time.Duration
	BodyLimit         int
	TrustedProxies    []string // load balancers whose X-Forwarded-For is believed
	// QuietOps logs health checks and static files at debug level
	// (plateau dev: the console shows the requests that matter).
	QuietOps bool
	// Now is the platform's one clock; nil is time.Now. Tests move it.
	Now func() time.Time
	// SecretKey seals the secrets the platform keeps to use them later (a
	// SIP trunk's password: secret.Box); without one such a secret is
	// refused rather than kept in clear.
	SecretKey []byte
	// Recordings is where the calls' recordings are kept and read back
	// from (recordings.Open): a directory, or an S3-compatible bucket that
	// every serve and worker process shares; empty keeps none (a
	// recording campaign's calls are then refused by the SIP dialer).
	Recordings string
}

// Platform is the composed platform.
type Platform struct {
	Cfg      Config
	Log      *slog.Logger
	DB       *store.DB
	Redis    *redisstore.Redis
	Authz    *rbac.Authorizer
	Server   *fiberhttp.Server
	I18n     *i18n.Catalog
	Queue    *asynqjobs.Queue // where committed outbox messages go
	Lists    *nationallist.Registry
	Services store.Services
	Throttle account.Throttle // failed sign-ins per account and per address
	// Feed carries the engine's events for each agent to the agent's
	// event stream (GET /api/v1/agent/events).
	Feed *agentfeed.Broker
	// Recordings keeps the calls' recordings; nil when Cfg names none.
	Recordings recordings.Store

	cancel context.CancelFunc
}

// Open connects to the database (as the application role) and Redis,
// refuses a database whose migrations are behind, and builds the platform.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Platform, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, false)
	if err != nil {
		return nil, err
	}
	if cfg.SystemDatabaseURL != "" {
		if err := db.ConnectSystem(ctx, cfg.SystemDatabaseURL); err != nil {
			_ = db.Close()
			return nil, err
		}
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
// their own), with every front door mounted.
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
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	db.Now = cfg.Now
	if cfg.SecretKey != nil {
		box, err := secret.NewBox(cfg.SecretKey)
		if err != nil {
			return nil, err
		}
		db.SetSecretBox(box)
	}
	var kept recordings.Store
	if cfg.Recordings != "" {
		if kept, err = recordings.Open(cfg.Recordings); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &Platform{Recordings: kept, Cfg: cfg, Log: log, DB: db, Redis: red, I18n: catalog, cancel: cancel,
		Authz: rbac.New(db, 5*time.Minute), Lists: nationallist.NewRegistry(), Feed: &agentfeed.Broker{}}
	p.Queue = asynqjobs.NewQueue(red.Options, log)
	db.SetPublisher(p.Queue)
	db.SetAuthorizer(p.Authz.Allowed)
	// A policy change drops the org from this process's cache at once and
	// from every other process's through Redis.
	db.OnPolicyChange(func(org uuid.UUID) {
		p.Authz.Invalidate(org)
		if err := red.AnnouncePolicyChange(context.Background(), org); err != nil {
			log.Warn("announce policy change", "org_id", org, "err", err)
		}
	})
	red.FollowPolicyChanges(ctx, log, p.Authz.Invalidate)
	p.Services = store.NewServices(db, p.Lists, log)
	// A revoked API key is forgotten by this process's cache at once and by
	// every other process's through Redis.
	db.OnKeyRevoked(func(hash []byte) {
		if err := red.AnnounceKeyRevoked(context.Background(), hash); err != nil {
			log.Warn("announce API key revocation", "err", err)
		}
	})
	red.FollowKeyRevocations(ctx, log, p.Services.Accounts.ForgetKey)
	if err := p.Services.Compliance.ReloadLists(ctx); err != nil {
		p.abandon()
		return nil, fmt.Errorf("load the national do-not-call lists: %w", err)
	}
	go p.reloadLists(ctx)

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	p.Server = fiberhttp.New(fiberhttp.Config{
		Addr: cfg.HTTPAddr, BaseURL: cfg.BaseURL, SecureCookies: cfg.SecureCookies, BodyLimit: cfg.BodyLimit,
		Views: views, Logger: log, TrustedProxies: cfg.TrustedProxies, Words: catalog, QuietOps: cfg.QuietOps,
	}, fiberhttp.Deps{
		Sessions: redisstore.NewSessions(red, cfg.SessionIdle), Accounts: p.Services.Accounts, Keys: p.Services.Accounts,
		Authz: p.Authz, Registry: registry,
		Checks: map[string]fiberhttp.Check{"database": db.Ping, "redis": red.Ping},
	})
	if err := p.mount(); err != nil {
		p.abandon()
		return nil, err
	}
	return p, nil
}

// abandon undoes what Assemble started, when it fails.
func (p *Platform) abandon() {
	p.cancel()
	if p.Recordings != nil {
		_ = p.Recordings.Close()
	}
}

// mount adds every front door's routes to the server, each built with the
// use cases it uses and nothing else.
func (p *Platform) mount() error {
	s, svc := p.Server, p.Services
	// The route path is not stripped from the request path, so /static/app.css
	// is looked up as static/app.css in the embedded tree.
	s.Group("").Get("/static/*", tenancy.Public, filesystem.New(filesystem.Config{Root: http.FS(web.FS), MaxAge: 3600}))
	s.Group("").Get("/", tenancy.Public, home)
	p.Throttle = account.Throttle{
		Account: redisstore.NewThrottle(p.Redis, "login-account", 5, 15*time.Minute),
		// Failures only (a success gives its slot back): a call center
		// floor signs in from one address.
		IP: redisstore.NewThrottle(p.Redis, "login-ip", 100, 15*time.Minute),
	}
	acc, err := account.New(account.Deps{Server: s, Accounts: svc.Accounts, Tenancy: svc.Tenancy, Throttle: p.Throttle})
	if err != nil {
		return err
	}
	acc.Mount()
	portal.New(portal.Deps{Server: s, Tenancy: svc.Tenancy, Campaigns: svc.Campaigns, Market: svc.Market,
		Scripts: svc.Scripts, Leads: svc.Leads, Compliance: svc.Compliance, Now: p.Cfg.Now}).Mount()
	center.New(center.Deps{Server: s, Tenancy: svc.Tenancy, Campaigns: svc.Campaigns, Market: svc.Market,
		Leads: svc.Leads, Compliance: svc.Compliance, Views: svc.CenterViews, Trunks: svc.Trunks, Now: p.Cfg.Now}).Mount()
	agent.New(agent.Deps{Server: s, Tenancy: svc.Tenancy}).Mount()
	console.New(console.Deps{Server: s, Tenancy: svc.Tenancy, Oversight: svc.Oversight, Compliance: svc.Compliance,
		Jobs: svc.Jobs, Queues: p.Queue, BodyLimit: p.Cfg.BodyLimit, Now: p.Cfg.Now}).Mount()
	api.New(api.Deps{Server: s, Log: p.Log, Tenancy: svc.Tenancy, Campaigns: svc.Campaigns, Market: svc.Market,
		Scripts: svc.Scripts, Leads: svc.Leads, Compliance: svc.Compliance, CDRs: svc.CDRs, Idempotency: svc.Idempotency,
		Calls: svc.Calls, Presence: svc.Presence, Assignments: svc.Assignments, Agents: svc.Agents, Trunks: svc.Trunks,
		Feed: p.Feed, Recordings: p.Recordings}).Mount()
	return nil
}

// Worker builds the job worker on the platform's use cases: mails go
// through sender, links in them start with the platform's base URL, and
// the periodic tasks are scheduled when scheduler is set (one process per
// deployment).
func (p *Platform) Worker(sender mail.Sender, scheduler bool) *worker.Worker {
	return worker.New(worker.Deps{Redis: p.Redis.Options, Orgs: p.DB, Accounts: p.Services.Accounts,
		Leads: p.Services.Leads, Jobs: p.Services.Jobs, Mail: sender, BaseURL: p.Cfg.BaseURL, Log: p.Log,
		Scheduler: scheduler, Now: p.Cfg.Now})
}

// Services builds the use cases on an open database, with the national
// lists loaded, for the operator's commands that need no HTTP server nor
// Redis (plateau user, apikey, compliance decide, lists upload, bench).
func Services(ctx context.Context, db *store.DB, log *slog.Logger) (store.Services, error) {
	svc := store.NewServices(db, nationallist.NewRegistry(), log)
	return svc, svc.Compliance.ReloadLists(ctx)
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
			if err := p.Services.Compliance.ReloadLists(ctx); err != nil && ctx.Err() == nil {
				p.Log.Warn("reload national lists", "err", err)
			}
		}
	}
}

// home sends a visitor to sign in and a signed-in person to their front door.
func home(c *fiber.Ctx) error {
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
		"n":     i18n.Number[int], // a count in the reader's locale: {{n $.Locale .Volume}}
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
	var kept error
	if p.Recordings != nil {
		kept = p.Recordings.Close()
	}
	return errors.Join(p.Queue.Close(), p.Redis.Close(), p.DB.Close(), kept)
}
