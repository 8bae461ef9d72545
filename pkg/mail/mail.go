// Package mail owns the mails the platform sends to people (invitations,
// password resets): their texts in French and English, and the Sender port
// that delivers them. LogSender writes them to the log for `plateau dev`;
// pkg/smtpmail delivers them for real.
//
// It imports only the standard library.
package mail

import (
	"context"
	"log/slog"
)

// Message is one plain-text mail to one person.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Sender delivers a message. An error means it was not delivered and may be
// tried again.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender writes every message, link included, to Log at Info instead of
// sending it. It is for development only: the links it logs are secrets.
type LogSender struct {
	Log *slog.Logger
}

// Send logs m and never fails.
func (s LogSender) Send(ctx context.Context, m Message) error {
	s.Log.InfoContext(ctx, "mail (logged, not sent)", "to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}
