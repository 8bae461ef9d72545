package api

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/audit"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// The response bodies: explicit, so that a field added to a domain type
// never reaches clients unannounced. openapi.json describes each one under
// components/schemas with the name in its comment.

// meView is Me: who the request acts as.
type meView struct {
	Kind  tenancy.ActorKind `json:"kind"`
	ID    uuid.UUID         `json:"id"`
	Label string            `json:"label"`
	OrgID uuid.UUID         `json:"org_id"`
	Role  tenancy.Role      `json:"role"`
	User  *personView       `json:"user"` // null for API keys
}

// personView is Me.user.
type personView struct {
	ID     uuid.UUID `json:"id"`
	Email  string    `json:"email"`
	Name   string    `json:"name"`
	Locale string    `json:"locale"`
}

// orgView is Org.
type orgView struct {
	ID        uuid.UUID         `json:"id"`
	Kind      tenancy.OrgKind   `json:"kind"`
	Name      string            `json:"name"`
	LegalName string            `json:"legal_name"`
	Country   string            `json:"country"`
	Timezone  string            `json:"timezone"`
	Status    tenancy.OrgStatus `json:"status"`
	CreatedAt time.Time         `json:"created_at"`
}

func orgOf(o tenancy.Org) orgView {
	return orgView{ID: o.ID, Kind: o.Kind, Name: o.Name, LegalName: o.LegalName, Country: o.Country,
		Timezone: o.Timezone, Status: o.Status, CreatedAt: o.CreatedAt}
}

// userView is User: a person as a member of the org.
type userView struct {
	ID        uuid.UUID          `json:"id"`
	Email     string             `json:"email"`
	Name      string             `json:"name"`
	Locale    string             `json:"locale"` // "" follows the org's language
	Status    tenancy.UserStatus `json:"status"`
	Role      tenancy.Role       `json:"role"`
	CreatedAt time.Time          `json:"created_at"`
}

// apiKeyView is APIKey, without its secret.
type apiKeyView struct {
	ID         uuid.UUID    `json:"id"`
	Name       string       `json:"name"`
	Prefix     string       `json:"prefix"`
	Role       tenancy.Role `json:"role"`
	CreatedAt  time.Time    `json:"created_at"`
	LastUsedAt *time.Time   `json:"last_used_at"`
	RevokedAt  *time.Time   `json:"revoked_at"`
}

// newAPIKeyView is NewAPIKey: a key just made, with its secret, shown once.
type newAPIKeyView struct {
	apiKeyView
	Key string `json:"key"`
}

// auditEventView is AuditEvent.
type auditEventView struct {
	ID         uuid.UUID       `json:"id"`
	ActorKind  string          `json:"actor_kind"`
	ActorID    *uuid.UUID      `json:"actor_id"`
	ActorLabel string          `json:"actor_label"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	IP         string          `json:"ip"`
	Details    json.RawMessage `json:"details"` // null when the event has none
	CreatedAt  time.Time       `json:"created_at"`
}

func auditEventOf(e audit.Event) auditEventView {
	return auditEventView{ID: e.ID, ActorKind: e.ActorKind, ActorID: e.ActorID, ActorLabel: e.ActorLabel,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, IP: e.IP, Details: e.Details,
		CreatedAt: e.CreatedAt}
}
