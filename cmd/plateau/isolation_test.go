package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/testenv"
)

// TestTenantsProvisionedByTheCLIAreIsolated is the acceptance check of the
// foundation: two client orgs and their API keys made with the CLI against
// PostgreSQL; org B's key reaches nothing of org A through the API, and the
// application's database role sees no tenant row without an org set.
func TestTenantsProvisionedByTheCLIAreIsolated(t *testing.T) {
	dbURL := dbtest.Postgres(t, testenv.Need(t, testenv.Postgres)).URL
	db := "--database-url=" + dbURL
	type tenant struct{ org, key, keyID, user string }
	provision := func(name, email string) tenant {
		var org, user, key struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		}
		mustJSON(t, &org, "org", "create", db, "--kind", "client", "--name", name, "--country", "FR")
		mustJSON(t, &user, "user", "create", db, "--org", org.ID, "--email", email, "--role", "manager", "--password", "long enough password")
		mustJSON(t, &key, "apikey", "create", db, "--org", org.ID, "--role", "owner")
		return tenant{org: org.ID, key: key.Key, keyID: key.ID, user: user.ID}
	}
	a := provision("Maison Lumière", "julien@ml.test")
	b := provision("Rival Retail", "eve@rival.test")

	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	p, err := platform.Open(context.Background(), platform.Config{DatabaseURL: dbURL, RedisURL: "memory://"}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	call := func(method, path, key, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := p.Server.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/users/" + a.user, ""},
		{"PATCH", "/api/v1/users/" + a.user, `{"name":"Mallory"}`},
		{"DELETE", "/api/v1/users/" + a.user, ""},
		{"DELETE", "/api/v1/api-keys/" + a.keyID, ""},
	} {
		if code, body := call(c.method, c.path, b.key, c.body); code != http.StatusNotFound {
			t.Errorf("B: %s %s → %d %s, want 404", c.method, c.path, code, body)
		}
	}
	for _, path := range []string{"/api/v1/users", "/api/v1/api-keys", "/api/v1/audit-events", "/api/v1/org", "/api/v1/me"} {
		code, body := call("GET", path, b.key, "")
		if code != http.StatusOK || strings.Contains(body, a.org) || strings.Contains(body, a.user) || strings.Contains(body, a.keyID) {
			t.Errorf("B: GET %s → %d, shows A's ids: %s", path, code, body)
		}
	}
	// A's rows are intact: its user keeps its name and its key still works.
	code, body := call("GET", "/api/v1/users/"+a.user, a.key, "")
	var u struct{ Name string }
	_ = json.Unmarshal([]byte(body), &u)
	if code != http.StatusOK || u.Name != "julien@ml.test" {
		t.Fatalf("A's user after B's attempts: %d %s", code, body)
	}

	// The application's role, with no org set, sees no tenant row at all.
	app, err := store.Open(context.Background(), dbURL, false)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for _, table := range []string{"orgs", "users", "memberships", "api_keys", "audit_events", "role_permissions", "outbox"} {
		var n int
		if err := app.Bun.NewRaw("SELECT count(*) FROM "+table).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("the app role sees %d rows of %s with no org set", n, table)
		}
	}
}
