// Package testenv tells tests which real services they may use. A service
// is used when its PLATEAU_TEST_* variable (a URL, or a binary's path for
// chromium and sipp) is set; when
// PLATEAU_TEST_REQUIRE names it (as .ci/run does), its absence fails the
// test instead of skipping it, so CI cannot pass without the real thing.
//
// It imports only the standard library.
package testenv

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// Service names as PLATEAU_TEST_REQUIRE lists them.
const (
	Postgres   = "postgres"
	Redis      = "redis"
	StripeMock = "stripe"
	Chromium   = "chromium"
	Sipp       = "sipp"
)

var variables = map[string]string{
	Postgres:   "PLATEAU_TEST_POSTGRES_URL",
	Redis:      "PLATEAU_TEST_REDIS_URL",
	StripeMock: "PLATEAU_TEST_STRIPE_URL",
	Chromium:   "PLATEAU_TEST_CHROMIUM",
	Sipp:       "PLATEAU_TEST_SIPP",
}

// Required reports whether PLATEAU_TEST_REQUIRE names the service.
func Required(service string) bool {
	return slices.Contains(strings.Split(os.Getenv("PLATEAU_TEST_REQUIRE"), ","), service)
}

// URL returns the service's address, or "" when the test should run without
// it. When the service is required and not configured, the test fails.
func URL(t testing.TB, service string) string {
	t.Helper()
	name := variables[service]
	v := os.Getenv(name)
	if v == "" && Required(service) {
		t.Fatalf("%s is required (PLATEAU_TEST_REQUIRE=%s) but %s is not set", service, os.Getenv("PLATEAU_TEST_REQUIRE"), name)
	}
	return v
}

// Need returns the service's address or skips the test, saying which
// variable would enable it. Required services fail instead of skipping.
func Need(t testing.TB, service string) string {
	t.Helper()
	v := URL(t, service)
	if v == "" {
		t.Skipf("set %s to run this test against %s", variables[service], service)
	}
	return v
}
