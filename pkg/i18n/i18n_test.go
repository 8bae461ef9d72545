package i18n_test

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/i18n"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/market"
	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
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
		// A message's English is in the code, beside its code (pkg/apperr).
		if !slices.Contains(en, k) && !strings.HasPrefix(k, "err.") {
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

func TestAreaCatalogsMergeIntoTheirLocale(t *testing.T) {
	fsys := fstest.MapFS{
		"i18n/en.json":        {Data: []byte(`{"a": "A"}`)},
		"i18n/portal.en.json": {Data: []byte(`{"b": "B"}`)},
		"i18n/portal.fr.json": {Data: []byte(`{"b": "Bé"}`)},
	}
	c, err := i18n.Load(fsys, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("en", "a") + c.T("en", "b") + c.T("fr", "b"); got != "ABBé" {
		t.Errorf("merged catalogs: %q", got)
	}
	fsys["i18n/center.en.json"] = &fstest.MapFile{Data: []byte(`{"a": "again"}`)}
	if _, err := i18n.Load(fsys, "i18n"); err == nil || !strings.Contains(err.Error(), `"a" is already defined`) {
		t.Errorf("a key defined twice should fail to load, got %v", err)
	}
}

// TestEveryDomainWordIsInTheCatalogs: a word of the domain that a message
// takes as a parameter (a status, a role, a reason…) is translated by the
// catalog key it names, which both languages have.
func TestEveryDomainWordIsInTheCatalogs(t *testing.T) {
	c, err := i18n.Load(web.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	var words []apperr.Term
	add := func(list ...apperr.Term) { words = append(words, list...) }
	for _, s := range campaign.Statuses {
		add(s)
	}
	for _, e := range campaign.Events {
		add(e)
	}
	for _, s := range lead.Statuses() {
		add(s)
	}
	for _, p := range append(leadfile.ProblemCodes, lead.ProblemCodes...) {
		add(p)
	}
	for _, f := range leadfile.Fields() {
		add(f)
	}
	for _, r := range compliance.Reasons {
		add(r)
	}
	for _, k := range compliance.ConsentKinds {
		add(k)
	}
	add(compliance.B2C, compliance.B2B)
	add(campaign.Preview, campaign.Progressive, campaign.Predictive)
	for _, k := range script.Kinds {
		add(k)
	}
	for _, d := range script.Dispositions {
		add(d)
	}
	add(market.OfferSubmitted, market.OfferWithdrawn, market.OfferAccepted, market.OfferDeclined)
	add(market.ContractPending, market.ContractActive, market.ContractEnded)
	for _, k := range []tenancy.OrgKind{tenancy.KindClient, tenancy.KindCenter, tenancy.KindPlatform} {
		add(k)
		for _, r := range tenancy.RolesOf(k) {
			add(r)
		}
	}
	if len(words) < 60 {
		t.Fatalf("only %d words", len(words))
	}
	for _, w := range words {
		for _, locale := range []string{"en", "fr"} {
			if _, ok := c.Lookup(locale, w.TermKey()); !ok {
				t.Errorf("%T %q: %s has no %s", w, w, w.TermKey(), locale)
			}
		}
	}
}
