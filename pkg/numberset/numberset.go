// Package numberset owns the in-memory form of suppression lists (the
// client's opt-outs, the platform list, national do-not-call registries): a
// compact, immutable and exact set of phone numbers, each held as the uint64
// key of its E.164 form (see Key). Membership is exact — no false positives,
// no false negatives — so a callee is never blocked by a collision and never
// called because of one. A set is built once from the database (New) or from
// a snapshot (UnmarshalBinary) and is then only read: any number of
// goroutines may call its methods at once; to change it, build another.
//
// It imports only the standard library.
//
// # Layout
//
// Keys are cut into partitions by their high bits (key >> shift), the shift
// chosen at build time to minimise the total size, so that a US registry and
// a French one each get partitions fitted to their own density. A partition
// is an Elias–Fano sequence of its keys minus its smallest key: with
// l = floor(log2(span/count)), each key's low l bits are kept as they are
// and its high part in unary, as buckets of 2^l values (a one per key, a
// zero closing each bucket). That costs at most l + 2 bits a key: about 9
// for 50 million US numbers spread over the US numbering plan, where an
// array of 16-bit low parts costs 16 plus its directory.
//
// The buckets are grouped 256 to a block, and a block holds its unary part
// and, right after, the low parts of its keys, so that a lookup reads one
// stretch of memory: the block's first key index (from a small per-block
// table) gives its position, a popcount scan finds the bucket, and the low
// parts of that bucket (one or two keys on average) are a few bytes further.
//
// # Serialized form
//
// MarshalBinary writes, little-endian: the magic "NSET", a uint16 format
// version (1), the partition shift, the block shift (8), the key count, the
// partition count, the number of 64-bit payload words; then per partition
// its smallest key, key count (uint32), bucket count (uint32) and low width
// (uint8); then the payload words; and last the CRC-32C (Castagnoli) of
// everything before it. UnmarshalBinary checks the length, the checksum and
// every structural invariant (keys strictly increasing, each in its
// partition) before it replaces anything, so a damaged snapshot is refused
// whole, never half loaded.
package numberset

import (
	"iter"
	"math/bits"
	"unsafe"
)

const (
	// blockShift: 256 buckets to a block. The per-block table then costs
	// 32/256 of a bit per bucket and, for 50 million numbers, fits in 1.2 MB
	// (the L2 cache), while a block of US numbers is about 200 bytes.
	blockShift = 8
	blockMask  = 1<<blockShift - 1

	// The partition shift is chosen in [minShift, maxShift]. Below 2^12 the
	// directory outweighs the keys; above 2^40 no range of phone numbers
	// gains anything.
	minShift = 12
	maxShift = 40

	// maxPartKeys keeps a partition's key indexes in uint32.
	maxPartKeys = 1 << 30
)

// partition locates one Elias–Fano sequence in the Set's shared arrays.
type partition struct {
	min     uint64 // smallest key; the sequence holds key - min
	bits    uint64 // bit offset of its first block in Set.bits
	blocks  uint64 // index of its first entry in Set.blocks
	buckets uint32 // number of buckets of 2^low values
	n       uint32 // number of keys
	low     uint8  // width of the low parts, in bits
}

// Set is an immutable, exact set of keys. The zero value is an empty set.
// It is safe for concurrent use by readers; UnmarshalBinary is the one
// method that writes, and must not race with the others.
type Set struct {
	n     int
	shift uint8
	parts []partition // ascending; partition number = min >> shift
	// top[x] is the first partition whose number >> topShift is
	// topBase + x or more: a key's partition in one step.
	top      []uint32
	topBase  uint64
	topShift uint8
	bits     []uint64 // the blocks of all partitions back to back, and a spare word
	blocks   []uint32 // per partition, the index of each block's first key, and the key count
}

