package tenancy

import (
	"cmp"
	"slices"
	"strings"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Role is a named set of permissions inside one org.
type Role string

const (
	RolePlatformAdmin Role = "platform_admin"
	RoleOwner         Role = "owner"      // client and center
	RoleManager       Role = "manager"    // client: runs campaigns
	RoleAnalyst       Role = "analyst"    // client: read-only
	RoleBilling       Role = "billing"    // client: invoices and payment
	RoleSupervisor    Role = "supervisor" // center: runs the floor
	RoleAgent         Role = "agent"      // center: makes the calls
	RoleQA            Role = "qa"         // center: reviews call quality
)

// TermKey names the role in the catalogs.
func (r Role) TermKey() string { return "role." + string(r) }

// RolesOf lists the roles an org of kind may grant, most powerful first.
func RolesOf(kind OrgKind) []Role {
	switch kind {
	case KindClient:
		return []Role{RoleOwner, RoleManager, RoleAnalyst, RoleBilling}
	case KindCenter:
		return []Role{RoleOwner, RoleSupervisor, RoleAgent, RoleQA}
	case KindPlatform:
		return []Role{RolePlatformAdmin}
	}
	return nil
}

// OwnerRole is the most powerful role of an org kind.
func OwnerRole(kind OrgKind) Role {
	if kind == KindPlatform {
		return RolePlatformAdmin
	}
	return RoleOwner
}

// ParseRole checks that role exists for an org of kind; the error is an
// Invalid *apperr.Error (tenancy.role.unknown), for a field.
func ParseRole(kind OrgKind, role string) (Role, error) {
	r := Role(strings.TrimSpace(role))
	if slices.Contains(RolesOf(kind), r) {
		return r, nil
	}
	names := make([]string, 0, 4)
	for _, r := range RolesOf(kind) {
		names = append(names, string(r))
	}
	return "", apperr.New(apperr.Invalid, "tenancy.role.unknown", "must be one of %s for a %s org (got %q)", strings.Join(names, ", "), kind, role)
}

// HomePath is where a principal of this org kind and role lands after login.
func HomePath(kind OrgKind, role Role) string {
	switch {
	case kind == KindPlatform:
		return "/console"
	case kind == KindClient:
		return "/portal"
	case role == RoleAgent:
		return "/agent"
	default:
		return "/center"
	}
}

// Grant is one permission of one role in an org.
type Grant struct {
	Role       Role       `json:"role"`
	Permission Permission `json:"permission"`
}

// Assignment is one user (the RBAC subject) holding one role in an org.
type Assignment struct {
	Subject string
	Role    Role
}

// SortTeam orders an org's people as a team is read: most powerful roles
// first, then by name.
func SortTeam(kind OrgKind, team []Member) {
	roles := RolesOf(kind)
	slices.SortStableFunc(team, func(a, b Member) int {
		return cmp.Or(cmp.Compare(slices.Index(roles, a.Role), slices.Index(roles, b.Role)), strings.Compare(a.Name, b.Name))
	})
}
