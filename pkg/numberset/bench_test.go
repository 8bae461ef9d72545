package numberset_test

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/numberset"
)

// The benchmarks run on 50 million numbers, as the issue asks: the US
// National DNC registry's kind of list (distinct numbers spread over the US
// numbering plan) and a mix of 40 million US numbers and 10 million French
// mobiles. Each data set is generated, deterministically, once per process.

const bigN = 50_000_000

type bigSet struct {
	input  []uint64 // the members, 1% of them twice, shuffled: what New gets
	set    *numberset.Set
	blob   []byte
	probes []uint64 // 2^22 lookups, half members, half absent numbers of the same plans
	in     []bool
}

func makeBigSet(seed uint64, srcs ...source) func() *bigSet {
	return sync.OnceValue(func() *bigSet {
		keys := members(srcs...)
		r := rand.New(rand.NewPCG(seed, 0x6475706c))
		for range len(keys) / 100 {
			keys = append(keys, keys[r.IntN(len(keys))])
		}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		d := &bigSet{input: keys, set: numberset.New(keys)}
		var err error
		if d.blob, err = d.set.MarshalBinary(); err != nil {
			panic(err)
		}
		d.probes, d.in = probes(1<<22, seed, srcs...)
		return d
	})
}

var bigSets = []struct {
	name string
	get  func() *bigSet
}{
	{"us", makeBigSet(11, source{newDraw(usPlan(), 11), bigN})},
	{"mixed", makeBigSet(12, source{newDraw(usPlan(), 12), 40_000_000}, source{newDraw(frMobilePlan(), 13), 10_000_000})},
}

func (d *bigSet) report(b *testing.B) {
	if d.set.Len() != bigN {
		b.Fatalf("the set holds %d numbers, want %d", d.set.Len(), bigN)
	}
	b.ReportMetric(d.set.BitsPerNumber(), "bits/number")
}

// lookupsPerOp is the batch of lookups one op of BenchmarkContains50M makes,
// so that any -benchtime (even 3x) times millions of lookups.
const lookupsPerOp = 1 << 20

// BenchmarkContains50M measures lookups, a mix of hits and misses in random
// order; run it with GOMAXPROCS=1 for the single-core figure. An op is
// lookupsPerOp lookups; the metrics give the rate and the time of one.
func BenchmarkContains50M(b *testing.B) {
	for _, bs := range bigSets {
		b.Run(bs.name, func(b *testing.B) {
			d := bs.get()
			for i, k := range d.probes { // exactness at full size, untimed
				if d.set.Contains(k) != d.in[i] {
					b.Fatalf("Contains(%d) = %v, want %v", k, !d.in[i], d.in[i])
				}
			}
			hits := 0
			b.ResetTimer()
			for i := range b.N {
				off := i * lookupsPerOp % len(d.probes)
				for _, k := range d.probes[off : off+lookupsPerOp] {
					if d.set.Contains(k) {
						hits++
					}
				}
			}
			b.StopTimer()
			lookups := float64(b.N) * lookupsPerOp
			if h := float64(hits) / lookups; h < 0.45 || h > 0.55 {
				b.Fatalf("%.2f of the lookups hit, want about half", h)
			}
			b.ReportMetric(lookups/b.Elapsed().Seconds(), "lookups/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/lookups, "ns/lookup")
			d.report(b)
		})
	}
}

// BenchmarkBuild50M measures New on 50.5 million unsorted keys with 1%
// duplicates.
func BenchmarkBuild50M(b *testing.B) {
	for _, bs := range bigSets {
		b.Run(bs.name, func(b *testing.B) {
			d := bs.get()
			b.ResetTimer()
			for range b.N {
				if s := numberset.New(d.input); s.Len() != bigN {
					b.Fatalf("Len = %d", s.Len())
				}
			}
			b.StopTimer()
			d.report(b)
		})
	}
}

// BenchmarkLoad50M measures UnmarshalBinary of the 50-million set, checksum
// and structural checks included.
func BenchmarkLoad50M(b *testing.B) {
	for _, bs := range bigSets {
		b.Run(bs.name, func(b *testing.B) {
			d := bs.get()
			b.SetBytes(int64(len(d.blob)))
			b.ResetTimer()
			for range b.N {
				var s numberset.Set
				if err := s.UnmarshalBinary(d.blob); err != nil || s.Len() != bigN {
					b.Fatalf("UnmarshalBinary: %v (Len %d)", err, s.Len())
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(len(d.blob))/(1<<20), "MiB")
			d.report(b)
		})
	}
}
