package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// TestReadmePermissionTableIsTheDefaults keeps the README's table of
// permissions equal to tenancy.DefaultPermissions.
func TestReadmePermissionTableIsTheDefaults(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	columns := []struct {
		kind tenancy.OrgKind
		role tenancy.Role
	}{{tenancy.KindClient, "owner"}, {tenancy.KindClient, "manager"}, {tenancy.KindClient, "analyst"}, {tenancy.KindClient, "billing"},
		{tenancy.KindCenter, "owner"}, {tenancy.KindCenter, "supervisor"}, {tenancy.KindCenter, "qa"}, {tenancy.KindCenter, "agent"},
		{tenancy.KindPlatform, "platform_admin"}}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "|"), "|"), "|")
		perm := strings.Trim(strings.TrimSpace(cells[0]), "`")
		if !strings.Contains(perm, ":") || len(cells) != len(columns)+1 {
			continue
		}
		documented[perm] = true
		for i, c := range columns {
			want := slices.Contains(tenancy.DefaultPermissions(c.kind)[c.role], tenancy.Permission(perm))
			if got := strings.TrimSpace(cells[i+1]) == "✓"; got != want {
				t.Errorf("README: %s for %s %s is %v, the defaults say %v", perm, c.kind, c.role, got, want)
			}
		}
	}
	for _, c := range columns {
		for _, p := range tenancy.DefaultPermissions(c.kind)[c.role] {
			if !documented[string(p)] {
				t.Errorf("README: the permission table lacks %s", p)
			}
		}
	}
}
