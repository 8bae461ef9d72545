package smtpmail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/smtpmail"
)

// server is a real SMTP server (go-smtp) in the test process that accepts
// bob/s3cret and keeps what it receives.
type server struct {
	addr  string
	smtp  *smtp.Server
	roots *x509.CertPool

	mu    sync.Mutex
	mails []received
}

type received struct {
	user, from string
	to         []string
	data       []byte
}

// startServer listens on 127.0.0.1 with STARTTLS, or with TLS from the
// first byte when implicit. Authentication is offered only over TLS.
func startServer(t *testing.T, implicit bool) *server {
	t.Helper()
	cert, roots := selfSigned(t)
	srv := &server{roots: roots}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: srv}, nil }))
	s.Domain = "localhost"
	s.ErrorLog = log.New(io.Discard, "", 0) // a refused client makes the server log a reset connection
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	var (
		ln  net.Listener
		err error
	)
	if implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", s.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = ln.Addr().String()
	srv.smtp = s
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return srv
}

// noStartTLS makes the server stop offering STARTTLS.
func (s *server) noStartTLS() { s.smtp.TLSConfig = nil }

func (s *server) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mails...)
}

type session struct {
	srv  *server
	user string
	msg  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "bob" || pass != "s3cret" {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.msg = received{user: s.user, from: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = data
	s.srv.mu.Lock()
	s.srv.mails = append(s.srv.mails, s.msg)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(parsed)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, roots
}

func newSender(t *testing.T, rawURL string, roots *x509.CertPool) *smtpmail.Sender {
	t.Helper()
	s, err := smtpmail.New(smtpmail.Config{URL: rawURL, From: "Équipe Plateau <no-reply@plateau.test>",
		TLS: &tls.Config{RootCAs: roots}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendDeliversAReadableMail(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scheme   string
		implicit bool
	}{
		{"starttls", "smtp", false},
		{"implicit tls", "smtps", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.implicit)
			s := newSender(t, tc.scheme+"://bob:s3cret@"+srv.addr, srv.roots)
			m := mail.Invitation("Alice@Example.test", "fr", "Société Générale d'Appels", "https://plateau.test/invitation/tok")
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("server received %d mails, want 1", len(got))
			}
			r := got[0]
			if r.user != "bob" || r.from != "no-reply@plateau.test" || len(r.to) != 1 || r.to[0] != "Alice@Example.test" {
				t.Errorf("envelope: user %q from %q to %q", r.user, r.from, r.to)
			}
			parsed, err := netmail.ReadMessage(strings.NewReader(string(r.data)))
			if err != nil {
				t.Fatal(err)
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
			if err != nil || subject != m.Subject {
				t.Errorf("Subject = %q (%v), want %q", subject, err, m.Subject)
			}
			from, err := parsed.Header.AddressList("From")
			if err != nil || from[0].Name != "Équipe Plateau" {
				t.Errorf("From = %v (%v)", from, err)
			}
			body, err := io.ReadAll(quotedprintable.NewReader(parsed.Body))
			if err != nil {
				t.Fatal(err)
			}
			if text := strings.ReplaceAll(string(body), "\r\n", "\n"); text != m.Text {
				t.Errorf("body:\n%s\nwant:\n%s", text, m.Text)
			}
		})
	}
}

func TestSendFailsWithoutDelivering(t *testing.T) {
	srv := startServer(t, false)
	m := mail.PasswordReset("a@x.test", "en", "https://plateau.test/password/reset/tok")
	for _, tc := range []struct {
		name string
		s    *smtpmail.Sender
		want string
	}{
		{"wrong password", newSender(t, "smtp://bob:wrong@"+srv.addr, srv.roots), "authentication"},
		// The password must not leave over TLS the client cannot verify.
		{"untrusted certificate", newSender(t, "smtp://bob:s3cret@"+srv.addr, x509.NewCertPool()), "STARTTLS"},
		{"no credentials", newSender(t, "smtp://"+srv.addr, srv.roots), "authenticate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Send(context.Background(), m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if n := len(srv.received()); n != 0 {
		t.Fatalf("server received %d mails, want none", n)
	}
}

// TestNoMailInClearWhenTLSIsRequired: a server that offers no STARTTLS
// gets nothing when the URL requires it (the default off loopback).
func TestNoMailInClearWhenTLSIsRequired(t *testing.T) {
	srv := startServer(t, false)
	srv.noStartTLS()
	m := mail.PasswordReset("a@x.test", "en", "https://plateau.test/password/reset/tok")
	err := newSender(t, "smtp://"+srv.addr+"?starttls=required", srv.roots).Send(context.Background(), m)
	if err == nil || !strings.Contains(err.Error(), "offers no STARTTLS") {
		t.Fatalf("err = %v, want a refusal to send in clear", err)
	}
	if n := len(srv.received()); n != 0 {
		t.Fatalf("server received %d mails in clear", n)
	}
}

func TestNewRejectsBadConfigWithoutShowingThePassword(t *testing.T) {
	for _, tc := range []struct{ url, from, want string }{
		{"http://bob:hunter22@mail.test", "a@x.test", "use smtp://"},
		{"smtp://bob:hunter22@", "a@x.test", "use smtp://"},
		{"smtp://mail.test", "not an address", "mail sender"},
	} {
		_, err := smtpmail.New(smtpmail.Config{URL: tc.url, From: tc.from})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter22") {
			t.Errorf("New(%q, %q) = %v, want an error mentioning %q and not the password", tc.url, tc.from, err, tc.want)
		}
	}
}
