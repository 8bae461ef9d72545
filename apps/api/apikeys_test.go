package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform"
	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestAKeyRevokedByAnotherProcessStopsAtOnce: the server caches the keys
// it resolved; a key revoked by a process that tells no one (the CLI)
// answers 401 on its next request all the same.
func TestAKeyRevokedByAnotherProcessStopsAtOnce(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		keys := get[struct {
			Data []struct {
				ID     uuid.UUID `json:"id"`
				Prefix string    `json:"prefix"`
			} `json:"data"`
		}](t, e, "/api/v1/api-keys", ml.Key)
		if len(keys.Data) != 1 || !strings.HasPrefix(ml.Key, keys.Data[0].Prefix) {
			t.Fatalf("keys: %+v", keys)
		}
		get[any](t, e, "/api/v1/campaigns", ml.Key) // resolved, and cached

		ctx := context.Background()
		cli, err := store.Open(ctx, e.DB.URL, false)
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
		svc, err := platform.Services(ctx, cli, slog.Default())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Tenancy.RevokeAPIKey(platformtest.As(ml.Org), keys.Data[0].ID); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/v1/campaigns", "/api/v1/users"} {
			resp := e.API(http.MethodGet, path, ml.Key, nil)
			raw := platformtest.ReadJSON(t, resp, nil)
			wantProblem(t, path, resp.StatusCode, raw, http.StatusUnauthorized, "")
		}
	})
}
