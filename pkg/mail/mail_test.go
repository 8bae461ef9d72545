package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/mail"
)

func TestTextsCarryLinkAndValidityInTheirLanguage(t *testing.T) {
	const link = "https://plateau.test/x/tok"
	for _, tc := range []struct {
		name string
		msg  mail.Message
		want []string
	}{
		{"invitation fr", mail.Invitation("a@x.test", "fr", "Acme", link),
			[]string{"Invitation à rejoindre Acme", "valable 7 jours", "Bonjour"}},
		{"invitation en", mail.Invitation("a@x.test", "en", "Acme", link),
			[]string{"invited to join Acme", "valid for 7 days", "Hello"}},
		{"invitation unknown locale is English", mail.Invitation("a@x.test", "", "Acme", link),
			[]string{"invited to join Acme", "valid for 7 days"}},
		{"reset fr", mail.PasswordReset("a@x.test", "fr", link),
			[]string{"Réinitialisation", "valable 1 heure ", "Bonjour"}},
		{"reset en", mail.PasswordReset("a@x.test", "en", link),
			[]string{"Reset your Plateau password", "valid for 1 hour ", "Hello"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.msg.To != "a@x.test" {
				t.Errorf("To = %q", tc.msg.To)
			}
			all := tc.msg.Subject + "\n" + tc.msg.Text
			for _, w := range append(tc.want, "\n"+link+"\n") {
				if !strings.Contains(all, w) {
					t.Errorf("missing %q in:\n%s", w, all)
				}
			}
		})
	}
}

func TestLogSenderWritesTheWholeMessage(t *testing.T) {
	var buf bytes.Buffer
	s := mail.LogSender{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	m := mail.PasswordReset("a@x.test", "en", "https://plateau.test/password/reset/tok")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"level":"INFO"`, `"to":"a@x.test"`, "Reset your Plateau password", "/password/reset/tok"} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("log lacks %q: %s", w, buf.String())
		}
	}
}
