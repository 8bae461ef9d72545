package numberset

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrNotE164 is returned by Key and E164 for input that is not an E.164
// number: '+' followed by 8 to 15 digits, the first not zero.
var ErrNotE164 = errors.New("numberset: not an E.164 number")

const (
	minDigits = 8
	maxDigits = 15
	minKey    = 10_000_000          // the smallest 8-digit number
	maxKey    = 999_999_999_999_999 // the largest 15-digit number
)

// Key maps an E.164 number ("+33612345678") to its key (33612345678): the
// digits after '+' read as a decimal integer. The mapping is one to one
// because country codes form a prefix code and E.164 numbers never start
// with 0, so two numbers never share a key. Key does not normalise: it
// accepts only '+' followed by 8 to 15 ASCII digits, the first not zero,
// and nothing else (no spaces, no national format). Normalising is the
// phone parser's job.
func Key(e164 string) (uint64, error) {
	if len(e164) < 1+minDigits || len(e164) > 1+maxDigits {
		return 0, fmt.Errorf("%w: %q has %d characters, want '+' and %d to %d digits", ErrNotE164, e164, len(e164), minDigits, maxDigits)
	}
	if e164[0] != '+' {
		return 0, fmt.Errorf("%w: %q does not start with '+'", ErrNotE164, e164)
	}
	if e164[1] == '0' {
		return 0, fmt.Errorf("%w: %q starts with 0 after '+'", ErrNotE164, e164)
	}
	var k uint64
	for i := 1; i < len(e164); i++ {
		c := e164[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q has %q at offset %d, want a digit", ErrNotE164, e164, c, i)
		}
		k = k*10 + uint64(c-'0') // at most 15 digits: no overflow
	}
	return k, nil
}

// E164 is the inverse of Key: it formats a key back into its E.164 number,
// for export. It refuses keys that no E.164 number maps to (fewer than 8 or
// more than 15 digits).
func E164(key uint64) (string, error) {
	if key < minKey || key > maxKey {
		return "", fmt.Errorf("%w: key %d has not 8 to 15 digits", ErrNotE164, key)
	}
	var buf [1 + maxDigits]byte
	buf[0] = '+'
	return string(strconv.AppendUint(buf[:1], key, 10)), nil
}
