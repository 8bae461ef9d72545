package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/session"
)

// Sessions stores sessions with an idle timeout.
type Sessions struct {
	r       *Redis
	idle    time.Duration
	anonTTL time.Duration
}

// NewSessions keeps signed-in sessions for idle after their last use, and
// anonymous ones (which only hold a CSRF token) for an hour.
func NewSessions(r *Redis, idle time.Duration) *Sessions {
	return &Sessions{r: r, idle: idle, anonTTL: time.Hour}
}

func sessionKey(id string) string { return "plateau:session:" + string(secret.HashToken(id)) }

// New starts an anonymous session with a fresh CSRF token.
func (s *Sessions) New() *session.Session {
	return &session.Session{ID: secret.NewToken("s_"), CSRF: secret.NewToken(""), CreatedAt: time.Now().UTC()}
}

// Get loads a session and extends its life.
func (s *Sessions) Get(ctx context.Context, id string) (*session.Session, error) {
	if id == "" {
		return nil, session.ErrNotFound
	}
	raw, err := s.r.Client.Get(ctx, sessionKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, session.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	var sess session.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, session.ErrNotFound
	}
	sess.ID = id
	if err := s.r.Client.Expire(ctx, sessionKey(id), s.ttl(&sess)).Err(); err != nil {
		return nil, err
	}
	return &sess, nil
}

// Save writes a session.
func (s *Sessions) Save(ctx context.Context, sess *session.Session) error {
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return s.r.Client.Set(ctx, sessionKey(sess.ID), raw, s.ttl(sess)).Err()
}

// Delete ends a session.
func (s *Sessions) Delete(ctx context.Context, id string) error {
	return s.r.Client.Del(ctx, sessionKey(id)).Err()
}

// Rotate gives a session a new id (on sign-in and sign-out, so an id
// planted before signing in is worthless after) and a new CSRF token.
func (s *Sessions) Rotate(ctx context.Context, sess *session.Session) error {
	if sess.ID != "" {
		if err := s.Delete(ctx, sess.ID); err != nil {
			return err
		}
	}
	fresh := s.New()
	sess.ID, sess.CSRF = fresh.ID, fresh.CSRF
	return s.Save(ctx, sess)
}

// IdleTimeout is how long a signed-in session lives without use.
func (s *Sessions) IdleTimeout() time.Duration { return s.idle }

func (s *Sessions) ttl(sess *session.Session) time.Duration {
	if sess.SignedIn() {
		return s.idle
	}
	return s.anonTTL
}
