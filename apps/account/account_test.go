package account_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
	"github.com/plateau-bpo/plateau/pkg/mail"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func TestLoginShowsWhoIsSignedInAndLogoutEndsIt(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		b := e.Browser()
		resp, _ := b.Get("/portal")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Fatalf("anonymous /portal: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		b.Login(ml.Owner.Email, ml.Password)
		resp, page := b.Get("/portal")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/portal after login: %d\n%s", resp.StatusCode, page)
		}
		for _, want := range []string{ml.Owner.Email, "Maison Lumiere", "Responsable", `lang="fr"`} {
			if !strings.Contains(page, want) {
				t.Errorf("portal page lacks %q", want)
			}
		}
		// A client owner may not enter the center front door.
		if resp, _ := b.Get("/center"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("client owner on /center: %d, want 403", resp.StatusCode)
		}
		// Switching to English sticks for the session.
		resp, _ = b.Post("/locale", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "locale": {"en"}, "next": {"/portal"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch locale: %d", resp.StatusCode)
		}
		_, page = b.Get("/portal")
		if !strings.Contains(page, `lang="en"`) || !strings.Contains(page, "Owner") {
			t.Errorf("after switching to English the page is not English")
		}
		resp, _ = b.Post("/logout", url.Values{"_csrf": {platformtest.CSRF(t, page)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if resp, _ := b.Get("/portal"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after logout /portal answers %d, want a redirect to sign in", resp.StatusCode)
		}
	})
}

func TestWrongPasswordThenThrottlePerAccount(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	b := e.Browser()
	try := func(password string) (int, string) {
		_, page := b.Get("/login")
		resp, body := b.Post("/login", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {ml.Owner.Email}, "password": {password}})
		return resp.StatusCode, body
	}
	for i := range 5 {
		status, body := try("wrong password")
		if status != http.StatusUnauthorized || !strings.Contains(body, "E-mail ou mot de passe incorrect") && !strings.Contains(body, "Wrong email or password") {
			t.Fatalf("attempt %d: %d\n%s", i+1, status, body)
		}
	}
	// The sixth attempt is refused even with the right password, and says why.
	status, body := try(ml.Password)
	if status != http.StatusTooManyRequests || !strings.Contains(body, "account") && !strings.Contains(body, "compte") {
		t.Fatalf("after 5 failures: %d\n%s", status, body)
	}
	// Another account from another address is not affected.
	other := e.Member(ml.Org, "analyst@ml.test", "analyst", "another good password")
	b2 := e.Browser()
	_, page := b2.Get("/login")
	req := url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {other.Email}, "password": {"another good password"}}
	if resp, body := b2.Post("/login", req); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account blocked too: %d\n%s", resp.StatusCode, body)
	}
}

