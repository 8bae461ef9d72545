package secret_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/secret"
)

func TestPasswordRoundTrip(t *testing.T) {
	hash, err := secret.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", hash)
	}
	if err := secret.CheckPassword(hash, "correct horse battery"); err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if err := secret.CheckPassword(hash, "correct horse batterY"); !errors.Is(err, secret.ErrMismatch) {
		t.Fatalf("wrong password: got %v, want ErrMismatch", err)
	}
	other, _ := secret.HashPassword("correct horse battery")
	if other == hash {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestCheckPasswordRejectsGarbage(t *testing.T) {
	for _, h := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=x$a$b", "$argon2id$v=18$m=1,t=1,p=1$AAAA$AAAA"} {
		if err := secret.CheckPassword(h, "x"); err == nil || errors.Is(err, secret.ErrMismatch) {
			t.Errorf("hash %q: got %v, want a format error", h, err)
		}
	}
}

func TestAPIKeyShape(t *testing.T) {
	key, visible := secret.NewAPIKey()
	if !secret.LooksLikeAPIKey(key) || !strings.HasPrefix(key, visible) || len(visible) != len("plt_live_")+8 {
		t.Fatalf("key %q visible %q", key, visible)
	}
	if secret.LooksLikeAPIKey(key[:len(key)-1]) {
		t.Fatal("a truncated key looks valid")
	}
	other, _ := secret.NewAPIKey()
	if other == key || string(secret.HashToken(key)) == string(secret.HashToken(other)) {
		t.Fatal("two keys collide")
	}
}

// TestPasswordPolicy: a weak password is refused with an Invalid error a
// field carries in its reader's language (f.AddError).
func TestPasswordPolicy(t *testing.T) {
	for password, code := range map[string]string{"short": "secret.password.too_short", strings.Repeat("é", 513): "secret.password.too_long"} {
		e := apperr.As(secret.CheckPasswordPolicy(password))
		if e == nil || e.Kind != apperr.Invalid || e.Code != code {
			t.Errorf("%d characters: %#v, want an Invalid %s error", len([]rune(password)), e, code)
		}
	}
	if e := apperr.As(secret.CheckPasswordPolicy("short")); e == nil || e.Message != "must be at least 10 characters" || len(e.Args) != 1 || e.Args[0] != secret.MinPasswordLength {
		t.Errorf("too short: %#v", e)
	}
	if err := secret.CheckPasswordPolicy("long enough pass"); err != nil {
		t.Fatalf("a good password was refused: %v", err)
	}
}
