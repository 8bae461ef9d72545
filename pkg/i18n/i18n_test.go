package i18n_test

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/web"
)

func TestCatalogsAreCompleteForEveryTemplate(t *testing.T) {
	c, err := i18n.Load(web.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	en, fr := c.Keys("en"), c.Keys("fr")
	for _, k := range en {
		if !slices.Contains(fr, k) {
			t.Errorf("%q is in English but not in French", k)
		}
	}
	for _, k := range fr {
		if !slices.Contains(en, k) {
			t.Errorf("%q is in French but not in English", k)
		}
	}
	literal := regexp.MustCompile(`\{\{-?\s*t \$?\.Locale "([^"]+)"`)
	err = fs.WalkDir(web.FS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(web.FS, path)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllStringSubmatch(string(raw), -1) {
			if !slices.Contains(en, m[1]) {
				t.Errorf("%s uses %q, which no catalog has", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMissingKeysFallBack(t *testing.T) {
	c, err := i18n.Load(web.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("fr", "auth.login.submit"); got != "Se connecter" {
		t.Errorf("French sign-in button: %q", got)
	}
	if got := c.T("de", "auth.login.submit"); got != "Sign in" {
		t.Errorf("an unknown locale should fall back to English, got %q", got)
	}
	if got := c.T("fr", "no.such.key"); got != "no.such.key" {
		t.Errorf("an unknown key should show itself, got %q", got)
	}
	if got := c.T("en", "auth.login.throttled_account", 15); got != "Too many failed attempts for this account. Try again in 15 minutes, or reset your password." {
		t.Errorf("formatted message: %q", got)
	}
}
