// Package platformtest builds the whole platform for end-to-end tests of
// the front doors: a fresh migrated database (SQLite, and PostgreSQL when
// configured), a Redis (real when configured), and the HTTP server, with
// helpers to provision tenants and send requests as them.
package platformtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/redisstore"
	"github.com/plateau-bpo/plateau/pkg/redisstore/redistest"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// Env is a running platform for one test.
type Env struct {
	T    *testing.T
	P    *platform.Platform
	DB   dbtest.DB
	logs *LogBuffer
}

// Logs returns what the platform logged so far (JSON lines).
func (e *Env) Logs() string { return e.logs.String() }

// LogBuffer is a log a server writes from its goroutines, read while it runs.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Each runs body against the platform, every front door mounted, on
// SQLite, then on PostgreSQL when PLATEAU_TEST_POSTGRES_URL is set.
func Each(t *testing.T, body func(t *testing.T, e *Env)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		body(t, newEnv(t, db))
	})
}

// New builds the platform on SQLite only, for tests whose subject is not
// the database.
func New(t *testing.T) *Env {
	return newEnv(t, dbtest.SQLite(t))
}

// InProcess builds the platform as `plateau dev` runs it: on SQLite and
// an in-process Redis, whatever the test environment configures.
func InProcess(t *testing.T) *Env {
	t.Helper()
	r, err := redisstore.Open(context.Background(), "memory://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return build(t, dbtest.SQLite(t), r)
}

func newEnv(t *testing.T, db dbtest.DB) *Env {
	t.Helper()
	return build(t, db, redistest.Open(t))
}

func build(t *testing.T, db dbtest.DB, r *redisstore.Redis) *Env {
	t.Helper()
	logs := &LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	cfg := platform.Config{BaseURL: "http://plateau.test", SecureCookies: true, SecretKey: TestSecretKey, Recordings: t.TempDir()}
	p, err := platform.Assemble(context.Background(), cfg, log, db.App, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return &Env{T: t, P: p, DB: db, logs: logs}
}

// TestSecretKey is the secret key of the tests' platforms: a center's
// trunk passwords are sealed with it.
var TestSecretKey = bytes.Repeat([]byte{0x5e}, secret.KeySize)

// As is a context acting in org as the platform itself (with the org's
// most powerful role), for a test's setup through the use cases.
func As(org tenancy.Org) context.Context {
	return tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(org, "test"))
}

// Tenant is a provisioned org with an owner.
type Tenant struct {
	Org      tenancy.Org
	Owner    tenancy.Member
	Password string
	Key      string // an API key with the owner role
}

// Org creates an org of kind with an owner (email owner@<slug>.test) and an
// owner API key.
func (e *Env) Org(kind tenancy.OrgKind, name, country string) Tenant {
	e.T.Helper()
	ctx := context.Background()
	org, err := e.P.DB.CreateOrg(ctx, tenancy.NewOrgInput{Kind: kind, Name: name, Country: country}, "test")
	if err != nil {
		e.T.Fatal(err)
	}
	slug := strings.ToLower(regexp.MustCompile(`[^A-Za-z]+`).ReplaceAllString(name, ""))
	tn := Tenant{Org: org, Password: "correct horse battery"}
	tn.Owner = e.Member(org, "owner@"+slug+".test", string(tenancy.OwnerRole(kind)), tn.Password)
	sys := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(org, "test"))
	_, key, err := e.P.Services.Tenancy.CreateAPIKey(sys, store.NewAPIKeyInput{Name: "test", Role: string(tenancy.OwnerRole(kind))})
	if err != nil {
		e.T.Fatal(err)
	}
	tn.Key = key
	return tn
}

// Member adds a person with a role and password to org.
func (e *Env) Member(org tenancy.Org, email, role, password string) tenancy.Member {
	e.T.Helper()
	sys := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(org, "test"))
	m, err := e.P.Services.Tenancy.AddMember(sys, store.NewMemberInput{Email: email, Name: email, Role: role, Password: password})
	if err != nil {
		e.T.Fatal(err)
	}
	return m
}

