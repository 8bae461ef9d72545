// Package audit defines the audit trail: who did what to which object, in
// which org, when and from where. Every mutation writes one event in the
// transaction of the change.
//
// It imports only the standard library and small value libraries.
package audit

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Event is one recorded action.
type Event struct {
	ID         uuid.UUID       `json:"id"`
	OrgID      uuid.UUID       `json:"org_id"`
	ActorKind  string          `json:"actor_kind"`
	ActorID    *uuid.UUID      `json:"actor_id"`
	ActorLabel string          `json:"actor_label"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	IP         string          `json:"ip"`
	Details    json.RawMessage `json:"details,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
}
