package numberset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// Errors of UnmarshalBinary. Both mean the snapshot cannot be used and the
// set must be rebuilt from the database.
var (
	ErrCorrupt = errors.New("numberset: corrupt snapshot")
	ErrVersion = errors.New("numberset: unsupported snapshot version")
)

const (
	magic      = "NSET"
	version    = 1
	headerSize = 4 + 2 + 1 + 1 + 3*8
	partBytes  = 8 + 4 + 4 + 1 // a serialized partition
	crcSize    = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encodedSize is the length of the serialized form.
func (s *Set) encodedSize() int {
	return headerSize + len(s.parts)*partBytes + s.words()*8 + crcSize
}

// words is the number of payload words in use, without the spare one.
func (s *Set) words() int { return max(len(s.bits)-1, 0) }

// MarshalBinary returns the serialized form of the set, described in the
// package documentation.
func (s *Set) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(s.encodedSize())
	if _, err := s.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteTo writes the serialized form of the set to w, as MarshalBinary
// returns it, without holding a second copy in memory.
func (s *Set) WriteTo(w io.Writer) (int64, error) {
	crc := crc32.New(castagnoli)
	cw := &countingWriter{w: io.MultiWriter(w, crc)}
	le := binary.LittleEndian

	head := make([]byte, 0, headerSize)
	head = append(head, magic...)
	head = le.AppendUint16(head, version)
	head = append(head, max(s.shift, minShift), blockShift) // the zero Set has no shift yet
	head = le.AppendUint64(head, uint64(s.n))
	head = le.AppendUint64(head, uint64(len(s.parts)))
	head = le.AppendUint64(head, uint64(s.words()))
	cw.write(head)

	buf := make([]byte, 0, 32<<10)
	flush := func(need int) {
		if len(buf)+need > cap(buf) {
			cw.write(buf)
			buf = buf[:0]
		}
	}
	for _, p := range s.parts {
		flush(partBytes)
		buf = le.AppendUint64(buf, p.min)
		buf = le.AppendUint32(buf, p.n)
		buf = le.AppendUint32(buf, p.buckets)
		buf = append(buf, p.low)
	}
	for _, x := range s.bits[:s.words()] {
		flush(8)
		buf = le.AppendUint64(buf, x)
	}
	cw.write(buf)
	cw.write(le.AppendUint32(nil, crc.Sum32()))
	return cw.n, cw.err
}

type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) write(p []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
}

// UnmarshalBinary replaces s with the set serialized in data, after checking
// the format version, the length, the checksum and the structure. On error s
// is left as it was. It copies what it keeps from data. It must not be
// called while other goroutines read s: load into a new Set and swap the
// pointer.
func (s *Set) UnmarshalBinary(data []byte) error {
	le := binary.LittleEndian
	if len(data) < headerSize+crcSize || string(data[:4]) != magic {
		return fmt.Errorf("%w: not a numberset snapshot (%d bytes)", ErrCorrupt, len(data))
	}
	if v := le.Uint16(data[4:]); v != version {
		return fmt.Errorf("%w: version %d, this build reads version %d", ErrVersion, v, version)
	}
	shift, block := data[6], data[7]
	n, nParts, nWords := le.Uint64(data[8:]), le.Uint64(data[16:]), le.Uint64(data[24:])
	// Every count is bounded by the length before anything is multiplied or
	// allocated.
	room := uint64(len(data))
	if nParts > room/partBytes || nWords > room/8 ||
		uint64(headerSize)+nParts*partBytes+nWords*8+crcSize != room {
		return fmt.Errorf("%w: length %d does not match the header (%d partitions, %d words); truncated?",
			ErrCorrupt, len(data), nParts, nWords)
	}
	body := data[:len(data)-crcSize]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(data[len(body):]); got != want {
		return fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, got, want)
	}
	if block != blockShift || shift < minShift || shift > maxShift || n > math.MaxInt {
		return fmt.Errorf("%w: bad header (shift %d, block shift %d)", ErrCorrupt, shift, block)
	}

	t := &Set{n: int(n), shift: shift, parts: make([]partition, nParts)}
	rest := data[headerSize:]
	var nbits, nblocks, total uint64
	for i := range t.parts {
		e := rest[i*partBytes:]
		pmin := le.Uint64(e)
		pn, buckets, low := le.Uint32(e[8:]), le.Uint32(e[12:]), e[16]
		if (i > 0 && pmin>>shift <= t.parts[i-1].min>>shift) || pn == 0 || pn >= maxPartKeys ||
			low > shift || buckets == 0 || uint64(buckets) > 1<<(shift-low) || uint64(buckets) > 2*uint64(pn) {
			return fmt.Errorf("%w: partition %d is malformed", ErrCorrupt, i)
		}
		t.parts[i] = partition{min: pmin, bits: nbits, blocks: nblocks, buckets: buckets, n: pn, low: low}
		nbits += uint64(pn)*uint64(1+low) + uint64(buckets)
		nblocks += blockCount(uint64(buckets)) + 1
		total += uint64(pn)
		if nbits > 64*nWords { // and so no sum can overflow
			return fmt.Errorf("%w: partition %d goes past the payload", ErrCorrupt, i)
		}
	}
	if total != n || words(nbits) != nWords {
		return fmt.Errorf("%w: the partitions hold %d keys in %d words, the header says %d in %d",
			ErrCorrupt, total, words(nbits), n, nWords)
	}
	rest = rest[nParts*partBytes:]
	t.bits = make([]uint64, nWords+1)
	for i := range nWords {
		t.bits[i] = le.Uint64(rest[8*i:])
	}
	if !zeroAfter(t.bits, nbits) {
		return fmt.Errorf("%w: padding bits set", ErrCorrupt)
	}
	t.blocks = make([]uint32, nblocks)
	for i := range t.parts {
		if !t.walk(&t.parts[i], true, nil) {
			return fmt.Errorf("%w: partition %d does not decode to increasing keys", ErrCorrupt, i)
		}
	}
	t.indexParts()
	*s = *t
	return nil
}

// zeroAfter reports whether every bit of ws from nbits on is zero.
func zeroAfter(ws []uint64, nbits uint64) bool {
	w := nbits >> 6
	if nbits&63 != 0 && ws[w]>>(nbits&63) != 0 {
		return false
	}
	if nbits&63 != 0 {
		w++
	}
	for ; w < uint64(len(ws)); w++ {
		if ws[w] != 0 {
			return false
		}
	}
	return true
}
