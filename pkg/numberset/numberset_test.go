package numberset_test

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/numberset"
)

// checkExact compares the set with the reference map: Len, All in ascending
// order, every member found, and no neighbour or random probe found that is
// not a member.
func checkExact(t *testing.T, s *numberset.Set, want map[uint64]bool, extra []uint64) {
	t.Helper()
	if s.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(want))
	}
	sorted := make([]uint64, 0, len(want))
	for k := range want {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	got := slices.Collect(s.All())
	if !slices.Equal(got, sorted) {
		t.Fatalf("All yields %d keys, not the %d members in order (first %v, want %v)",
			len(got), len(sorted), got[:min(5, len(got))], sorted[:min(5, len(sorted))])
	}
	probe := func(k uint64) {
		if s.Contains(k) != want[k] {
			t.Fatalf("Contains(%d) = %v, want %v", k, !want[k], want[k])
		}
	}
	for _, k := range sorted {
		probe(k)
		probe(k - 1)
		probe(k + 1)
		probe(k ^ 1<<7)
		probe(k ^ 1<<16)
	}
	for _, k := range extra {
		probe(k)
	}
	for _, k := range []uint64{0, 1, math.MaxUint64, math.MaxUint64 - 1} {
		probe(k)
	}
}

func setOf(keys []uint64) map[uint64]bool {
	m := make(map[uint64]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// roundTrip checks a set against its reference, then its deserialized copy.
func roundTrip(t *testing.T, keys []uint64, extra []uint64) {
	t.Helper()
	want := setOf(keys)
	before := slices.Clone(keys)
	s := numberset.New(keys)
	if !slices.Equal(keys, before) {
		t.Fatal("New modified its input")
	}
	checkExact(t, s, want, extra)
	blob, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var loaded numberset.Set
	if err := loaded.UnmarshalBinary(blob); err != nil {
		t.Fatalf("UnmarshalBinary of MarshalBinary: %v", err)
	}
	checkExact(t, &loaded, want, extra)
	again, err := loaded.MarshalBinary()
	if err != nil || !slices.Equal(again, blob) {
		t.Fatalf("a loaded set does not marshal to the same bytes (err %v)", err)
	}
}

func TestExactAgainstAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := func(n int, f func() uint64) []uint64 {
		out := make([]uint64, n)
		for i := range out {
			out[i] = f()
		}
		return out
	}
	us, fr := newDraw(usPlan(), 3), newDraw(frMobilePlan(), 4)

	var boundaries []uint64
	for b := range 64 {
		for _, d := range []int64{-2, -1, 0, 1} {
			boundaries = append(boundaries, uint64(int64(1)<<b+d), uint64(3)<<b+uint64(d))
		}
	}
	var runs []uint64 // dense runs: partitions with 0-bit low parts
	for start := uint64(33_612_300_000); start < 33_612_400_000; start += 7919 {
		for k := start; k < start+3000; k++ {
			runs = append(runs, k)
		}
	}
	fullRange := random(5000, r.Uint64)
	fullRange = append(fullRange, 0, math.MaxUint64, math.MaxUint64-1)
	dupes := random(3000, func() uint64 { return 12_025_550_000 + r.Uint64N(1000) })

	cases := []struct {
		name string
		keys []uint64
	}{
		{"empty", nil},
		{"zero", []uint64{0}},
		{"max", []uint64{math.MaxUint64}},
		{"one number", []uint64{33_612_345_678}},
		{"the same key thrice", []uint64{7, 7, 7}},
		{"two far apart", []uint64{0, math.MaxUint64}},
		{"powers of two and neighbours", boundaries},
		{"full uint64 range", fullRange},
		{"dense runs", runs},
		{"duplicates", dupes},
		{"one key 5000 times", slices.Repeat([]uint64{33_612_345_678}, 5000)},
		{"US numbers", members(source{us, 200_000})},
		{"US and French mobiles", members(source{us, 80_000}, source{fr, 20_000})},
		{"sparse everywhere", random(20_000, func() uint64 { return 10_000_000 + r.Uint64N(1e15-1e7) })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			extra := random(2000, r.Uint64)
			for i := uint64(200_000); i < 202_000; i++ {
				extra = append(extra, us.at(i))
			}
			roundTrip(t, c.keys, extra)
		})
	}
}

func TestZeroSetIsEmpty(t *testing.T) {
	var s numberset.Set
	if s.Len() != 0 || s.Contains(0) || s.BitsPerNumber() != 0 || len(slices.Collect(s.All())) != 0 {
		t.Fatal("the zero Set is not an empty set")
	}
	blob, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var loaded numberset.Set
	if err := loaded.UnmarshalBinary(blob); err != nil || loaded.Len() != 0 {
		t.Fatalf("the zero Set does not round-trip: %v", err)
	}
}

func TestAllStopsWhenAsked(t *testing.T) {
	s := numberset.New([]uint64{5, 1, 3})
	var got []uint64
	for k := range s.All() {
		got = append(got, k)
		if k == 3 {
			break
		}
	}
	if !slices.Equal(got, []uint64{1, 3}) {
		t.Fatalf("got %v", got)
	}
}

// The size never exceeds what a single partition over the whole span would
// cost: l = floor(log2(span/n)) low bits a key, a one and at most two
// bucket zeros (l + 3 bits), and a block table entry per 256 buckets (at
// most a quarter of a bit). The benchmarks measure it at 50 million.
func TestSizeWithinTheEliasFanoBound(t *testing.T) {
	us, fr := newDraw(usPlan(), 5), newDraw(frMobilePlan(), 6)
	var runs []uint64
	for k := uint64(33_600_000_000); len(runs) < 300_000; k += 1 + k%3 {
		runs = append(runs, k)
	}
	for name, keys := range map[string][]uint64{
		"1M US":            members(source{us, 1_000_000}),
		"400k US, 100k FR": members(source{us, 400_000}, source{fr, 100_000}),
		"dense runs":       runs,
	} {
		s := numberset.New(keys)
		lo, hi := slices.Min(keys), slices.Max(keys)
		bound := float64(bits.Len64((hi-lo+1)/uint64(s.Len()))-1) + 3 + 0.3
		if got := s.BitsPerNumber(); got > bound || math.Abs(got-float64(8*s.SizeBytes())/float64(s.Len())) > 1e-9 {
			t.Errorf("%s: %.2f bits per number, bound %.2f", name, got, bound)
		}
	}
}

func TestConcurrentReaders(t *testing.T) {
	us := newDraw(usPlan(), 6)
	keys := members(source{us, 50_000})
	s := numberset.New(keys)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i, k := range keys {
				if i%4 == g && (!s.Contains(k) || s.Contains(us.at(uint64(50_000+i)))) {
					t.Errorf("wrong answer for %d", k)
					return
				}
			}
		})
	}
	wg.Wait()
}
