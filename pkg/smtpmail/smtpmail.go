// Package smtpmail is the SMTP adapter of mail.Sender: it delivers the
// platform's mails through a server named by a URL, smtp://user:pass@host:587
// (STARTTLS when the server offers it) or smtps://user:pass@host:465 (TLS
// from the first byte).
//
// It imports the standard library and pkg/mail; no other adapter.
package smtpmail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/plateau-bpo/plateau/pkg/mail"
)

// Config names the server and the sender.
type Config struct {
	URL  string // smtp://user:pass@host:port or smtps://…; the port defaults to 587 and 465
	From string // "Plateau <no-reply@example.com>"
	// TLS verifies the server; nil uses the system's roots. Set it for a
	// server signed by a private authority. The server name defaults to the
	// URL's host.
	TLS *tls.Config
}

// Sender delivers mails over SMTP, one connection per mail.
type Sender struct {
	addr     string
	host     string
	implicit bool // smtps: TLS before the greeting
	// plainOK lets mail go without TLS when the server offers no STARTTLS:
	// by default only to a loopback relay; ?starttls=required refuses it
	// everywhere and ?starttls=optional allows it everywhere.
	// Mails carry one-time sign-in links: they must not cross a network in
	// clear because a server (or someone in between) dropped STARTTLS.
	plainOK bool
	auth    smtp.Auth
	from    *netmail.Address
	tls     *tls.Config
}

// New checks cfg and returns a Sender; it does not connect.
func New(cfg Config) (*Sender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("SMTP URL %q: use smtp://user:pass@host:587 or smtps://user:pass@host:465", redact(cfg.URL))
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail sender %q: give an address such as \"Plateau <no-reply@example.com>\": %w", cfg.From, err)
	}
	s := &Sender{host: u.Hostname(), implicit: u.Scheme == "smtps", from: from, tls: &tls.Config{}}
	switch opt := u.Query().Get("starttls"); opt {
	case "":
		ip := net.ParseIP(s.host)
		s.plainOK = s.host == "localhost" || (ip != nil && ip.IsLoopback())
	case "required":
	case "optional":
		s.plainOK = true
	default:
		return nil, fmt.Errorf("SMTP URL %q: starttls must be required or optional (got %q)", redact(cfg.URL), opt)
	}
	port := u.Port()
	switch {
	case port != "":
	case s.implicit:
		port = "465"
	default:
		port = "587"
	}
	s.addr = net.JoinHostPort(s.host, port)
	if cfg.TLS != nil {
		s.tls = cfg.TLS.Clone()
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = s.host
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		// PlainAuth refuses to send the password over a connection that is
		// neither TLS nor to localhost.
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	return s, nil
}

// Send delivers m. ctx bounds the whole exchange, which may last a minute
// at most.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("mail to %q: not an address: %w", m.To, err)
	}
	body, err := s.compose(to, m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("SMTP server %s: %w", s.addr, err)
	}
	defer conn.Close()
	// net/smtp takes no context: an expired deadline on the connection
	// interrupts it instead.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if err := s.deliver(conn, to.Address, body); err != nil {
		return fmt.Errorf("SMTP server %s: mail to %s: %w", s.addr, to.Address, err)
	}
	return nil
}

func (s *Sender) dial(ctx context.Context) (net.Conn, error) {
	if s.implicit {
		return (&tls.Dialer{Config: s.tls}).DialContext(ctx, "tcp", s.addr)
	}
	return (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
}

func (s *Sender) deliver(conn net.Conn, to string, body []byte) error {
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tls); err != nil {
				return fmt.Errorf("STARTTLS: %w", err)
			}
		} else if !s.plainOK {
			return fmt.Errorf("%s offers no STARTTLS: refusing to send mail in clear (use smtps://, or add ?starttls=optional to the URL if the network is trusted)", s.addr)
		}
	}
	if s.auth != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("the URL has credentials but the server offers no AUTH; remove them or check the port")
		}
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("authentication: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose writes m as a UTF-8 plain-text mail. Header values are encoded,
// so no text can inject a header.
func (s *Sender) compose(to *netmail.Address, m mail.Message) ([]byte, error) {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	domain := s.from.Address[strings.LastIndex(s.from.Address, "@")+1:]
	var b bytes.Buffer
	for _, h := range [][2]string{
		{"From", s.from.String()},
		{"To", to.String()},
		{"Subject", mime.QEncoding.Encode("utf-8", m.Subject)},
		{"Date", time.Now().Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id) + "@" + domain + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
	} {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(m.Text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// redact hides the password of a URL for messages.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}
