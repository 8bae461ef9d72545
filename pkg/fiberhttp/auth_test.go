package fiberhttp_test

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/fiberhttp"
)

func TestSafeRedirectTargetStaysOnThisSite(t *testing.T) {
	for next, want := range map[string]string{
		"/portal":                 "/portal",
		"/portal?tab=team#x":      "/portal?tab=team#x",
		"":                        "/",
		"portal":                  "/",
		"//evil.example":          "/",
		"/\\evil.example":         "/",
		"/\t/evil.example":        "/",
		"/\n/evil.example":        "/",
		"https://evil.example/":   "/",
		"/%2F%2Fevil.example":     "/", // decoded, it would start with //: refused, to be safe
		"/\u007f/evil.example":    "/",
		"///evil.example":         "/",
		"/..//evil.example":       "/..//evil.example",
		"/portal\\..\\..\\evil":   "/",
		"/portal/../../evil.html": "/portal/../../evil.html",
	} {
		if got := fiberhttp.SafeRedirectTarget(next); got != want {
			t.Errorf("SafeRedirectTarget(%q) = %q, want %q", next, got, want)
		}
	}
}
