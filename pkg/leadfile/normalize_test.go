package leadfile_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/numberset"
	"github.com/plateau-bpo/plateau/pkg/phone"
)

// sameAsPhoneParse fails the test unless NormalizePhone(raw, region) says
// exactly what phone.Parse says.
func sameAsPhoneParse(t *testing.T, raw, region string) {
	t.Helper()
	got, gotErr := leadfile.NormalizePhone(raw, region)
	want, wantErr := phone.Parse(raw, region)
	switch {
	case wantErr != nil:
		if gotErr == nil || gotErr.Error() != wantErr.Error() {
			t.Fatalf("NormalizePhone(%q, %q) = %+v, %v; phone.Parse says %v", raw, region, got, gotErr, wantErr)
		}
		if g, w := apperr.As(gotErr), apperr.As(wantErr); g == nil || g.Kind != w.Kind || g.Code != w.Code || !slices.Equal(g.Args, w.Args) {
			t.Fatalf("NormalizePhone(%q, %q) = %#v; phone.Parse says %#v", raw, region, gotErr, wantErr)
		}
	case gotErr != nil || got.E164 != want.E164 || got.Region != want.Region:
		t.Fatalf("NormalizePhone(%q, %q) = %+v, %v; phone.Parse says %s %s", raw, region, got, gotErr, want.E164, want.Region)
	default:
		if key, err := numberset.Key(want.E164); err != nil || key != got.Key {
			t.Fatalf("NormalizePhone(%q, %q): key %d, numberset.Key says %d %v", raw, region, got.Key, key, err)
		}
	}
}

// writeFrench writes the digits d the way people and spreadsheets do.
func writeFrench(r *rand.Rand, d string) string {
	switch r.IntN(8) {
	case 0:
		return d
	case 1, 2: // 06 12 34 56 78, 06.12.34.56.78, 06-12-34-56-78
		sep := []string{" ", ".", "-", "/", "\u00a0"}[r.IntN(5)]
		var b strings.Builder
		for i := 0; i < len(d); i++ {
			if i > 0 && (len(d)-i)%2 == 0 {
				b.WriteString(sep)
			}
			b.WriteByte(d[i])
		}
		return b.String()
	case 3: // separators anywhere, doubled, leading and trailing
		var b strings.Builder
		for i := 0; i < len(d); i++ {
			if r.IntN(3) == 0 {
				b.WriteString([]string{" ", ".", "-", "  ", " - ", "/", "\u00a0", " \u00a0"}[r.IntN(8)])
			}
			b.WriteByte(d[i])
		}
		if r.IntN(3) == 0 {
			b.WriteString([]string{" ", ".", "-"}[r.IntN(3)])
		}
		return b.String()
	case 4:
		return []string{"  ", "\u00a0", "\t"}[r.IntN(3)] + d + []string{"\t", "\u00a0", " ", ""}[r.IntN(4)]
	default:
		return d[:2] + " " + d[2:]
	}
}

// frenchForms writes the 9-digit national significant number nsn in the
// forms the fast path reads, and a few it leaves to phone.Parse.
func frenchForms(r *rand.Rand, nsn string) []string {
	forms := []string{
		writeFrench(r, "0"+nsn),
		"+33" + strings.TrimLeft(writeFrench(r, nsn), " \t"),
		"+33 " + nsn,
		"0033" + writeFrench(r, nsn),
		nsn,
		"33" + nsn,
		"+33 (0)" + nsn,
		"0" + nsn[:8],                      // a digit short
		"0" + nsn + fmt.Sprint(r.IntN(10)), // a digit too many
		"0" + nsn[:7],
		"0" + nsn + fmt.Sprint(r.IntN(100)),
		"00" + nsn,
		"+330" + nsn,
		"'0" + nsn,        // Excel's text mark
		`="0` + nsn + `"`, // Excel's text formula
		"tel:+33" + nsn,   // RFC 3966
		"tel:" + writeFrench(r, "0"+nsn),
	}
	return forms
}

