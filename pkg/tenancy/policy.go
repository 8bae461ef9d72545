package tenancy

import (
	"slices"
	"strings"
)

// Permission is "object:action". Every route declares one, and a use case
// asks for the one its action needs when the route cannot tell (a
// campaign's move is in the request's body).
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
	PermConsoleAccess Permission = "console:access" // the platform's oversight of every org
	PermQueuesRead    Permission = "queues:read"
	PermFloorManage   Permission = "floor:manage" // a center's supervisors: assign agents to campaigns, set their presence, settle their calls, keep the SIP trunks

	PermComplianceRead    Permission = "compliance:read"  // decisions, evidence, consents, suppression lists
	PermComplianceWrite   Permission = "compliance:write" // record consents, manage the org's suppression list
	PermCenterProfileRead Permission = "center_profile:read"
	PermCenterProfileEdit Permission = "center_profile:write"
	PermCenterProfileOK   Permission = "center_profile:verify" // the platform verifies centers' profiles
	PermNationalLists     Permission = "national_lists:write"  // upload national do-not-call lists

	// The marketplace and a campaign's life. Each move of a campaign
	// (pkg/campaign's state machine) needs the permission campaign.MoveNeeds
	// names.
	PermCampaignsRead     Permission = "campaigns:read"     // the campaigns the org works on: brief and script
	PermCampaignsWrite    Permission = "campaigns:write"    // a client writes its requests and scripts
	PermCampaignsPublish  Permission = "campaigns:publish"  // publish a request, or take it back to draft
	PermCampaignsRun      Permission = "campaigns:run"      // start, pause and resume a contracted campaign
	PermCampaignsComplete Permission = "campaigns:complete" // end a campaign that ran
	PermCampaignsCancel   Permission = "campaigns:cancel"   // cancel a campaign before it completes
	PermRequestsRead      Permission = "requests:read"      // a center browses the open requests
	PermOffersWrite       Permission = "offers:write"       // a center answers an open request
	PermOffersAccept      Permission = "offers:accept"      // a client accepts an offer: a pending contract
	PermContractsConfirm  Permission = "contracts:confirm"  // a center confirms a contract: it becomes active
	PermPricesRead        Permission = "prices:read"        // budgets, rate cards, offers and contracts

	// Leads. A center reads a campaign's leads only through an active
	// contract, and its agents see phones masked.
	PermLeadsRead  Permission = "leads:read"  // leads, imports and their reports
	PermLeadsWrite Permission = "leads:write" // a client imports leads
	PermPhonesRead Permission = "phones:read" // callees' numbers and emails unmasked: the client's own people

	// Calls. A center that keeps its own dialer sends its call detail
	// records, which end the calls Plateau let it place.
	PermCDRsWrite Permission = "cdrs:write"
	// Calls: a campaign's calls and their outcomes, read by its client and
	// by the center that placed them (numbers masked).
	PermCallsRead Permission = "calls:read"
	// Recordings: the audio of a recorded call, heard by its campaign's
	// client and by the supervisors of the center that placed it.
	PermRecordingsRead Permission = "recordings:read"
)

// TermKey names the permission in the catalogs ("perm.campaigns:write"),
// which say it as what it lets a person do.
func (p Permission) TermKey() string { return "perm." + string(p) }

// Object and Action split a permission for the RBAC enforcer.
func (p Permission) Object() string { o, _, _ := strings.Cut(string(p), ":"); return o }
func (p Permission) Action() string { _, a, _ := strings.Cut(string(p), ":"); return a }

// Holders are the roles of each org kind that hold a permission.
type Holders map[OrgKind][]Role

var (
	clientAll    = []Role{RoleOwner, RoleManager, RoleAnalyst, RoleBilling}
	clientLead   = []Role{RoleOwner, RoleManager}
	centerAll    = []Role{RoleOwner, RoleSupervisor, RoleQA, RoleAgent}
	centerStaff  = []Role{RoleOwner, RoleSupervisor, RoleQA} // the center admin's people
	centerLead   = []Role{RoleOwner, RoleSupervisor}
	platformRole = []Role{RolePlatformAdmin}
)