func TestThrottlePerAddress(t *testing.T) {
	e := platformtest.New(t)
	b := e.Browser()
	// The address's limit of failures, over many accounts, blocks the address.
	limit := int(e.P.Throttle.IP.Limit)
	for i := range limit {
		_, page := b.Get("/login")
		resp, _ := b.Post("/login", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {fmt.Sprintf("nobody%d@x.test", i)}, "password": {"whatever password"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	_, page := b.Get("/login")
	resp, body := b.Post("/login", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {"someone@x.test"}, "password": {"whatever password"}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures from one address: %d %q\n%s", limit, resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestFormsWithoutTheCSRFTokenAreRejected(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	b := e.Browser()
	b.Get("/login")
	for name, token := range map[string]string{"missing": "", "forged": "not-the-token"} {
		form := url.Values{"email": {ml.Owner.Email}, "password": {ml.Password}}
		if token != "" {
			form.Set("_csrf", token)
		}
		resp, body := b.Post("/login", form)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "rechargez la page") { // a visitor reads French
			t.Errorf("%s token: %d\n%s", name, resp.StatusCode, body)
		}
	}
	// Signed in, a logout without the token does not sign out.
	b.Login(ml.Owner.Email, ml.Password)
	if resp, _ := b.Post("/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without token: %d", resp.StatusCode)
	}
	if resp, _ := b.Get("/portal"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a rejected logout signed the user out: %d", resp.StatusCode)
	}
	// A token from another session is worth nothing.
	other := e.Browser()
	_, otherPage := other.Get("/login")
	if resp, _ := b.Post("/logout", url.Values{"_csrf": {platformtest.CSRF(t, otherPage)}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with another session's token: %d", resp.StatusCode)
	}
}

func TestSessionIsRotatedAtLogin(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	b := e.Browser()
	resp, page := b.Get("/login")
	var before string
	for _, c := range resp.Cookies() {
		if c.Name == fiberhttp.SessionCookie {
			before = c.Value
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie flags: %+v", c)
			}
		}
	}
	resp, _ = b.Post("/login", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {ml.Owner.Email}, "password": {ml.Password}})
	var after string
	for _, c := range resp.Cookies() {
		if c.Name == fiberhttp.SessionCookie {
			after = c.Value
		}
	}
	if before == "" || after == "" || before == after {
		t.Fatalf("session id before %q after %q: want two different ids", before, after)
	}
}

func TestPasswordResetAndInvitationByOneTimeToken(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		ctx := context.Background()
		ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
		sys := tenancy.WithPrincipal(ctx, tenancy.SystemPrincipal(ml.Org, "test"))
		invited, err := e.P.Services.Tenancy.AddMember(sys, store.NewMemberInput{Email: "new@ml.test", Role: "manager"})
		if err != nil {
			t.Fatal(err)
		}
		token := invitationToken(t, e, ml.Org, invited)
		b := e.Browser()
		_, page := b.Get("/invitation/" + token)
		csrf := platformtest.CSRF(t, page)
		resp, body := b.Post("/invitation", url.Values{"_csrf": {csrf}, "token": {token}, "password": {"a new good password"}, "confirm": {"a different one!!"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("mismatched confirmation: %d\n%s", resp.StatusCode, body)
		}
		resp, body = b.Post("/invitation", url.Values{"_csrf": {csrf}, "token": {token}, "password": {"a new good password"}, "confirm": {"a new good password"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portal" {
			t.Fatalf("accept invitation: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		// The token works once.
		b2 := e.Browser()
		_, page = b2.Get("/invitation/" + token)
		resp, _ = b2.Post("/invitation", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "token": {token}, "password": {"yet another password"}, "confirm": {"yet another password"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("second use of the token: %d", resp.StatusCode)
		}
		b2.Login("new@ml.test", "a new good password")

		// The reset form says the same for a known and an unknown email.
		_, page = b2.Get("/password/forgot")
		_, known := b2.Post("/password/forgot", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {"new@ml.test"}})
		_, unknown := b2.Post("/password/forgot", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {"ghost@ml.test"}})
		if !strings.Contains(known, `data-testid="forgot-sent"`) || !strings.Contains(unknown, `data-testid="forgot-sent"`) {
			t.Fatalf("reset request pages differ or fail:\n%s\n---\n%s", known, unknown)
		}
	})
}

func TestAnExpiredSessionAsksToSignInAgain(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	b := e.Browser()
	b.Login(ml.Owner.Email, ml.Password)
	_, page := b.Get("/portal")
	csrf := platformtest.CSRF(t, page)
	// Every session ends at once, as when its idle timeout passes.
	if err := e.P.Redis.Client.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	resp, _ := b.Get("/portal")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=%2Fportal") {
		t.Fatalf("expired session on /portal: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := b.Post("/logout", url.Values{"_csrf": {csrf}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "expiré") {
		t.Fatalf("a form of the expired session: %d\n%s", resp.StatusCode, body)
	}
}

func TestADisabledUserIsSignedOutAtTheirNextRequest(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	analyst := e.Member(ml.Org, "an@ml.test", "analyst", "long enough password")
	b := e.Browser()
	b.Login(analyst.Email, "long enough password")
	owner := tenancy.WithPrincipal(context.Background(), tenancy.Principal{Kind: tenancy.ActorUser, ID: ml.Owner.ID,
		OrgID: ml.Org.ID, OrgKind: ml.Org.Kind, Role: tenancy.RoleOwner})
	disabled := string(tenancy.UserDisabled)
	if _, err := e.P.Services.Tenancy.UpdateMember(owner, analyst.ID, store.MemberPatch{Status: &disabled}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := b.Get("/portal"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a disabled user still reaches /portal: %d", resp.StatusCode)
	}
	_, page := b.Get("/login")
	resp, body := b.Post("/login", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "email": {analyst.Email}, "password": {"long enough password"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "désactivé") && !strings.Contains(body, "disabled") {
		t.Fatalf("a disabled user signing in: %d\n%s", resp.StatusCode, body)
	}
}

// TestParallelGuessesCannotPassTheAccountLimit: 20 wrong passwords sent at
// once for one account get at most the limit's worth of answers.
func TestParallelGuessesCannotPassTheAccountLimit(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	b := e.Browser()
	resp, page := b.Get("/login")
	csrf := platformtest.CSRF(t, page)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == fiberhttp.SessionCookie {
			cookie = c
		}
	}
	form := url.Values{"_csrf": {csrf}, "email": {ml.Owner.Email}, "password": {"a wrong guess"}}.Encode()
	var wg sync.WaitGroup
	var tried atomic.Int64
	for range 20 {
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(cookie)
			resp, err := e.P.Server.App.Test(req, -1)
			if err == nil && resp.StatusCode == http.StatusUnauthorized {
				tried.Add(1)
			}
		})
	}
	wg.Wait()
	if limit := e.P.Throttle.Account.Limit; tried.Load() > limit {
		t.Fatalf("%d guesses were checked, the limit is %d", tried.Load(), limit)
	}
}

// invitationToken sends the invitation mail the member's creation
// announced, as the worker does, and reads the token in its link.
func invitationToken(t *testing.T, e *platformtest.Env, org tenancy.Org, m tenancy.Member) string {
	t.Helper()
	msgs, err := e.P.Services.Jobs.Unfinished(context.Background(), time.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range msgs {
		var env struct{ Data mail.MemberTask }
		if msg.TaskType != mail.TaskInvitation || json.Unmarshal(msg.Payload, &env) != nil || env.Data.UserID != m.ID {
			continue
		}
		var token string
		skipped, err := e.P.Services.Accounts.MailMember(platformtest.As(org), store.MemberMail{OutboxID: msg.ID, UserID: m.ID,
			Purpose: tenancy.TokenInvitation, Validity: time.Hour, Needed: func(tenancy.Member) bool { return true },
			Send: func(_ tenancy.Member, _ tenancy.Org, tok string) error { token = tok; return nil }})
		if err != nil || skipped != "" {
			t.Fatalf("the invitation was not sent: %q %v", skipped, err)
		}
		return token
	}
	t.Fatalf("no invitation announced for %s", m.Email)
	return ""
}

// TestTheLinksRefusalsAreInTheReadersLanguage: what an invitation's form
// refuses (a password too short, a link used already) reads in the page's
// language; the field's problem read in English on a French page.
func TestTheLinksRefusalsAreInTheReadersLanguage(t *testing.T) {
	e := platformtest.New(t)
	ml := e.Org(tenancy.KindClient, "Maison Lumiere", "FR")
	sys := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(ml.Org, "test"))
	invited, err := e.P.Services.Tenancy.AddMember(sys, store.NewMemberInput{Email: "new@ml.test", Role: "manager"})
	if err != nil {
		t.Fatal(err)
	}
	token := invitationToken(t, e, ml.Org, invited)
	for locale, want := range map[string][2]string{
		"fr": {"le mot de passe n&#39;est pas valide\u00a0: doit faire au moins 10 caractères", "ce lien est invalide, expiré ou déjà utilisé"},
		"en": {"the password is not valid: must be at least 10 characters", "this link is invalid, expired or already used"},
	} {
		b := e.Browser()
		_, page := b.Get("/invitation/" + token)
		csrf := platformtest.CSRF(t, page)
		if resp, body := b.Post("/locale", url.Values{"_csrf": {csrf}, "locale": {locale}, "next": {"/invitation/" + token}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("choosing %s: %d\n%s", locale, resp.StatusCode, body)
		}
		resp, body := b.Post("/invitation", url.Values{"_csrf": {csrf}, "token": {token}, "password": {"short"}, "confirm": {"short"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want[0]) {
			t.Errorf("%s, a short password: %d, want 422 saying %q\n%s", locale, resp.StatusCode, want[0], body)
		}
		resp, body = b.Post("/invitation", url.Values{"_csrf": {csrf}, "token": {"not-a-token"}, "password": {"a new good password"}, "confirm": {"a new good password"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want[1]) {
			t.Errorf("%s, a link that is none: %d, want 422 saying %q\n%s", locale, resp.StatusCode, want[1], body)
		}
	}
}