func randomNSN(r *rand.Rand, prefix string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for b.Len() < 9 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// TestNormalizePhoneIsPhoneParse holds the fast path equal to phone.Parse:
// every three-digit range of the French plan, in every form, and for the
// ranges the fast path learns from phone.Parse, a second number of the
// same five-digit range, answered from what was learned. With
// LEADFILE_EXHAUSTIVE=1 it goes through all 90 000 five-digit ranges.
func TestNormalizePhoneIsPhoneParse(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	perRange := 2
	if testing.Short() {
		perRange = 1
	}
	for p := 100; p <= 999; p++ {
		for range perRange {
			for _, raw := range frenchForms(r, randomNSN(r, fmt.Sprint(p))) {
				sameAsPhoneParse(t, raw, "FR")
			}
		}
	}
	learned := []string{"262", "263", "2688", "2689", "269", "40", "508", "590", "594", "596", "5987", "5988", "5989",
		"639", "690", "691", "692", "693", "694", "696", "697", "70", "708", "709", "8"}
	if testing.Short() {
		learned = learned[:8]
	}
	for _, block := range learned {
		for range 40 {
			prefix := randomNSN(r, block)[:5]
			for range 3 { // the first is learned, the others are answered from memory
				for _, raw := range frenchForms(r, randomNSN(r, prefix))[:6] {
					sameAsPhoneParse(t, raw, "FR")
				}
			}
		}
	}
	if os.Getenv("LEADFILE_EXHAUSTIVE") != "" {
		for p := 10000; p <= 99999; p++ {
			for range 2 {
				for _, raw := range frenchForms(r, randomNSN(r, fmt.Sprint(p)))[:6] {
					sameAsPhoneParse(t, raw, "FR")
				}
			}
		}
	}
}

func TestNormalizePhoneOtherCases(t *testing.T) {
	for _, c := range []struct{ raw, region string }{
		{"", "FR"}, {"   ", "FR"}, {"inconnu", "FR"}, {"NC", "FR"}, {"6,12E+08", "FR"},
		{"06 12 34 56 78", "fr"}, {"06 12 34 56 78", " FR "}, {"06 12 34 56 78", "BE"},
		{"0612345678", "MQ"}, {"0696123456", "MQ"}, {"+32 470 12 34 56", "FR"}, {"0470123456", "BE"},
		{"06 12 34 56 78 / 01 23 45 67 89", "FR"}, {"+33 6 12 34 56 78", ""}, {"0612345678", ""},
		{"06\u00a012\u00a034\u00a056\u00a078", "FR"}, {"(06) 12 34 56 78", "FR"}, {"+33-6-12-34-56-78", "FR"},
		{"+ 33 6 12 34 56 78", "FR"}, {"++33612345678", "FR"}, {"0+33612345678", "FR"}, {"-0612345678-", "FR"},
		{"06123456789012345678901234567890123456789", "FR"}, {"0612345", "FR"}, {"061234", "FR"},
		{"06\u202f12\u202f34\u202f56\u202f78", "FR"}, {"06//12", "FR"}, {"06 12 34 56 78\u00a0", "FR"}, {"\u00a0+33612345678", "FR"},
		{"'0612345678", "FR"}, {`="0612345678"`, "FR"}, {"tel:+33612345678", "FR"}, {"TEL:+33612345678", "FR"},
		{`="0612345678`, "FR"}, {`="`, "FR"}, {"'", "FR"}, {"tel:", "FR"}, {"''0612345678", "FR"}, {`=""0612345678""`, "FR"},
		{"'" + strings.Repeat(" ", 35) + "0612345678", "FR"}, {`= "0612345678"`, "FR"}, {"'+33 6 12 34 56 78", "FR"},
		{"'0596 30 12 34", "FR"}, {"tel:+596596301234", "FR"}, {"0508 41 23 45", "FR"}, {"'0508 41 23 45", "FR"},
		{"+49 30 123456789012", "DE"}, {"+49 30 123456789012", "FR"}, {"0612345678", "DE"},
		{"0\u00a0612345678", "FR"}, {"06\u00a0\u00a012345678", "FR"}, {"+\u00a033612345678", "FR"}, {"0612345678\xc2", "FR"}, {"06\xc2\xa1", "FR"},
	} {
		sameAsPhoneParse(t, c.raw, c.region)
	}
}

// FuzzNormalizePhone: whatever the input, NormalizePhone says what
// phone.Parse says.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"06 12 34 56 78", "+33612345678", "0033 6 12 34 56 78", "612345678", "33612345678",
		"0690 12 34 56", "0262 12 34 56", "08 00 12 34 56", "06 12 34 56 7", "06.12.34.56.78.9", "+33 (0)6 12 34 56 78",
		"'0612345678", `="06 12 34 56 78"`, "tel:+33612345678", "05 96 30 12 34", "02 69 61 23 45", "05 08 41 23 45"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		sameAsPhoneParse(t, raw, "FR")
	})
}

// TestNormalizePhoneNeverSaysNumberset: a number too long for E.164 is
// refused with phone.Parse's message, not an internal one.
func TestNormalizePhoneNeverSaysNumberset(t *testing.T) {
	for _, region := range []string{"DE", "FR", ""} {
		_, err := leadfile.NormalizePhone("+49 30 123456789012", region)
		if err == nil || strings.Contains(err.Error(), "numberset") || !strings.Contains(err.Error(), "at most 15 digits") {
			t.Errorf("a 16-digit number, region %q: %v", region, err)
		}
	}
}

// TestNormalizePhoneReadsWrittenFormsFast: the forms Excel leaves
// ('0612…, ="0612…") and tel: URIs take the fast path, as the plain number
// does, rather than phone.Parse and its hundreds of allocations.
func TestNormalizePhoneReadsWrittenFormsFast(t *testing.T) {
	plain := testing.AllocsPerRun(100, func() { _, _ = leadfile.NormalizePhone("06 12 34 56 78", "FR") })
	for _, raw := range []string{"'06 12 34 56 78", `="06 12 34 56 78"`, "tel:+33-6-12-34-56-78"} {
		sameAsPhoneParse(t, raw, "FR")
		if got := testing.AllocsPerRun(100, func() { _, _ = leadfile.NormalizePhone(raw, "FR") }); got > plain {
			t.Errorf("NormalizePhone(%q): %.0f allocations, the plain number takes %.0f", raw, got, plain)
		}
	}
}