// New builds the set of the given keys, in any order, duplicates allowed.
// It does not modify keys; while it runs it holds about twice their size
// for sorting.
func New(keys []uint64) *Set {
	sorted := sortedUnique(keys)
	shift := chooseShift(sorted)
	s := &Set{n: len(sorted), shift: uint8(shift)}

	// Directory.
	var nbits, nblocks uint64
	for i := 0; i < len(sorted); {
		id := sorted[i] >> shift
		j := i + 1
		for j < len(sorted) && sorted[j]>>shift == id {
			j++
		}
		n := uint64(j - i)
		low, buckets := layout(n, sorted[j-1]-sorted[i]+1)
		s.parts = append(s.parts, partition{
			min: sorted[i], bits: nbits, blocks: nblocks,
			buckets: uint32(buckets), n: uint32(n), low: uint8(low),
		})
		nbits += n*uint64(1+low) + buckets
		nblocks += blockCount(buckets) + 1
		i = j
	}
	s.bits = make([]uint64, words(nbits)+1)
	s.blocks = make([]uint32, nblocks)

	// Blocks.
	for i := range s.parts {
		p := &s.parts[i]
		keys := sorted[:p.n]
		sorted = sorted[p.n:]
		l := uint(p.low)
		pos := p.bits
		j := 0 // keys written
		for b := range blockCount(uint64(p.buckets)) {
			s.blocks[p.blocks+b] = uint32(j)
			first := b << blockShift
			nb := min(1<<blockShift, uint64(p.buckets)-first)
			end := j
			for end < len(keys) && (keys[end]-p.min)>>l < first+nb {
				end++
			}
			for k := j; k < end; k++ { // unary: a one per key after its bucket's predecessors' zeros
				at := pos + uint64(k-j) + ((keys[k]-p.min)>>l - first)
				s.bits[at>>6] |= 1 << (at & 63)
			}
			pos += nb + uint64(end-j)
			if l > 0 {
				for k := j; k < end; k++ {
					s.putLow(pos, l, (keys[k]-p.min)&(1<<l-1))
					pos += uint64(l)
				}
			}
			j = end
		}
		s.blocks[p.blocks+blockCount(uint64(p.buckets))] = uint32(j)
	}
	s.indexParts()
	return s
}

// indexParts builds the table that finds a key's partition in one step,
// instead of a binary search over thousands of partitions whose every step
// is a mispredicted branch. The table is indexed by the partition number's
// high bits, enough of them to keep it under four entries per partition.
func (s *Set) indexParts() {
	s.top, s.topBase, s.topShift = nil, 0, 0
	if len(s.parts) == 0 {
		return
	}
	lo, hi := s.parts[0].min>>s.shift, s.parts[len(s.parts)-1].min>>s.shift
	sh := uint8(0)
	for hi>>sh-lo>>sh >= 4*uint64(len(s.parts)) {
		sh++
	}
	s.topShift, s.topBase = sh, lo>>sh
	s.top = make([]uint32, hi>>sh-lo>>sh+2)
	i := 0
	for x := range s.top {
		for i < len(s.parts) && (s.parts[i].min>>s.shift)>>sh < s.topBase+uint64(x) {
			i++
		}
		s.top[x] = uint32(i)
	}
}

// layout gives the Elias–Fano low width and bucket count for n keys spread
// over span values: l = floor(log2(span/n)), which puts the number of
// buckets between n and 2n.
func layout(n, span uint64) (low uint, buckets uint64) {
	low = uint(bits.Len64(span/n)) - 1
	return low, (span-1)>>low + 1
}

func blockCount(buckets uint64) uint64 { return (buckets + blockMask) >> blockShift }

func words(nbits uint64) uint64 { return (nbits + 63) / 64 }

func (s *Set) putLow(pos uint64, l uint, v uint64) {
	w, off := pos>>6, pos&63
	s.bits[w] |= v << off
	if off+uint64(l) > 64 {
		s.bits[w+1] |= v >> (64 - off)
	}
}

func (s *Set) lowAt(pos uint64, l uint) uint64 {
	if l == 0 {
		return 0
	}
	w, off := pos>>6, pos&63
	v := s.bits[w] >> off
	if off+uint64(l) > 64 {
		v |= s.bits[w+1] << (64 - off)
	}
	return v & (1<<l - 1)
}

func (s *Set) bit(pos uint64) bool { return s.bits[pos>>6]&(1<<(pos&63)) != 0 }

