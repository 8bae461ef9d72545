package platform_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/gofiber/fiber/v2"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/redisstore"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func get(t *testing.T, p *platform.Platform, path, accept string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := p.Server.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestReadinessFollowsRedis stops the Redis server under a running platform:
// /readyz turns red and /healthz stays green; when Redis is back, /readyz is
// green again without a restart.
func TestReadinessFollowsRedis(t *testing.T) {
	m := miniredis.RunT(t)
	red, err := redisstore.Open(context.Background(), "redis://"+m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	p, err := platform.Assemble(context.Background(), platform.Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)), dbtest.SQLite(t).App, red)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ready := func() (int, map[string]any) {
		resp, body := get(t, p, "/readyz", "")
		var v map[string]any
		_ = json.Unmarshal([]byte(body), &v)
		return resp.StatusCode, v
	}
	if code, v := ready(); code != http.StatusOK {
		t.Fatalf("readyz with everything up: %d %v", code, v)
	}
	m.Close()
	code, v := ready()
	if code != http.StatusServiceUnavailable || v["checks"].(map[string]any)["redis"] != "unavailable" ||
		v["checks"].(map[string]any)["database"] != "ok" {
		t.Fatalf("readyz with Redis down: %d %v", code, v)
	}
	if resp, _ := get(t, p, "/healthz", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz with Redis down: %d", resp.StatusCode)
	}
	if err := m.Restart(); err != nil {
		t.Fatal(err)
	}
	if code, v := ready(); code != http.StatusOK {
		t.Fatalf("readyz after Redis came back: %d %v", code, v)
	}
}

func TestErrorsArePagesForPeopleAndProblemsForTheAPI(t *testing.T) {
	e := platformtest.New(t)
	resp, body := get(t, e.P, "/no/such/page", "text/html")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "<html") || !strings.Contains(body, "rien à cette adresse") { // a visitor reads French
		t.Fatalf("404 page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, body = get(t, e.P, "/api/v1/no-such-thing", "")
	var problem map[string]any
	if err := json.Unmarshal([]byte(body), &problem); err != nil || resp.Header.Get("Content-Type") != "application/problem+json" ||
		problem["status"] != float64(404) || problem["request_id"] == "" {
		t.Fatalf("API 404: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestEveryResponseCarriesSecurityHeadersAndARequestID(t *testing.T) {
	e := platformtest.New(t)
	resp, _ := get(t, e.P, "/login", "text/html")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "X-Request-Id"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	e := platformtest.New(t)
	get(t, e.P, "/healthz", "")
	_, body := get(t, e.P, "/metrics", "")
	if !strings.Contains(body, `plateau_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Fatalf("metrics do not count the /healthz request:\n%s", body)
	}
}

// TestInternalFailuresAreLoggedNotSent: a bug's details stay in the log; the
// caller gets a request id to quote, and the server keeps serving after a
// panic.
func TestInternalFailuresAreLoggedNotSent(t *testing.T) {
	e := platformtest.New(t)
	p := e.P
	r := p.Server.Group("/api/v1/test")
	r.Get("/fail", tenancy.Public, func(*fiber.Ctx) error {
		return errors.New("pq: password authentication failed for user secret_owner")
	})
	r.Get("/panic", tenancy.Public, func(*fiber.Ctx) error { panic("nil map in secret_module") })
	for _, path := range []string{"/api/v1/test/fail", "/api/v1/test/panic"} {
		resp, body := get(t, e.P, path, "")
		if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "secret_") ||
			!strings.Contains(body, `"request_id"`) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := get(t, e.P, "/healthz", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("after a panic the server answers %d", resp.StatusCode)
	}
	for _, detail := range []string{"secret_owner", "secret_module"} {
		if !strings.Contains(e.Logs(), detail) {
			t.Errorf("the log lacks %q:\n%s", detail, e.Logs())
		}
	}
}
