// Package tenancy owns the tenants of the platform (orgs), the people and
// systems acting in them (users, memberships, API keys), and the Principal
// that every request and job carries. Every tenant query is scoped through
// the Principal found in the context; its absence is an error, never "no
// filter".
//
// It imports only the standard library and small value libraries.
package tenancy

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// OrgKind says which side of the marketplace an org is on.
type OrgKind string

const (
	KindClient   OrgKind = "client"   // an e-merchant that contracts campaigns
	KindCenter   OrgKind = "center"   // an offshore call center that runs them
	KindPlatform OrgKind = "platform" // the operator of Plateau
)

// TermKey names the kind in the catalogs.
func (k OrgKind) TermKey() string { return "kind." + string(k) }

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	return k == KindClient || k == KindCenter || k == KindPlatform
}

// OrgStatus is the lifecycle of a tenant.
type OrgStatus string

const (
	OrgActive    OrgStatus = "active"
	OrgSuspended OrgStatus = "suspended"
)

// Org is a tenant.
type Org struct {
	ID        uuid.UUID `json:"id"`
	Kind      OrgKind   `json:"kind"`
	Name      string    `json:"name"`
	LegalName string    `json:"legal_name"`
	Country   string    `json:"country"`  // ISO 3166-1 alpha-2
	Timezone  string    `json:"timezone"` // IANA
	Status    OrgStatus `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Locale is the default language of the org's people: French for orgs in
// French-speaking countries, English elsewhere.
func (o Org) Locale() string {
	switch o.Country {
	case "FR", "MA", "SN", "CI", "MG", "BE", "LU", "MC", "TN", "DZ", "CM":
		return "fr"
	}
	return "en"
}

// NewOrgInput is what creating an org requires.
type NewOrgInput struct {
	Kind      OrgKind
	Name      string
	LegalName string
	Country   string
	Timezone  string
}

// Validate checks the input and fills defaults (legal name = name, timezone
// UTC when absent).
func (in *NewOrgInput) Validate() error {
	var f apperr.Fields
	in.Name = strings.TrimSpace(in.Name)
	in.LegalName = strings.TrimSpace(in.LegalName)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	in.Timezone = strings.TrimSpace(in.Timezone)
	if !in.Kind.Valid() {
		f.Add("kind", "tenancy.kind.unknown", "must be one of client, center, platform (got %q)", string(in.Kind))
	}
	checkName(&f, "name", in.Name)
	if in.LegalName == "" {
		in.LegalName = in.Name
	}
	if len(in.Country) != 2 || strings.Trim(in.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		f.Add("country", "tenancy.country.invalid", "must be an ISO 3166-1 alpha-2 code such as FR or MA (got %q)", in.Country)
	}
	if in.Timezone == "" {
		in.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(in.Timezone); err != nil {
		f.Add("timezone", "tenancy.timezone.unknown", "must be an IANA time zone such as Europe/Paris (got %q)", in.Timezone)
	}
	return f.Err("tenancy.org.invalid", "the organization is not valid")
}

func checkName(f *apperr.Fields, path, name string) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		f.Add(path, "tenancy.name.required", "is required")
	case n > 200:
		f.Add(path, "tenancy.name.too_long", "must be at most 200 characters (got %d)", n)
	}
}

// NormalizeEmail lower-cases and trims an address and checks its syntax.
func NormalizeEmail(path, email string, f *apperr.Fields) string {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		f.Add(path, "tenancy.email.required", "is required")
		return email
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		f.Add(path, "tenancy.email.invalid", "is not a valid email address (got %q)", email)
	}
	return email
}

// ActorKind says whether a principal is a person, an API key or the platform
// acting on its own (jobs, the operator CLI).
type ActorKind string

const (
	ActorUser   ActorKind = "user"
	ActorAPIKey ActorKind = "api_key"
	ActorSystem ActorKind = "system"
)

// Principal is who acts, in which org, with which role. It travels in the
// context of every request and job.
type Principal struct {
	Kind    ActorKind
	ID      uuid.UUID // user id, API key id, or uuid.Nil for the system
	Label   string    // email, key prefix, or the system task name: for audit
	OrgID   uuid.UUID
	OrgKind OrgKind
	Role    Role
	IP      string
}

// Subject is the RBAC subject: the user id for people, the role itself for
// keys and the system (a role always holds its own permissions).
func (p Principal) Subject() string {
	if p.Kind == ActorUser {
		return p.ID.String()
	}
	return string(p.Role)
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or an Unauthorized error: the
// absence of a principal must stop a tenant query, not widen it.
func PrincipalFrom(ctx context.Context) (Principal, error) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	if !ok || p.OrgID == uuid.Nil {
		return Principal{}, apperr.New(apperr.Unauthorized, "tenancy.principal.missing", "no principal in context: tenant data cannot be read without one")
	}
	return p, nil
}

// SystemPrincipal acts in org as the platform itself (jobs, the operator
// CLI), with the org's most powerful role. label names the task for audit.
func SystemPrincipal(org Org, label string) Principal {
	return Principal{Kind: ActorSystem, Label: label, OrgID: org.ID, OrgKind: org.Kind, Role: OwnerRole(org.Kind)}
}

// UserStatus is whether a user may sign in.
type UserStatus string

const (
	UserActive   UserStatus = "active"
	UserInvited  UserStatus = "invited"  // has not chosen a password yet
	UserDisabled UserStatus = "disabled" // may not sign in
)

// User is a person. A user holds a role in one or more orgs through
// memberships.
type User struct {
	ID           uuid.UUID  `json:"id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	Locale       string     `json:"locale,omitempty"` // "fr", "en", or empty for the org's default
	Status       UserStatus `json:"status"`
	PasswordHash string     `json:"-"`
	// SessionsSince ends the sessions opened before it (a password change).
	SessionsSince *time.Time `json:"-"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Member is a user as seen from one org: the user and their role there.
type Member struct {
	User
	OrgID uuid.UUID `json:"org_id"`
	Role  Role      `json:"role"`
	// Joining: the person has an account and was invited to join this org;
	// until they accept, the org sees only the address and name it typed.
	Joining bool `json:"-"`
}

// APIKey lets a client system act in one org with one role. Its secret is
// shown once at creation and stored only as a hash.
type APIKey struct {
	ID         uuid.UUID  `json:"id"`
	OrgID      uuid.UUID  `json:"org_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // "plt_live_ab12cd34": enough to recognise, not to use
	Role       Role       `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Hash       []byte     `json:"-"`
}

// Locales the pages are translated into.
var Locales = []string{"fr", "en"}

// ValidLocale reports whether l is empty (org default) or translated.
func ValidLocale(l string) bool {
	return l == "" || l == "fr" || l == "en"
}

// Account is a user with the orgs they belong to: what signing in needs.
type Account struct {
	User        User
	Memberships []Membership
}

// Membership is one org a user belongs to, with the role there.
type Membership struct {
	Org  Org
	Role Role
}

// Membership returns the user's membership in org, if any.
func (a Account) Membership(orgID uuid.UUID) (Membership, bool) {
	for _, m := range a.Memberships {
		if m.Org.ID == orgID {
			return m, true
		}
	}
	return Membership{}, false
}

// Principal acting as this user in one of their orgs.
func (a Account) Principal(m Membership, ip string) Principal {
	return Principal{Kind: ActorUser, ID: a.User.ID, Label: a.User.Email, OrgID: m.Org.ID,
		OrgKind: m.Org.Kind, Role: m.Role, IP: ip}
}

// TokenPurpose is what a one-time token mailed to a member is for.
type TokenPurpose string

const (
	TokenInvitation    TokenPurpose = "invitation"
	TokenPasswordReset TokenPurpose = "password_reset"
)

// In is the principal as another org's audit trail names it: the same
// person or key, acting on that org's data (a center moving its client's
// campaign).
func (p Principal) In(org uuid.UUID) Principal {
	p.OrgID = org
	return p
}
