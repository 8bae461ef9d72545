package tenancy

import (
	"fmt"
	"slices"
	"strings"
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

// ParseRole checks that role exists for an org of kind.
func ParseRole(kind OrgKind, role string) (Role, error) {
	r := Role(strings.TrimSpace(role))
	if slices.Contains(RolesOf(kind), r) {
		return r, nil
	}
	names := make([]string, 0, 4)
	for _, r := range RolesOf(kind) {
		names = append(names, string(r))
	}
	return "", fmt.Errorf("must be one of %s for a %s org (got %q)", strings.Join(names, ", "), kind, role)
}

// Permission is "object:action". Every route declares one.
type Permission string

const (
	// Public marks a route that needs no principal (login, health).
	Public Permission = "public"
	// Authenticated marks a route any signed-in principal may use.
	Authenticated Permission = "authenticated"

	PermOrgRead      Permission = "org:read"
	PermOrgWrite     Permission = "org:write"
	PermUsersRead    Permission = "users:read"
	PermUsersWrite   Permission = "users:write"
	PermAPIKeysRead  Permission = "api_keys:read"
	PermAPIKeysWrite Permission = "api_keys:write"
	PermAuditRead    Permission = "audit:read"

	PermPortalAccess  Permission = "portal:access"
	PermCenterAccess  Permission = "center:access"
	PermAgentAccess   Permission = "agent:access"
	PermConsoleAccess Permission = "console:access"
	PermQueuesRead    Permission = "queues:read"

	PermComplianceRead    Permission = "compliance:read"  // decisions, evidence, consents, suppression lists
	PermComplianceWrite   Permission = "compliance:write" // record consents, manage the org's suppression list
	PermCenterProfileRead Permission = "center_profile:read"
	PermCenterProfileEdit Permission = "center_profile:write"
	PermCenterProfileOK   Permission = "center_profile:verify" // the platform verifies centers' profiles
	PermNationalLists     Permission = "national_lists:write"  // upload national do-not-call lists

	// The marketplace. Who may make each move of a campaign's life is the
	// campaign package's state machine; these only open the routes.
	PermCampaignsRead  Permission = "campaigns:read"  // campaigns, open requests, offers and contracts the org may see
	PermCampaignsWrite Permission = "campaigns:write" // a client creates and edits its campaigns
	PermOffersWrite    Permission = "offers:write"    // a center answers open requests
	PermContractsWrite Permission = "contracts:write" // a client accepts offers, a center owner confirms contracts

	// Leads. A center reads a campaign's leads only through an active
	// contract, and its agents see phones masked.
	PermLeadsRead  Permission = "leads:read"  // leads, imports and their reports
	PermLeadsWrite Permission = "leads:write" // a client imports leads
)

// Object and Action split a permission for the RBAC enforcer.
func (p Permission) Object() string { o, _, _ := strings.Cut(string(p), ":"); return o }
func (p Permission) Action() string { _, a, _ := strings.Cut(string(p), ":"); return a }

// DefaultPermissions is the permission table: what each role of each org
// kind may do. New orgs get these policies; `plateau migrate up` and every
// start add the ones a newer version introduced. The README renders it.
func DefaultPermissions(kind OrgKind) map[Role][]Permission {
	switch kind {
	case KindClient:
		return map[Role][]Permission{
			RoleOwner: {PermOrgRead, PermOrgWrite, PermUsersRead, PermUsersWrite, PermAPIKeysRead,
				PermAPIKeysWrite, PermAuditRead, PermPortalAccess, PermComplianceRead, PermComplianceWrite,
				PermCampaignsRead, PermCampaignsWrite, PermContractsWrite, PermLeadsRead, PermLeadsWrite},
			RoleManager: {PermOrgRead, PermUsersRead, PermAPIKeysRead, PermAuditRead, PermPortalAccess,
				PermComplianceRead, PermComplianceWrite, PermCampaignsRead, PermCampaignsWrite, PermContractsWrite,
				PermLeadsRead, PermLeadsWrite},
			RoleAnalyst: {PermOrgRead, PermPortalAccess, PermComplianceRead, PermCampaignsRead, PermLeadsRead},
			RoleBilling: {PermOrgRead, PermPortalAccess, PermCampaignsRead},
		}
	case KindCenter:
		return map[Role][]Permission{
			RoleOwner: {PermOrgRead, PermOrgWrite, PermUsersRead, PermUsersWrite, PermAPIKeysRead,
				PermAPIKeysWrite, PermAuditRead, PermCenterAccess, PermAgentAccess, PermCenterProfileRead, PermCenterProfileEdit,
				PermCampaignsRead, PermOffersWrite, PermContractsWrite, PermLeadsRead},
			RoleSupervisor: {PermOrgRead, PermUsersRead, PermAuditRead, PermCenterAccess, PermAgentAccess, PermCenterProfileRead,
				PermCampaignsRead, PermOffersWrite, PermLeadsRead},
			RoleQA:    {PermOrgRead, PermCenterAccess, PermCampaignsRead, PermLeadsRead},
			RoleAgent: {PermOrgRead, PermAgentAccess, PermCampaignsRead},
		}
	case KindPlatform:
		return map[Role][]Permission{
			RolePlatformAdmin: {PermOrgRead, PermOrgWrite, PermUsersRead, PermUsersWrite, PermAPIKeysRead,
				PermAPIKeysWrite, PermAuditRead, PermConsoleAccess, PermQueuesRead, PermComplianceRead,
				PermComplianceWrite, PermCenterProfileOK, PermNationalLists, PermCampaignsRead},
		}
	}
	return nil
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
