package center_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

func text(page string) string { return html.UnescapeString(page) }

// verify has the platform's admin verify a center's profile as it stands.
func verify(t *testing.T, e *platformtest.Env, center uuid.UUID) {
	t.Helper()
	plateau := e.Org(tenancy.KindPlatform, "Plateau", "FR")
	ctx := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(plateau.Org, "admin@plateau.test"))
	if _, err := e.P.Services.Compliance.VerifyCenterProfile(ctx, center); err != nil {
		t.Fatal(err)
	}
}

func TestCenterOwnerFillsTheProfileAndSeesWhatIsMissing(t *testing.T) {
	platformtest.Each(t, func(t *testing.T, e *platformtest.Env) {
		atlas := e.Org(tenancy.KindCenter, "Atlas Contact", "MA")
		b := e.Browser()
		b.Login(atlas.Owner.Email, atlas.Password)

		resp, page := b.Get("/center/data-protection")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET: %d\n%s", resp.StatusCode, page)
		}
		for _, want := range []string{"Référence CNDP (déclaration ou autorisation)", "Ne peut pas encore recevoir",
			"les clauses contractuelles types signées", "une analyse d'impact des transferts au dossier",
			"la référence CNDP (déclaration ou autorisation)", "Le dossier n'a pas encore été rempli."} {
			if !strings.Contains(text(page), want) {
				t.Errorf("the empty profile page lacks %q", want)
			}
		}

		// A date that is not one is refused, naming the field, nothing saved.
		form := url.Values{"_csrf": {platformtest.CSRF(t, page)}, "scc_signed_at": {"03/11/2025"}, "scc_module": {"2"}}
		resp, page = b.Post("/center/data-protection", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `data-field="scc_signed_at"`) {
			t.Fatalf("a bad date: %d\n%s", resp.StatusCode, page)
		}

		form = url.Values{"_csrf": {platformtest.CSRF(t, page)}, "scc_signed_at": {"2025-11-03"}, "scc_module": {"2"},
			"tia_on_file": {"1"}, "authority_ref": {"D-GC-248/2025"}, "authority_expires_at": {"2030-11-03"},
			"documents": {"SCC module 2.pdf\r\n\r\n  CNDP authorization.pdf  \r\n"}}
		resp, page = b.Post("/center/data-protection", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", resp.StatusCode, page)
		}
		_, page = b.Get("/center/data-protection")
		got := text(page)
		for _, want := range []string{`value="2025-11-03"`, `value="D-GC-248/2025"`, `value="2030-11-03"`, "checked",
			"SCC module 2.pdf\nCNDP authorization.pdf</textarea>", "la vérification du dossier actuel par la plateforme",
			"Non vérifié par la plateforme"} {
			if !strings.Contains(got, want) {
				t.Errorf("the saved profile page lacks %q", want)
			}
		}
		for _, gone := range []string{"les clauses contractuelles types signées", "la référence CNDP"} {
			if strings.Contains(got, gone) {
				t.Errorf("%q is still listed as missing", gone)
			}
		}

		// Verified by the platform: the center may receive EU data.
		verify(t, e, atlas.Org.ID)
		_, page = b.Get("/center/data-protection")
		if !strings.Contains(text(page), "Peut recevoir des données personnelles de l'UE") || !strings.Contains(page, "admin@plateau.test") {
			t.Errorf("the verified profile does not say the center may receive EU data\n%s", page)
		}
	})
}

func TestSupervisorReadsTheProfileAndQACannot(t *testing.T) {
	e := platformtest.New(t)
	teranga := e.Org(tenancy.KindCenter, "Teranga", "SN")
	e.Member(teranga.Org, "sup@teranga.test", "supervisor", "supervisor password")
	e.Member(teranga.Org, "qa@teranga.test", "qa", "quality password")
	sup := e.Browser()
	sup.Login("sup@teranga.test", "supervisor password")
	resp, page := sup.Get("/center/data-protection")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("supervisor: %d", resp.StatusCode)
	}
	if !strings.Contains(page, "Référence CDP") || !strings.Contains(page, "<fieldset disabled") || strings.Contains(page, `type="submit" class="primary"`) {
		t.Errorf("the supervisor's page is not the read-only CDP profile\n%s", page)
	}
	if resp, _ := sup.Post("/center/data-protection", url.Values{"_csrf": {platformtest.CSRF(t, page)}, "scc_module": {"2"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("supervisor saving: %d, want 403", resp.StatusCode)
	}
	qa := e.Browser()
	qa.Login("qa@teranga.test", "quality password")
	if resp, _ := qa.Get("/center/data-protection"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("QA reading: %d, want 403", resp.StatusCode)
	}
}

func TestStatusTranslatesWhatIsMissing(t *testing.T) {
	e := platformtest.New(t)
	tr := func(key string, args ...any) string { return e.P.I18n.T("fr", key, args...) }
	expired := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	signed := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p := compliance.CenterProfile{Country: "MA", SCCSignedAt: &signed, SCCModule: "4", AuthorityRef: "X", AuthorityExpiresAt: &expired,
		UpdatedAt: signed}
	s := compliance.DataProtectionStatus(p, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), tr)
	want := []string{"le module des CCT (2 ou 3)", "une analyse d'impact des transferts au dossier",
		"une autorisation CNDP en cours de validité (expirée le 2026-01-01)", "la vérification du dossier actuel par la plateforme"}
	if s.MayReceive || strings.Join(s.Missing, "|") != strings.Join(want, "|") {
		t.Errorf("missing: %q, want %q", s.Missing, want)
	}
	if s := compliance.DataProtectionStatus(compliance.CenterProfile{Country: "FR"}, time.Now(), tr); !s.MayReceive {
		t.Errorf("a center in France may receive EU data: %+v", s)
	}
}
