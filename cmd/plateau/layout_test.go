package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/plateau-bpo/plateau/"

// adapters are the packages of pkg/ that wrap a technology, each with the
// one library it wraps (net/smtp is the standard library's). A package
// below one of them (its test helpers: dbtest, redistest) belongs to it.
// Everything else under pkg/ is domain.
var adapters = map[string]string{
	"pkg/store":      "github.com/uptrace/bun",
	"pkg/fiberhttp":  "github.com/gofiber/fiber/v2",
	"pkg/rbac":       "github.com/casbin/casbin/v2",
	"pkg/redisstore": "github.com/redis/go-redis/v9",
	"pkg/asynqjobs":  "github.com/hibiken/asynq",
	"pkg/smtpmail":   "net/smtp",
	// telephony: the SIP trunk, and where its recordings go
	"pkg/dialing/sipdial": "github.com/emiago/sipgo",
	"pkg/recordings":      "github.com/minio/minio-go/v7",
}

// infrastructure are libraries a domain package must not depend on, even
// indirectly: web servers, databases and their drivers, queues, payment,
// authorization, Redis, browsers, telephony, metrics.
var infrastructure = []string{
	"github.com/gofiber/", "github.com/valyala/fasthttp", "github.com/uptrace/bun", "github.com/jackc/pgx",
	"modernc.org/sqlite", "github.com/hibiken/asynq", "github.com/stripe/", "github.com/casbin/",
	"github.com/redis/", "github.com/alicebob/miniredis", "github.com/chromedp/", "github.com/emiago/",
	"github.com/pion/", "github.com/prometheus/", "net/smtp",
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// layoutViolations lists every break of the layout's rules (README, "How
// the code is laid out") in the module as go list sees it with args.
func layoutViolations(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append(append([]string{"list", "-json=ImportPath,Imports,Deps"}, args...), module+"...")...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var violations []string
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		violations = append(violations, checkPackage(p)...)
	}
	if seen < 30 {
		t.Fatalf("go list saw only %d packages", seen)
	}
	return violations
}

// adapterOf names the adapter a package of the module belongs to, if any.
func adapterOf(rel string) string {
	for a := range adapters {
		if rel == a || strings.HasPrefix(rel, a+"/") {
			return a
		}
	}
	return ""
}

func checkPackage(p listedPackage) []string {
	var out []string
	rel := strings.TrimPrefix(p.ImportPath, module)
	self := adapterOf(rel)
	for _, imp := range p.Imports {
		irel, ours := strings.CutPrefix(imp, module)
		switch {
		case !ours:
		case strings.HasPrefix(rel, "apps/") && strings.HasPrefix(irel, "apps/") && appOf(rel) != appOf(irel):
			out = append(out, rel+" imports the app "+irel)
		case strings.HasPrefix(rel, "pkg/") && (strings.HasPrefix(irel, "apps/") || strings.HasPrefix(irel, "cmd/")):
			out = append(out, rel+" imports "+irel+": pkg/ is below apps/ and cmd/")
		case self != "" && adapterOf(irel) != "" && adapterOf(irel) != self:
			out = append(out, "the adapter "+rel+" imports the adapter "+irel)
		}
	}
	if !strings.HasPrefix(rel, "pkg/") || self != "" {
		return out
	}
	for _, dep := range p.Deps {
		if drel, ours := strings.CutPrefix(dep, module); ours && adapterOf(drel) != "" {
			out = append(out, "the domain package "+rel+" depends on the adapter "+drel)
		}
		for _, lib := range infrastructure {
			if strings.HasPrefix(dep, lib) {
				out = append(out, "the domain package "+rel+" depends on "+dep)
			}
		}
	}
	return out
}

// appOf is the front door a package of apps/ belongs to.
func appOf(rel string) string { return strings.SplitN(rel, "/", 3)[1] }

// TestLayout holds the layout's rules: no app imports another; pkg/
// imports neither apps/ nor cmd/; an adapter imports no other adapter;
// a domain package depends, even indirectly, on no adapter and no
// infrastructure library.
func TestLayout(t *testing.T) {
	for _, v := range layoutViolations(t) {
		t.Error(v)
	}
}

// TestEachAdapterWrapsItsLibrary: the table of adapters is true, so that a
// renamed or removed adapter cannot leave the domain check blind.
func TestEachAdapterWrapsItsLibrary(t *testing.T) {
	for rel, lib := range adapters {
		cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./"+rel)
		cmd.Dir = "../.."
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", rel, err)
		}
		var p listedPackage
		if err := json.Unmarshal(out, &p); err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(p.Deps, func(d string) bool { return d == lib || strings.HasPrefix(d, lib+"/") }) {
			t.Errorf("the adapter %s does not use %s", rel, lib)
		}
	}
}

// TestLayoutCatchesPlantedViolations plants, through go list's overlay (the
// tree itself is not touched), a billing domain package that imports fiber
// and the store, an adapter that imports another adapter, and an app that
// imports another app; the check must name each.
func TestLayoutCatchesPlantedViolations(t *testing.T) {
	dir := t.TempDir()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	planted := map[string]string{
		"pkg/billing/billing.go":    "package billing\n\nimport (\n\t_ \"github.com/gofiber/fiber/v2\"\n\t_ \"" + module + "pkg/store\"\n)\n",
		"pkg/redisstore/planted.go": "package redisstore\n\nimport _ \"" + module + "pkg/store\"\n",
		"apps/portal/planted.go":    "package portal\n\nimport _ \"" + module + "apps/agent\"\n",
	}
	overlay := map[string]map[string]string{"Replace": {}}
	for rel, src := range planted {
		file := filepath.Join(dir, strings.ReplaceAll(rel, "/", "_"))
		if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		overlay["Replace"][filepath.Join(root, rel)] = file
	}
	raw, _ := json.Marshal(overlay)
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(layoutViolations(t, "-overlay", overlayFile), "\n")
	for _, want := range []string{
		"the domain package pkg/billing depends on github.com/gofiber/fiber/v2",
		"the domain package pkg/billing depends on the adapter pkg/store",
		"the adapter pkg/redisstore imports the adapter pkg/store",
		"apps/portal imports the app apps/agent",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the planted violation %q was not caught; the check said:\n%s", want, got)
		}
	}
}
