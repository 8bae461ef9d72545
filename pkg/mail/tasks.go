package mail

import "github.com/google/uuid"

// Task types of the mails sent to a member of an org; a change to the
// member announces them through the outbox, and the worker sends them.
const (
	TaskInvitation    = "mail:invitation"
	TaskPasswordReset = "mail:password_reset"
)

// MemberTask is the payload of the mail tasks: the one-time token is made
// when the mail is sent, so no usable secret ever rests in the outbox.
type MemberTask struct {
	UserID uuid.UUID `json:"user_id"`
}
