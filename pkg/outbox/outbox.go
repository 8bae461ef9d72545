// Package outbox describes the messages a transaction announces to the job
// queue. A message is written in the same transaction as the state it
// announces; after the commit it is handed to the queue, and a periodic
// reconciler hands it again if that was lost. Handlers are idempotent and
// mark the message done, so a message runs to completion once.
//
// It imports only the standard library and small value libraries.
package outbox

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Message is one unit of work announced by a transaction.
type Message struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	TaskType  string
	Payload   []byte // an Envelope, JSON
	CreatedAt time.Time
}

// Envelope is the payload of every task: the tenant it acts for and who
// caused it travel with the data, so the worker rebuilds the same scope.
type Envelope struct {
	OutboxID uuid.UUID       `json:"outbox_id,omitempty"`
	OrgID    uuid.UUID       `json:"org_id"`
	Actor    string          `json:"actor"`
	Data     json.RawMessage `json:"data"`
}

// NewMessage wraps data in an envelope for org.
func NewMessage(orgID uuid.UUID, actor, taskType string, data any) (Message, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Message{}, err
	}
	id := uuid.Must(uuid.NewV7())
	payload, err := json.Marshal(Envelope{OutboxID: id, OrgID: orgID, Actor: actor, Data: raw})
	if err != nil {
		return Message{}, err
	}
	return Message{ID: id, OrgID: orgID, TaskType: taskType, Payload: payload, CreatedAt: time.Now().UTC()}, nil
}

// Publisher hands committed messages to the queue. A failure is not fatal:
// the reconciler publishes again what is unfinished.
type Publisher interface {
	Publish(msgs ...Message) error
}
