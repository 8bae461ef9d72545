package apperr_test

import (
	"fmt"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// TestMergeKeepsTheFirstProblemOfEachField: the first problem found with a
// field is the one a caller reads; a field named again adds nothing.
func TestMergeKeepsTheFirstProblemOfEachField(t *testing.T) {
	f := apperr.Fields{apperr.Field("items[1].captured_at", "test.no_zone", "has no time zone")}
	got := f.Merge([]apperr.FieldError{apperr.Field("items[1].captured_at", "test.required", "is required"),
		apperr.Field("items[0].phone", "test.too_short", "is too short")})
	if fmt.Sprint(paths(got)) != "[items[1].captured_at:has no time zone items[0].phone:is too short]" {
		t.Errorf("merged %+v", got)
	}
}

func paths(f apperr.Fields) []string {
	out := make([]string, len(f))
	for i, e := range f {
		out[i] = e.Path + ":" + e.Message
	}
	return out
}

// status is a domain word, as campaign.Status is.
type status string

func (s status) TermKey() string { return "status." + string(s) }

// TestLocalizeSaysEachMessageInTheReadersLanguage: a coded message and its
// fields are said from the catalog, domain words included; a code the
// catalog lacks keeps its English.
func TestLocalizeSaysEachMessageInTheReadersLanguage(t *testing.T) {
	french := map[string]string{
		"err.test.ended":       "la campagne est %s : elle ne prend plus d'offres",
		"err.test.too_long":    "doit faire au plus %d caractères",
		"status.cancelled":     "annulée",
		"err.test.summary_bad": "la saisie n'est pas valide",
	}
	tr := func(key string, args ...any) (string, bool) {
		s, ok := french[key]
		if ok && len(args) > 0 {
			s = fmt.Sprintf(s, args...)
		}
		return s, ok
	}
	e := apperr.New(apperr.Conflict, "test.ended", "the campaign is %s: it takes no more offers", status("cancelled"))
	if e.Message != "the campaign is cancelled: it takes no more offers" {
		t.Fatalf("English: %q", e.Message)
	}
	if got := apperr.Localize(fmt.Errorf("wrapped: %w", e), tr); got.Message != "la campagne est annulée : elle ne prend plus d'offres" || got.Code != "test.ended" {
		t.Errorf("French: %+v", got)
	}
	var f apperr.Fields
	f.Add("name", "test.too_long", "must be at most %d characters", 200)
	f.Add("kind", "test.unknown_kind", "is not a kind")
	got := apperr.Localize(f.Err("test.summary_bad", "the input is not valid"), tr)
	if got.Message != "la saisie n'est pas valide" || got.Fields[0].Message != "doit faire au plus 200 caractères" ||
		got.Fields[1].Message != "is not a kind" || got.Fields[0].Code != "test.too_long" {
		t.Errorf("fields: %+v", got)
	}
	if plain := apperr.Localize(fmt.Errorf("boom"), tr); plain.Kind != apperr.Internal {
		t.Errorf("an error without a kind: %+v", plain)
	}
}
