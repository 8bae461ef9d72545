package numberset_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/numberset"
)

func TestKey(t *testing.T) {
	cases := []struct {
		e164 string
		key  uint64
		bad  string // part of the error, when the input is refused
	}{
		{"+33612345678", 33_612_345_678, ""},
		{"+12015550123", 12_015_550_123, ""},
		{"+212612345678", 212_612_345_678, ""},
		{"+12345678", 12_345_678, ""},                              // 8 digits, the shortest
		{"+999999999999999", 999_999_999_999_999, ""},              // 15 digits, the longest
		{"+100000000000000", 100_000_000_000_000, ""},              // zeros after the first digit
		{"", 0, "characters"},                                      // empty
		{"+", 0, "characters"},                                     // no digits
		{"+1234567", 0, "characters"},                              // 7 digits
		{"+1234567890123456", 0, "characters"},                     // 16 digits
		{"33612345678", 0, "does not start with '+'"},              // national or bare
		{"0033612345678", 0, "does not start with '+'"},            // international prefix
		{"+033612345678", 0, "starts with 0"},                      // no E.164 number starts with 0
		{"+33 612345678", 0, "' ' at offset 3"},                    // spaces are the parser's business
		{"+3361234567a", 0, "'a' at offset 11"},                    // letters
		{"++3361234567", 0, "'+' at offset 1"},                     // two pluses
		{"+33612345678\n", 0, "'\\n' at offset 12"},                // trailing newline from a file
		{"+٣٣٦١٢", 0, "at offset 1"},                               // Arabic-Indic digits are not ASCII digits
		{"+33612345678 ", 0, "' ' at offset 12"},                   // trailing space
		{"-33612345678", 0, "does not start with '+'"},             // sign
		{"+18446744073709551616", 0, "characters"},                 // would overflow uint64
		{"+1234567\x00", 0, "'\\x00' at offset 8"},                 // NUL
		{"\uFF0B33612345678", 0, "does not start with '+'"},        // full-width plus
		{"+33612345678" + strings.Repeat("9", 5), 0, "characters"}, // 16 digits
	}
	for _, c := range cases {
		k, err := numberset.Key(c.e164)
		switch {
		case c.bad == "" && (err != nil || k != c.key):
			t.Errorf("Key(%q) = %d, %v, want %d", c.e164, k, err, c.key)
		case c.bad != "" && (err == nil || !errors.Is(err, numberset.ErrNotE164) || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("Key(%q) = %d, %v, want ErrNotE164 saying %q", c.e164, k, err, c.bad)
		case c.bad == "":
			if back, err := numberset.E164(k); err != nil || back != c.e164 {
				t.Errorf("E164(%d) = %q, %v, want %q", k, back, err, c.e164)
			}
		}
	}
}

func TestE164RefusesWhatNoNumberMapsTo(t *testing.T) {
	for _, k := range []uint64{0, 1, 9_999_999, 1_000_000_000_000_000, 1<<64 - 1} {
		if s, err := numberset.E164(k); !errors.Is(err, numberset.ErrNotE164) {
			t.Errorf("E164(%d) = %q, %v, want ErrNotE164", k, s, err)
		}
	}
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"+33612345678", "+12015550123", "+12345678", "+999999999999999", "", "+", "+0", "33612345678", "+3361234567a", "+٣٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := numberset.Key(s)
		if err != nil {
			if !errors.Is(err, numberset.ErrNotE164) {
				t.Fatalf("Key(%q): %v is not ErrNotE164", s, err)
			}
			return
		}
		back, err := numberset.E164(k)
		if err != nil || back != s {
			t.Fatalf("Key(%q) = %d, E164 of it = %q, %v", s, k, back, err)
		}
		if k2, err := numberset.Key(back); err != nil || k2 != k {
			t.Fatalf("Key(E164(%d)) = %d, %v", k, k2, err)
		}
	})
}
