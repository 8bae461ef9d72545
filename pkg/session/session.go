// Package session defines a browser's server-side session: who is signed in,
// in which org, and the CSRF token its forms must echo. Sessions are kept by
// an adapter (Redis); this package only says what one is.
//
// It imports only the standard library and small value libraries.
package session

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Session is what the server remembers about a browser. Its ID is in a
// cookie; the store keys it by a digest of the ID.
type Session struct {
	ID        string    `json:"-"`
	UserID    uuid.UUID `json:"user_id,omitempty"` // uuid.Nil before signing in
	OrgID     uuid.UUID `json:"org_id,omitempty"`
	CSRF      string    `json:"csrf"`
	Locale    string    `json:"locale,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Flash     string    `json:"flash,omitempty"`
}

// SignedIn reports whether a user is signed in.
func (s *Session) SignedIn() bool { return s.UserID != uuid.Nil }

// ErrNotFound means the cookie names no live session.
var ErrNotFound = errors.New("no such session")

// Store keeps sessions.
type Store interface {
	New() *Session
	Get(ctx context.Context, id string) (*Session, error)
	Save(ctx context.Context, s *Session) error
	Rotate(ctx context.Context, s *Session) error
	Delete(ctx context.Context, id string) error
	IdleTimeout() time.Duration
}
