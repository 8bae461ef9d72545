package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection holds the layout's rules (DESIGN.md section 8): no
// app imports another app, and domain packages import no adapter library.
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "github.com/plateau-bpo/plateau/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/plateau-bpo/plateau/"
	domain := map[string]bool{"pkg/apperr": true, "pkg/audit": true, "pkg/compliance": true, "pkg/i18n": true,
		"pkg/mail": true, "pkg/nationallist": true, "pkg/numberset": true, "pkg/outbox": true, "pkg/phone": true,
		"pkg/secret": true, "pkg/session": true, "pkg/tenancy": true, "pkg/testenv": true,
		"pkg/campaign": true, "pkg/market": true, "pkg/script": true, "pkg/lead": true, "pkg/leadfile": true}
	adapters := []string{"github.com/gofiber/", "github.com/uptrace/bun", "github.com/hibiken/asynq", "github.com/stripe/",
		"github.com/casbin/", "github.com/redis/", "github.com/jackc/pgx", "modernc.org/sqlite", mod + "pkg/store",
		mod + "pkg/fiberhttp", mod + "pkg/rbac", mod + "pkg/redisstore", mod + "pkg/asynqjobs", mod + "pkg/smtpmail"}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		rel := strings.TrimPrefix(p.ImportPath, mod)
		for _, imp := range p.Imports {
			if strings.HasPrefix(rel, "apps/") && strings.HasPrefix(imp, mod+"apps/") {
				t.Errorf("%s imports the app %s", rel, strings.TrimPrefix(imp, mod))
			}
			if domain[rel] {
				for _, a := range adapters {
					if strings.HasPrefix(imp, a) {
						t.Errorf("the domain package %s imports %s", rel, imp)
					}
				}
			}
		}
	}
	if seen < 30 {
		t.Fatalf("go list saw only %d packages", seen)
	}
}