// Do sends a request through the server (no network).
func (e *Env) Do(req *http.Request) *http.Response {
	e.T.Helper()
	resp, err := e.P.Server.App.Test(req, -1)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp
}

// Listen serves the platform on a real connection, as in production, until
// the test ends, and returns its address: App.Test (Do) goes through
// neither fasthttp's read buffer nor its closing of connections.
func (e *Env) Listen() string {
	e.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.P.Server.Serve(ctx, ln) }()
	e.T.Cleanup(func() { cancel(); <-served })
	return ln.Addr().String()
}

// API sends a JSON request with a bearer key; body may be nil, a string
// (sent as is) or a value (marshalled).
func (e *Env) API(method, path, key string, body any, headers ...string) *http.Response {
	e.T.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, r)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.Do(req)
}

// ReadJSON decodes a response body into v and returns the raw body.
func ReadJSON(t testing.TB, resp *http.Response, v any) []byte {
	t.Helper()
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return raw
}

// Browser is a cookie-keeping client of the server, for page tests.
type Browser struct {
	e       *Env
	cookies map[string]*http.Cookie
	csrf    string // the CSRF token of the last page that carried one
}

// Browser returns a client with an empty cookie jar.
func (e *Env) Browser() *Browser { return &Browser{e: e, cookies: map[string]*http.Cookie{}} }

// Get fetches a page.
func (b *Browser) Get(path string) (*http.Response, string) {
	return b.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// Post submits a form.
func (b *Browser) Post(path string, form url.Values) (*http.Response, string) {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

// PostFile submits a multipart form (a file upload) as the last page fetched
// would: with that page's CSRF token, unless fields carry one, then fields,
// then content as the file fileName of the field fileField. An empty
// fileName sends the form without a file.
func (b *Browser) PostFile(path string, fields url.Values, fileField, fileName string, content []byte) (*http.Response, string) {
	b.e.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if !fields.Has(fiberhttp.CSRFField) && b.csrf != "" {
		if err := w.WriteField(fiberhttp.CSRFField, b.csrf); err != nil {
			b.e.T.Fatal(err)
		}
	}
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				b.e.T.Fatal(err)
			}
		}
	}
	if fileName != "" {
		f, err := w.CreateFormFile(fileField, fileName)
		if err != nil {
			b.e.T.Fatal(err)
		}
		if _, err := f.Write(content); err != nil {
			b.e.T.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.e.T.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.send(req)
}

// JSON sends an API request as the signed-in browser's script would:
// body as JSON (nil for none), the session's cookie and the CSRF token of
// the last page fetched.
func (b *Browser) JSON(method, path string, body any) *http.Response {
	b.e.T.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			b.e.T.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	b.Authorize(req)
	return b.e.Do(req)
}

// Authorize gives req the browser's cookies and CSRF token, for a request
// sent another way (a stream, over a real connection).
func (b *Browser) Authorize(req *http.Request) {
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	if b.csrf != "" {
		req.Header.Set(fiberhttp.CSRFHeader, b.csrf)
	}
}

func (b *Browser) send(req *http.Request) (*http.Response, string) {
	b.e.T.Helper()
	req.Header.Set("Accept", "text/html")
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	resp := b.e.Do(req)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
			continue
		}
		b.cookies[c.Name] = c
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfInput.FindSubmatch(raw); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(raw)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// CSRF extracts the CSRF token of a rendered form.
func CSRF(t testing.TB, page string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%s", page)
	}
	return m[1]
}

// Login signs the browser in and fails the test if that does not work.
func (b *Browser) Login(email, password string) {
	b.e.T.Helper()
	_, page := b.Get("/login")
	resp, body := b.Post("/login", url.Values{"_csrf": {CSRF(b.e.T, page)}, "email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		b.e.T.Fatalf("login as %s: status %d\n%s", email, resp.StatusCode, body)
	}
}

// Must returns a use case's result, failing the test on its error:
// platformtest.Must(svc.Campaigns.Create(ctx, in))(t).
func Must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
