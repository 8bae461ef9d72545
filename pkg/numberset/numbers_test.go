package numberset_test

import "math/rand/v2"

// This file generates realistic, deterministic phone numbers for the tests
// and benchmarks: distinct numbers drawn without replacement from a numbering
// plan, and numbers of the same plan known to be absent.

// plan is a set of valid-looking numbers, indexed 0..size-1.
type plan struct {
	size   uint64
	number func(i uint64) uint64 // the key of the i-th number
}

// usPlan: +1 NPA-NXX-XXXX, NPA 201..989 with a middle digit other than 9 and
// not N11, NXX 200..999 not N11, any line: about 5.6 billion numbers, of
// which the US National DNC registry holds some hundreds of millions.
func usPlan() plan {
	var npas, nxxs []uint64
	for a := uint64(201); a <= 989; a++ {
		if a/10%10 != 9 && a%100 != 11 {
			npas = append(npas, a)
		}
	}
	for x := uint64(200); x <= 999; x++ {
		if x%100 != 11 {
			nxxs = append(nxxs, x)
		}
	}
	per := uint64(len(nxxs)) * 10_000
	return plan{
		size: uint64(len(npas)) * per,
		number: func(i uint64) uint64 {
			npa, rest := npas[i/per], i%per
			return 10_000_000_000 + npa*10_000_000 + nxxs[rest/10_000]*10_000 + rest%10_000
		},
	}
}

// frMobilePlan: French mobiles, +33 6 and +33 73..79: 170 million numbers.
func frMobilePlan() plan {
	return plan{
		size: 170_000_000,
		number: func(i uint64) uint64 {
			if i < 100_000_000 {
				return 33_600_000_000 + i
			}
			return 33_730_000_000 + i - 100_000_000
		},
	}
}

// draw is a pseudo-random permutation of a plan: draw(i) for i < n are n
// distinct numbers, and draw(i) for i ≥ n are numbers not among them.
type draw struct {
	plan
	half uint // bits of each Feistel half
	keys [4]uint64
}

func newDraw(p plan, seed uint64) draw {
	r := rand.New(rand.NewPCG(seed, 0x6e756d626572))
	d := draw{plan: p}
	for uint64(1)<<(2*d.half) < p.size {
		d.half++
	}
	for i := range d.keys {
		d.keys[i] = r.Uint64()
	}
	return d
}

// at is a balanced Feistel network on [0, 4^half) with cycle walking into
// [0, size): a bijection, so distinct indices give distinct numbers.
func (d draw) at(i uint64) uint64 {
	mask := uint64(1)<<d.half - 1
	x := i
	for {
		l, r := x>>d.half, x&mask
		for _, k := range d.keys {
			l, r = r, l^(mix(r^k)&mask)
		}
		x = l<<d.half | r
		if x < d.size {
			return d.number(x)
		}
	}
}

// mix is the splitmix64 finalizer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// source is a share of a set's numbers drawn from one plan.
type source struct {
	draw
	n uint64
}

// members returns the numbers of the sources, in no particular order.
func members(srcs ...source) []uint64 {
	var out []uint64
	for _, s := range srcs {
		for i := range s.n {
			out = append(out, s.at(i))
		}
	}
	return out
}

// probes returns count lookups, half of them members, half absent numbers of
// the same plans, shuffled, with whether each is a member.
func probes(count int, seed uint64, srcs ...source) (keys []uint64, in []bool) {
	r := rand.New(rand.NewPCG(seed, 0x70726f6265))
	var total uint64
	for _, s := range srcs {
		total += s.n
	}
	for range count {
		// Pick a source in proportion to its share.
		x := r.Uint64N(total)
		s := srcs[0]
		for _, c := range srcs {
			if x < c.n {
				s = c
				break
			}
			x -= c.n
		}
		if r.IntN(2) == 0 {
			keys, in = append(keys, s.at(r.Uint64N(s.n))), append(in, true)
		} else {
			keys, in = append(keys, s.at(s.n+r.Uint64N(s.size-s.n))), append(in, false)
		}
	}
	return keys, in
}