// partSize is a partition's in-memory cost in bits, directory included.
func partSize(n, span uint64) uint64 {
	low, buckets := layout(n, span)
	return n*uint64(1+low) + buckets + 32*(blockCount(buckets)+1) +
		8*uint64(unsafe.Sizeof(partition{})+4*4) // and up to 4 top entries
}

// chooseShift returns the partition shift that makes the set smallest. It
// sizes every shift from per-partition summaries, merged pairwise from the
// finest shift up, so it reads the keys once.
func chooseShift(sorted []uint64) uint {
	type summary struct{ id, min, max, n uint64 }
	var sums []summary
	for i, k := range sorted {
		id := k >> minShift
		if i == 0 || sums[len(sums)-1].id != id {
			sums = append(sums, summary{id: id, min: k})
		}
		last := &sums[len(sums)-1]
		last.max = k
		last.n++
	}
	best, bestSize := uint(minShift), ^uint64(0)
	for shift := uint(minShift); shift <= maxShift; shift++ {
		var size uint64
		fits := true
		for _, g := range sums {
			size += partSize(g.n, g.max-g.min+1)
			fits = fits && g.n < maxPartKeys
		}
		if fits && size < bestSize {
			best, bestSize = shift, size
		}
		out := sums[:0] // the next shift's partitions
		for _, g := range sums {
			g.id >>= 1
			if len(out) > 0 && out[len(out)-1].id == g.id {
				last := &out[len(out)-1]
				last.max = g.max
				last.n += g.n
				continue
			}
			out = append(out, g)
		}
		sums = out
	}
	return best
}

