package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/secret"
)

// globals are the options every command takes.
type globals struct {
	logFormat string
	logLevel  string
	json      bool

	stdout, stderr io.Writer
}

// settings are one command's options. Each comes from its PLATEAU_*
// variable, and a flag overrides it; each command has its own, since their
// defaults differ (dev runs on memory://, serve on a Redis server).
type settings struct {
	*globals
	databaseURL string
	systemURL   string // the cross-org lookups' own login, when the application's cannot switch to it
	redisURL    string
	httpAddr    string
	baseURL     string
	cookies     string
	smtpURL     string
	mailFrom    string
	mailToLog   bool
	proxies     string
	secretKey   string
	recordings  string // where recorded calls are kept: a directory or an s3:// bucket
}

// option declares a flag whose default is its environment variable.
func option(fs *pflag.FlagSet, p *string, name, env, def, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		def = v
	}
	fs.StringVar(p, name, def, usage+" (env "+env+")")
}

func (s *settings) databaseFlag(fs *pflag.FlagSet) {
	option(fs, &s.databaseURL, "database-url", "PLATEAU_DATABASE_URL", "sqlite:./var/plateau.db",
		"database: postgres://user:pass@host:5432/db or sqlite:PATH")
	option(fs, &s.systemURL, "system-database-url", "PLATEAU_SYSTEM_DATABASE_URL", "",
		"PostgreSQL: the login of the role plateau_system, for the cross-org lookups (default: the database URL's login, switching role)")
}

func (s *settings) secretFlag(fs *pflag.FlagSet) {
	option(fs, &s.secretKey, "secret-key", "PLATEAU_SECRET_KEY", "",
		"32 bytes in base64 (openssl rand -base64 32) sealing the SIP trunks' passwords in the database; the same in every process")
}

func (s *settings) recordingsFlag(fs *pflag.FlagSet) {
	option(fs, &s.recordings, "recordings-url", "PLATEAU_RECORDINGS_URL", "file:./var/recordings",
		"where recorded calls are kept and read back: file:DIR (one machine), or s3://ACCESS_KEY:SECRET_KEY@host[:port]/bucket[/prefix]?region=… shared by every serve and worker")
}

func (s *settings) redisFlag(fs *pflag.FlagSet, def string) {
	option(fs, &s.redisURL, "redis-url", "PLATEAU_REDIS_URL", def,
		"Redis: redis://host:6379/0, or memory:// for an in-process server (one machine only)")
}

func (s *settings) httpFlags(fs *pflag.FlagSet, addr string) {
	option(fs, &s.httpAddr, "http-addr", "PLATEAU_HTTP_ADDR", addr, "address the HTTP server listens on")
	option(fs, &s.baseURL, "base-url", "PLATEAU_BASE_URL", "", "public URL of the site, used in mailed links (required, except for dev: http://localhost:<port>)")
	option(fs, &s.proxies, "trusted-proxies", "PLATEAU_TRUSTED_PROXIES", "",
		"comma-separated addresses or CIDRs of the load balancers in front: the client address is then read from X-Forwarded-For")
	option(fs, &s.cookies, "secure-cookies", "PLATEAU_SECURE_COOKIES", "auto",
		"mark cookies Secure: true, false, or auto (true for https base URLs and localhost)")
}

func (s *settings) mailFlags(fs *pflag.FlagSet) {
	option(fs, &s.smtpURL, "smtp-url", "PLATEAU_SMTP_URL", "",
		"SMTP server for invitation and reset mails: smtp://user:pass@host:587 (STARTTLS required off loopback unless ?starttls=optional) or smtps://…")
	option(fs, &s.mailFrom, "mail-from", "PLATEAU_MAIL_FROM", "Plateau <no-reply@plateau.local>", "sender of the platform's mails")
	fs.BoolVar(&s.mailToLog, "mail-to-log", false, "write mails, one-time links included, to the log instead of sending them (dev always does)")
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "plateau",
		Short: "Plateau: outbound phoning campaigns contracted to call centers, executed, kept legal and billed per call",
		Long: `Plateau is one binary with several roles.

  plateau dev        everything in one process on embedded defaults (SQLite, in-process Redis), with demo data
  plateau serve      the HTTP front doors (portal, center, agent, console, API)
  plateau worker     the job queue worker and the periodic scheduler
  plateau migrate    apply, roll back or list schema migrations
  plateau org|user|apikey   operator tools to provision tenants
  plateau compliance decide  why a number may or may not be called, and when
  plateau lists upload       load a national do-not-call list of any size
  plateau simulate           run a campaign in virtual time on simulated calls and agents
  plateau calls export       one line per call of a campaign, to audit it
  plateau verify             check the execution's invariants; non-zero on a breach
  plateau cdr import         end a center's calls with its own dialer's call detail records
  plateau bench suppression  measure the suppression set at scale
  plateau bench dispatch     measure claims per second on a large running campaign

Every option can be given as a flag or as its PLATEAU_* environment variable;
the flag wins.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	option(pf, &g.logFormat, "log-format", "PLATEAU_LOG_FORMAT", "json", "log format: json or text")
	option(pf, &g.logLevel, "log-level", "PLATEAU_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	pf.BoolVar(&g.json, "json", false, "print results as JSON objects, for scripts")
	for _, command := range []func(*settings) *cobra.Command{devCommand, serveCommand, workerCommand,
		migrateCommand, orgCommand, userCommand, apikeyCommand, listsCommand, benchCommand, complianceCommand, cdrCommand,
		simulateCommand, callsCommand, verifyCommand} {
		root.AddCommand(command(&settings{globals: g}))
	}
	return root
}

func (s *globals) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", s.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch s.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(s.stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(s.stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use json or text", s.logFormat)
}

// platformConfig resolves the HTTP settings into the platform's config.
// Only dev may leave the base URL out: elsewhere mailed links would point
// at localhost. Dev logs health checks and static files at debug level.
func (s *settings) platformConfig(dev bool) (platform.Config, error) {
	base := s.baseURL
	if base == "" && !dev {
		return platform.Config{}, fmt.Errorf("--base-url (PLATEAU_BASE_URL) is required: the public URL of the site, for links in mails")
	}
	if base == "" {
		port := s.httpAddr[strings.LastIndex(s.httpAddr, ":")+1:]
		base = "http://localhost:" + port
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return platform.Config{}, fmt.Errorf("--base-url %q: give an absolute http(s) URL", base)
	}
	var secure bool
	switch s.cookies {
	case "true":
		secure = true
	case "false":
		secure = false
	case "auto":
		// Browsers treat http://localhost as a secure context and keep Secure
		// cookies there, so only a plain-http public host needs them off.
		secure = u.Scheme == "https" || u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1"
	default:
		return platform.Config{}, fmt.Errorf("--secure-cookies %q: use true, false or auto", s.cookies)
	}
	var proxies []string
	for _, p := range strings.Split(s.proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	var key []byte
	if s.secretKey != "" {
		if key, err = secret.ParseKey(s.secretKey); err != nil {
			return platform.Config{}, fmt.Errorf("--secret-key (PLATEAU_SECRET_KEY): %w", err)
		}
	}
	return platform.Config{DatabaseURL: s.databaseURL, SecretKey: key, SystemDatabaseURL: s.systemURL, RedisURL: s.redisURL, HTTPAddr: s.httpAddr,
		BaseURL: strings.TrimSuffix(base, "/"), SecureCookies: secure, TrustedProxies: proxies, QuietOps: dev, Recordings: s.recordings}, nil
}
