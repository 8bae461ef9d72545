package leadfile

import (
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// TestTheMemoLearnsPhoneParsesErrors: the fast path remembers the coded
// errors phone.Parse gives of French numbers (a wrong length, a range not
// in use) and tells them again, code and parameters, of the next number.
func TestTheMemoLearnsPhoneParsesErrors(t *testing.T) {
	for _, c := range []struct{ first, next string }{
		{"06 12 34 56 7", "07 98 76 54 3"},       // nine digits after the 0
		{"06 12 34 56 78 9", "07 98 76 54 32 1"}, // eleven
		{"05 96 12 34 56", "05 96 12 99 99"},     // Martinique: no such range
	} {
		_, err := NormalizePhone(c.first, "FR")
		first := apperr.As(err)
		if first == nil || first.Code == "" {
			t.Fatalf("NormalizePhone(%q) = %v; want a coded error", c.first, err)
		}
		f, nsn, digits := frenchForm(c.next)
		learnt := f == wrongLength && frenchMemo.lengths[digits].Load() != nil || f != wrongLength && frenchMemo.lookup(f, nsn[:]) != nil
		if !learnt {
			t.Errorf("after %q, the memo does not know what to say of %q", c.first, c.next)
		}
		_, err = NormalizePhone(c.next, "FR")
		if e := apperr.As(err); e == nil || e.Code != first.Code || len(e.Args) == 0 || e.Args[0] != c.next {
			t.Errorf("NormalizePhone(%q) = %#v; want %s quoting it", c.next, err, first.Code)
		}
	}
}
