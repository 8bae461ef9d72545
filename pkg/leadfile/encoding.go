package leadfile

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Encoding is the character encoding a file was read in. Rows are always
// given in UTF-8.
type Encoding string

const (
	UTF8        Encoding = "utf-8"        // also plain ASCII
	Windows1252 Encoding = "windows-1252" // French Excel's "CSV (séparateur : point-virgule)"
)

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 to their code points;
// 0xA0–0xFF are Latin-1, that is U+00A0–U+00FF. The five bytes Windows-1252
// leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are read as U+FFFD, the
// replacement character, which every screen shows, and the decoders below
// report them so that the row says which cell had one: read as the C1
// controls of the same value (as the WHATWG Encoding Standard does), they
// are invisible in a browser and in Excel, and the byte is lost to anyone
// who looks.
var cp1252 = [32]rune{
	'\u20ac', utf8.RuneError, '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
	'\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', utf8.RuneError, '\u017d', utf8.RuneError,
	utf8.RuneError, '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
	'\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', utf8.RuneError, '\u017e', '\u0178',
}

func cp1252Rune(b byte) rune {
	if b >= 0x80 && b < 0xa0 {
		return cp1252[b-0x80]
	}
	return rune(b)
}

// appendCP1252 appends src, read as Windows-1252, to dst in UTF-8, and
// returns the first undefined byte it read as U+FFFD, or 0.
func appendCP1252(dst, src []byte) ([]byte, byte) {
	var undefined byte
	for len(src) > 0 {
		i := asciiPrefix(src)
		dst = append(dst, src[:i]...)
		if i == len(src) {
			break
		}
		r := cp1252Rune(src[i])
		if r == utf8.RuneError && undefined == 0 {
			undefined = src[i]
		}
		dst = utf8.AppendRune(dst, r)
		src = src[i+1:]
	}
	return dst, undefined
}

// appendLenientUTF8 appends src to dst, keeping valid UTF-8 as it is and
// reading each byte that is not part of a valid sequence as Windows-1252:
// a UTF-8 file with a few lines pasted from an older export keeps its
// accents instead of getting replacement characters. It returns the first
// undefined byte it read as U+FFFD, or 0.
func appendLenientUTF8(dst, src []byte) ([]byte, byte) {
	var undefined byte
	for len(src) > 0 {
		r, size := utf8.DecodeRune(src)
		if r == utf8.RuneError && size <= 1 {
			r = cp1252Rune(src[0])
			if r == utf8.RuneError && undefined == 0 {
				undefined = src[0]
			}
			dst = utf8.AppendRune(dst, r)
			src = src[1:]
			continue
		}
		dst = append(dst, src[:size]...)
		src = src[size:]
	}
	return dst, undefined
}

// asciiPrefix returns the length of the ASCII bytes b starts with,
// looking at 8 bytes at a time.
func asciiPrefix(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	return i
}

func isASCII(b []byte) bool { return asciiPrefix(b) == len(b) }

// guessEncoding says whether sample, a prefix of the file that may end in
// the middle of a character, reads as UTF-8 or as Windows-1252. ok is false
// when the sample is plain ASCII and says nothing.
//
// Windows-1252 text is almost never valid UTF-8: an accented letter is one
// byte of 0xC0 or above, which UTF-8 would need followed by continuation
// bytes (0x80–0xBF), and French text does not put "é" before "€" or "©".
// So a sample is UTF-8 when it is valid UTF-8, and also when its valid
// multi-byte characters outnumber its invalid bytes: a UTF-8 export with a
// few lines pasted from an older Windows-1252 one, which the Reader then
// reads byte by byte (see appendLenientUTF8).
func guessEncoding(sample []byte, complete bool) (enc Encoding, ok bool) {
	if isASCII(sample) {
		return UTF8, false
	}
	if !complete {
		sample = trimPartialRune(sample)
	}
	if utf8.Valid(sample) {
		return UTF8, true
	}
	valid, invalid := 0, 0
	for len(sample) > 0 {
		if sample[0] < utf8.RuneSelf {
			sample = sample[1:]
			continue
		}
		r, size := utf8.DecodeRune(sample)
		if r == utf8.RuneError && size <= 1 {
			invalid++
		} else {
			valid++
		}
		sample = sample[size:]
	}
	if valid > invalid {
		return UTF8, true
	}
	return Windows1252, true
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// notCSV says what a file is when its first bytes say it cannot be a CSV
// export, or returns nil.
func notCSV(head []byte) error {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.xlsx", "this file is an Excel workbook (.xlsx) or another zip archive, not a CSV file: in Excel, use File › Save As › CSV")
	case bytes.HasPrefix(head, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}):
		return apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.xls", "this file is an Excel 97–2003 workbook (.xls), not a CSV file: in Excel, use File › Save As › CSV")
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.utf16", "this file is UTF-16 text (Excel's \"Unicode text\"), which is not supported: in Excel, use File › Save As › CSV UTF-8")
	case bytes.HasPrefix(head, []byte("%PDF")):
		return apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.pdf", "this file is a PDF document, not a CSV file")
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.gzip", "this file is a gzip archive, not a CSV file")
	case bytes.Contains(head, []byte{0, 0}), bytes.Count(head, []byte{0})*10 > len(head):
		// Runs of NULs (binary formats), or NULs for a tenth of the bytes
		// (UTF-16 without a byte-order mark). A stray NUL in text is the
		// problem of its row (ProblemControlCharacter), here as past the
		// head.
		return apperr.Wrap(ErrNotCSV, apperr.Invalid, "leadfile.file.binary", "this file is a binary file, not a CSV file")
	}
	return nil
}