// Contains reports whether key is in the set.
func (s *Set) Contains(key uint64) bool {
	id := key >> s.shift
	x := id>>s.topShift - s.topBase // wraps around below the first partition
	if x >= uint64(len(s.top)) || x+1 >= uint64(len(s.top)) {
		return false
	}
	lo, hi := s.top[x], s.top[x+1]
	for lo < hi { // one partition at most, unless the table is coarse
		m := lo + (hi-lo)>>1
		if s.parts[m].min>>s.shift < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == s.top[x+1] || s.parts[lo].min>>s.shift != id {
		return false
	}
	p := &s.parts[lo]
	if key < p.min {
		return false
	}
	local := key - p.min
	l := uint(p.low)
	h := local >> l
	if h >= uint64(p.buckets) {
		return false
	}
	b, r := h>>blockShift, h&blockMask
	first, next := uint64(s.blocks[p.blocks+b]), uint64(s.blocks[p.blocks+b+1])
	start := p.bits + b<<blockShift + first*uint64(1+l)
	pos := start
	if r != 0 {
		pos = s.skipZeros(start, r)
	}
	// pos is the first bit of bucket h, whose keys are the ones from there;
	// k counts the block's keys before it.
	k := pos - start - r
	lows := start + min(1<<blockShift, uint64(p.buckets)-b<<blockShift) + (next - first)
	want := local & (1<<l - 1)
	for ; s.bit(pos); pos++ {
		v := s.lowAt(lows+k*uint64(l), l)
		if v >= want {
			return v == want
		}
		k++
	}
	return false
}

// skipZeros returns the position just after the r-th zero (r ≥ 1) at or
// after pos; that zero must exist.
func (s *Set) skipZeros(pos, r uint64) uint64 {
	w := pos >> 6
	x := ^s.bits[w] &^ (1<<(pos&63) - 1)
	for {
		c := uint64(bits.OnesCount64(x))
		if r <= c {
			return w<<6 + uint64(select64(x, uint(r-1))) + 1
		}
		r -= c
		w++
		x = ^s.bits[w]
	}
}

// select64 returns the position of the k-th (from 0) set bit of x, which
// has more than k set bits. It is branch-free (Vigna, "Broadword
// implementation of rank/select queries", 2008): the bytes' cumulative
// popcounts, compared with k all at once, give the byte, and a table the
// bit within it. Branches here would be mispredicted on every lookup.
func select64(x uint64, k uint) uint {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	c := x - x>>1&0x5555555555555555
	c = c&0x3333333333333333 + c>>2&0x3333333333333333
	c = (c + c>>4) & 0x0f0f0f0f0f0f0f0f
	sums := c * ones // byte i: the set bits of bytes 0..i
	place := uint(bits.OnesCount64((uint64(k)*ones|highs-sums)&highs)) * 8
	rank := k - uint(sums<<8>>place&0xff)
	return place + uint(selectInByte[uint8(x>>place)][rank])
}

// selectInByte[b][k] is the position of the k-th set bit of b.
var selectInByte = func() (t [256][8]uint8) {
	for b := range 256 {
		k := 0
		for i := range 8 {
			if b&(1<<i) != 0 {
				t[b][k] = uint8(i)
				k++
			}
		}
	}
	return t
}()

// walk calls fn with each key of partition p in order, decoding the blocks
// from their bits alone, and reports whether they were well formed: each
// block's unary part within the partition, the keys strictly increasing and
// in the partition, the first one p.min, and the bits used up exactly. When
// index is true it fills the partition's block table. fn returning false
// stops the walk early.
func (s *Set) walk(p *partition, index bool, fn func(uint64) bool) bool {
	l := uint(p.low)
	end := p.bits + uint64(p.n)*uint64(1+l) + uint64(p.buckets)
	id := p.min >> s.shift
	pos := p.bits
	j := uint64(0) // keys decoded
	var prev uint64
	nblocks := blockCount(uint64(p.buckets))
	for b := range nblocks {
		if index {
			s.blocks[p.blocks+b] = uint32(j)
		}
		first := b << blockShift
		nb := min(1<<blockShift, uint64(p.buckets)-first)
		// Count the block's keys: the ones before its nb-th zero.
		stop, ok := s.zerosWithin(pos, nb, end)
		if !ok {
			return false
		}
		c := stop - pos - nb
		lows := stop
		if j+c > uint64(p.n) || lows+c*uint64(l) > end {
			return false
		}
		w := pos >> 6
		x := s.bits[w] &^ (1<<(pos&63) - 1)
		for k := uint64(0); k < c; {
			for x == 0 {
				w++
				x = s.bits[w]
			}
			q := w<<6 + uint64(bits.TrailingZeros64(x)) // the k-th one: before stop, which has c of them
			x &= x - 1
			local := (first+q-pos-k)<<l | s.lowAt(lows+k*uint64(l), l)
			key := p.min + local
			if key < p.min || key>>s.shift != id || (j == 0 && local != 0) || (j > 0 && key <= prev) {
				return false
			}
			if fn != nil && !fn(key) {
				return true
			}
			prev = key
			j++
			k++
		}
		pos = lows + c*uint64(l)
	}
	if index {
		s.blocks[p.blocks+nblocks] = uint32(j)
	}
	return j == uint64(p.n) && pos == end
}

// zerosWithin returns the position just after the r-th zero at or after
// pos, or false if that is beyond end.
func (s *Set) zerosWithin(pos, r, end uint64) (uint64, bool) {
	w := pos >> 6
	x := ^s.bits[w] &^ (1<<(pos&63) - 1)
	for {
		c := uint64(bits.OnesCount64(x))
		if r <= c {
			at := w<<6 + uint64(select64(x, uint(r-1))) + 1
			return at, at <= end
		}
		r -= c
		w++
		if w<<6 >= end {
			return 0, false
		}
		x = ^s.bits[w]
	}
}

// Len returns the number of keys in the set.
func (s *Set) Len() int { return s.n }

// SizeBytes returns the memory the set holds: its directory, block tables
// and payload, and the Set itself.
func (s *Set) SizeBytes() int {
	return int(unsafe.Sizeof(*s)) +
		cap(s.parts)*int(unsafe.Sizeof(partition{})) + cap(s.top)*4 +
		cap(s.bits)*8 + cap(s.blocks)*4
}

// BitsPerNumber returns SizeBytes in bits divided by Len, or 0 for an empty
// set.
func (s *Set) BitsPerNumber() float64 {
	if s.n == 0 {
		return 0
	}
	return float64(s.SizeBytes()) * 8 / float64(s.n)
}

// All yields the keys in ascending order.
func (s *Set) All() iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		stopped := false
		for i := range s.parts {
			s.walk(&s.parts[i], false, func(k uint64) bool {
				stopped = !yield(k)
				return !stopped
			})
			if stopped {
				return
			}
		}
	}
}
