package leadfile

// seen is the set of numbers already met in a file, each with the line of
// its first row: an open-addressing hash table of numberset keys (never 0,
// see numberset.Key) and uint32 lines, 12 bytes a slot, at most 3/4 full.
// A million distinct numbers take 24 MB at the worst moment of growth, a
// Go map[uint64]int about twice that.
type seen struct {
	keys  []uint64
	lines []uint32
	n     int
	shift uint // 64 - log2(len(keys))
}

func newSeen() *seen {
	const size = 1 << 12
	return &seen{keys: make([]uint64, size), lines: make([]uint32, size), shift: 64 - 12}
}

// add records key on line, unless it is already there: it then returns the
// line of its first row.
func (s *seen) add(key uint64, line int) (first int, dup bool) {
	if s.n >= len(s.keys)/4*3 {
		s.grow()
	}
	mask := uint64(len(s.keys) - 1)
	for i := (key * 0x9e3779b97f4a7c15) >> s.shift; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case 0:
			s.keys[i], s.lines[i] = key, uint32(min(line, 1<<32-1))
			s.n++
			return 0, false
		case key:
			return int(s.lines[i]), true
		}
	}
}

func (s *seen) grow() {
	old, oldLines := s.keys, s.lines
	s.keys, s.lines = make([]uint64, 2*len(old)), make([]uint32, 2*len(old))
	s.shift--
	s.n = 0
	for i, k := range old {
		if k != 0 {
			s.add(k, int(oldLines[i]))
		}
	}
}
