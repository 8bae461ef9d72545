package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
)

// plateau runs one command line and returns its exit code and output.
func plateau(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	code, out, errOut := plateau(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("plateau %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("plateau %s printed no JSON object: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestProvisioningByScript is what an operator's script does: create an org,
// a user and an API key, reading the ids from --json output.
func TestProvisioningByScript(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, fresh dbtest.DB) {
		db := "--database-url=" + fresh.URL
		if code, _, errOut := plateau(t, "migrate", "up", db); code != 0 {
			t.Fatalf("migrate up: %s", errOut)
		}
		var org struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		}
		mustJSON(t, &org, "org", "create", db, "--kind", "client", "--name", "Maison Lumière", "--country", "FR", "--timezone", "Europe/Paris")
		if org.ID == "" || org.Kind != "client" {
			t.Fatalf("org: %+v", org)
		}
		var user struct{ ID, Email, Role, Status string }
		mustJSON(t, &user, "user", "create", db, "--org", org.ID, "--email", "Sophie@ML.test", "--role", "owner", "--password", "long enough password")
		if user.ID == "" || user.Email != "sophie@ml.test" || user.Role != "owner" || user.Status != "active" {
			t.Fatalf("user: %+v", user)
		}
		var key struct {
			ID     string `json:"id"`
			Key    string `json:"key"`
			Prefix string `json:"prefix"`
		}
		mustJSON(t, &key, "apikey", "create", db, "--org", org.ID, "--role", "manager")
		if key.ID == "" || !strings.HasPrefix(key.Key, key.Prefix) || !strings.HasPrefix(key.Key, "plt_live_") {
			t.Fatalf("key: %+v", key)
		}
		var keys []map[string]any
		mustJSON(t, &keys, "apikey", "list", db, "--org", org.ID)
		if len(keys) != 1 || keys[0]["key"] != nil || keys[0]["hash"] != nil {
			t.Fatalf("listed keys show a secret or are wrong: %+v", keys)
		}
		var revoked struct {
			RevokedAt *string `json:"revoked_at"`
		}
		mustJSON(t, &revoked, "apikey", "revoke", db, "--org", org.ID, "--id", key.ID)
		if revoked.RevokedAt == nil {
			t.Fatal("revoked key has no revoked_at")
		}

		// Bad input says what to fix and creates nothing.
		code, _, errOut := plateau(t, "user", "create", db, "--org", org.ID, "--email", "not-an-email", "--role", "pilot")
		if code == 0 || !strings.Contains(errOut, "--email") || !strings.Contains(errOut, "--role") {
			t.Fatalf("bad user: exit %d\n%s", code, errOut)
		}
		code, _, errOut = plateau(t, "user", "create", db, "--org", org.ID, "--email", "sophie@ml.test", "--role", "analyst")
		if code == 0 || !strings.Contains(errOut, "already a member") {
			t.Fatalf("duplicate email: exit %d\n%s", code, errOut)
		}
		var users []map[string]any
		mustJSON(t, &users, "user", "list", db, "--org", org.ID)
		if len(users) != 1 {
			t.Fatalf("after refused creations the org has %d users, want 1", len(users))
		}
	})
}

func TestServeRefusesAnUnreachableOrUnmigratedDatabase(t *testing.T) {
	code, _, errOut := plateau(t, "serve", "--base-url", "https://plateau.test", "--database-url", "postgres://postgres@127.0.0.1:1/none?connect_timeout=2", "--redis-url", "memory://")
	if code == 0 || !strings.Contains(errOut, "unreachable") {
		t.Fatalf("unreachable database: exit %d\n%s", code, errOut)
	}
	fresh := "sqlite:" + filepath.Join(t.TempDir(), "fresh.db")
	code, _, errOut = plateau(t, "serve", "--base-url", "https://plateau.test", "--database-url", fresh, "--redis-url", "memory://")
	if code == 0 || !strings.Contains(errOut, "plateau migrate up") {
		t.Fatalf("unmigrated database: exit %d\n%s", code, errOut)
	}
}

func TestEveryCommandExplainsItself(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"dev", "--help"}, {"serve", "--help"}, {"worker", "--help"},
		{"migrate", "--help"}, {"org", "create", "--help"}, {"user", "create", "--help"}, {"apikey", "create", "--help"}} {
		code, out, _ := plateau(t, args...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("plateau %v: exit %d\n%s", args, code, out)
		}
	}
	_, out, _ := plateau(t, "serve", "--help")
	for _, env := range []string{"PLATEAU_DATABASE_URL", "PLATEAU_REDIS_URL", "PLATEAU_HTTP_ADDR"} {
		if !strings.Contains(out, env) {
			t.Errorf("serve --help does not mention %s", env)
		}
	}
}

func TestServeAndWorkerNeedTheirProductionSettings(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "p.db")
	code, _, errOut := plateau(t, "serve", "--database-url", db, "--redis-url", "memory://")
	if code == 0 || !strings.Contains(errOut, "--base-url") {
		t.Fatalf("serve without a base URL: exit %d\n%s", code, errOut)
	}
	code, _, errOut = plateau(t, "worker", "--base-url", "https://plateau.test", "--database-url", db, "--redis-url", "memory://")
	if code == 0 || !strings.Contains(errOut, "--smtp-url") {
		t.Fatalf("worker without SMTP: exit %d\n%s", code, errOut)
	}
	code, _, errOut = plateau(t, "worker", "--base-url", "https://plateau.test", "--database-url", db, "--redis-url", "memory://",
		"--mail-to-log", "--dialer", "pigeon")
	if code == 0 || !strings.Contains(errOut, "--dialer") {
		t.Fatalf("worker with an unknown dialer: exit %d\n%s", code, errOut)
	}
	code, _, errOut = plateau(t, "serve", "--base-url", "https://plateau.test", "--database-url", db, "--redis-url", "memory://",
		"--secret-key", "c2hvcnQ=")
	if code == 0 || !strings.Contains(errOut, "--secret-key") {
		t.Fatalf("serve with a short secret key: exit %d\n%s", code, errOut)
	}
}