// Policy is the one table of who may do what: each permission, and the
// roles of each org kind that hold it. A permission no role of a kind
// holds here can never be held in an org of that kind, whatever its
// grants say: the org kind is part of the table, not a check of its own.
// New orgs get these grants; `plateau migrate up` and every start add the
// ones a newer version introduced. The README renders it.
var Policy = []struct {
	Permission Permission
	Holders    Holders
}{
	{PermOrgRead, Holders{KindClient: clientAll, KindCenter: centerAll, KindPlatform: platformRole}},
	{PermOrgWrite, Holders{KindClient: {RoleOwner}, KindCenter: {RoleOwner}, KindPlatform: platformRole}},
	{PermUsersRead, Holders{KindClient: clientLead, KindCenter: centerLead, KindPlatform: platformRole}},
	{PermUsersWrite, Holders{KindClient: {RoleOwner}, KindCenter: {RoleOwner}, KindPlatform: platformRole}},
	{PermAPIKeysRead, Holders{KindClient: clientLead, KindCenter: {RoleOwner}, KindPlatform: platformRole}},
	{PermAPIKeysWrite, Holders{KindClient: {RoleOwner}, KindCenter: {RoleOwner}, KindPlatform: platformRole}},
	{PermAuditRead, Holders{KindClient: clientLead, KindCenter: centerLead, KindPlatform: platformRole}},
	{PermPortalAccess, Holders{KindClient: clientAll}},
	{PermCenterAccess, Holders{KindCenter: centerStaff}},
	{PermAgentAccess, Holders{KindCenter: []Role{RoleOwner, RoleSupervisor, RoleAgent}}},
	{PermFloorManage, Holders{KindCenter: centerLead}},
	{PermConsoleAccess, Holders{KindPlatform: platformRole}},
	{PermQueuesRead, Holders{KindPlatform: platformRole}},
	{PermComplianceRead, Holders{KindClient: []Role{RoleOwner, RoleManager, RoleAnalyst}, KindPlatform: platformRole}},
	{PermComplianceWrite, Holders{KindClient: clientLead, KindPlatform: platformRole}},
	{PermCenterProfileRead, Holders{KindCenter: centerLead}},
	{PermCenterProfileEdit, Holders{KindCenter: {RoleOwner}}},
	{PermCenterProfileOK, Holders{KindPlatform: platformRole}},
	{PermNationalLists, Holders{KindPlatform: platformRole}},
	{PermCampaignsRead, Holders{KindClient: clientAll, KindCenter: centerAll, KindPlatform: platformRole}},
	{PermCampaignsWrite, Holders{KindClient: clientLead}},
	{PermCampaignsPublish, Holders{KindClient: clientLead}},
	{PermCampaignsRun, Holders{KindClient: clientLead, KindCenter: centerLead, KindPlatform: platformRole}},
	{PermCampaignsComplete, Holders{KindClient: clientLead, KindPlatform: platformRole}},
	{PermCampaignsCancel, Holders{KindClient: {RoleOwner}, KindPlatform: platformRole}},
	{PermRequestsRead, Holders{KindCenter: centerLead}},
	{PermOffersWrite, Holders{KindCenter: centerLead}},
	{PermOffersAccept, Holders{KindClient: clientLead}},
	{PermContractsConfirm, Holders{KindCenter: {RoleOwner}}},
	{PermPricesRead, Holders{KindClient: clientAll, KindCenter: centerLead, KindPlatform: platformRole}},
	{PermLeadsRead, Holders{KindClient: []Role{RoleOwner, RoleManager, RoleAnalyst}, KindCenter: centerStaff}},
	{PermLeadsWrite, Holders{KindClient: clientLead}},
	{PermPhonesRead, Holders{KindClient: []Role{RoleOwner, RoleManager, RoleAnalyst}}},
	{PermCDRsWrite, Holders{KindCenter: centerLead}},
	{PermCallsRead, Holders{KindClient: []Role{RoleOwner, RoleManager, RoleAnalyst}, KindCenter: centerStaff}},
	{PermRecordingsRead, Holders{KindClient: []Role{RoleOwner, RoleManager, RoleAnalyst}, KindCenter: centerLead}},
}

// Permissions lists every permission of the table, in its order.
func Permissions() []Permission {
	out := make([]Permission, len(Policy))
	for i, row := range Policy {
		out[i] = row.Permission
	}
	return out
}

// Holds reports whether the table gives perm to role in an org of kind.
func Holds(kind OrgKind, role Role, perm Permission) bool {
	for _, row := range Policy {
		if row.Permission == perm {
			return slices.Contains(row.Holders[kind], role)
		}
	}
	return false
}

// KindMayHold reports whether any role of an org of kind may hold perm: a
// grant of perm in an org of another kind is void.
func KindMayHold(kind OrgKind, perm Permission) bool {
	switch perm {
	case Public, Authenticated:
		return true
	}
	for _, row := range Policy {
		if row.Permission == perm {
			return len(row.Holders[kind]) > 0
		}
	}
	return false
}

// DefaultPermissions is the table seen from one org kind: what each of its
// roles holds.
func DefaultPermissions(kind OrgKind) map[Role][]Permission {
	out := map[Role][]Permission{}
	for _, row := range Policy {
		for _, role := range row.Holders[kind] {
			out[role] = append(out[role], row.Permission)
		}
	}
	return out
}
