package numberset_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/numberset"
)

// smallBlob serializes a few hundred US and French numbers: every part of
// the format, small enough to corrupt every byte of.
func smallBlob(t testing.TB) (*numberset.Set, []byte) {
	us, fr := newDraw(usPlan(), 7), newDraw(frMobilePlan(), 8)
	s := numberset.New(members(source{us, 300}, source{fr, 100}))
	blob, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return s, blob
}

// withChecksum replaces the trailing CRC-32C (Castagnoli) of a blob, as
// the package documentation describes it, so that a test reaches the checks
// behind it.
func withChecksum(blob []byte) []byte {
	body := blob[:len(blob)-4]
	return binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
}

// refused checks that loading blob fails with a corruption or version error
// and leaves the receiver as it was.
func refused(t *testing.T, blob []byte, what string) {
	t.Helper()
	s := numberset.New([]uint64{12_015_550_123})
	err := s.UnmarshalBinary(blob)
	if !errors.Is(err, numberset.ErrCorrupt) && !errors.Is(err, numberset.ErrVersion) {
		t.Fatalf("%s: UnmarshalBinary = %v, want ErrCorrupt or ErrVersion", what, err)
	}
	if s.Len() != 1 || !s.Contains(12_015_550_123) {
		t.Fatalf("%s: a refused snapshot changed the set", what)
	}
}

// consistent checks that a loaded set agrees with itself: ascending keys,
// each found, Len right, and the same bytes when written again.
func consistent(t *testing.T, s *numberset.Set, blob []byte) {
	t.Helper()
	keys := slices.Collect(s.All())
	if len(keys) != s.Len() {
		t.Fatalf("All yields %d keys, Len says %d", len(keys), s.Len())
	}
	for i, k := range keys {
		if (i > 0 && k <= keys[i-1]) || !s.Contains(k) || (k > 0 && s.Contains(k-1) && (i == 0 || keys[i-1] != k-1)) {
			t.Fatalf("key %d (index %d) is inconsistent", k, i)
		}
	}
	again, err := s.MarshalBinary()
	if err != nil || !bytes.Equal(again, blob) {
		t.Fatalf("an accepted snapshot does not marshal back to itself (err %v)", err)
	}
}

func TestSnapshotRefusesEveryFlippedByte(t *testing.T) {
	_, blob := smallBlob(t)
	for i := range blob {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			bad := slices.Clone(blob)
			bad[i] ^= flip
			refused(t, bad, "byte "+strconv.Itoa(i)+" flipped")
		}
	}
}

func TestSnapshotRefusesTruncationAndTrailingBytes(t *testing.T) {
	_, blob := smallBlob(t)
	for n := range len(blob) {
		refused(t, blob[:n], "truncated to "+strconv.Itoa(n)+" bytes")
	}
	refused(t, append(slices.Clone(blob), 0), "one byte too many")
	refused(t, withChecksum(append(slices.Clone(blob), 0)), "one byte too many, checksum fixed")
}

func TestSnapshotNamesAVersionItCannotRead(t *testing.T) {
	_, blob := smallBlob(t)
	bad := slices.Clone(blob)
	binary.LittleEndian.PutUint16(bad[4:], 2)
	var s numberset.Set
	err := s.UnmarshalBinary(withChecksum(bad))
	if !errors.Is(err, numberset.ErrVersion) || !strings.Contains(err.Error(), "version 2") {
		t.Fatalf("UnmarshalBinary = %v, want ErrVersion naming version 2", err)
	}
}

// A blob with a valid checksum but a damaged structure (a bug, or a
// deliberate forgery) is refused too, or decodes to a consistent set:
// never a panic, never a set that contradicts itself.
func TestSnapshotChecksStructureBehindTheChecksum(t *testing.T) {
	_, blob := smallBlob(t)
	accepted := 0
	for bit := range 8 * (len(blob) - 4) {
		bad := slices.Clone(blob)
		bad[bit/8] ^= 1 << (bit % 8)
		bad = withChecksum(bad)
		var s numberset.Set
		if err := s.UnmarshalBinary(bad); err != nil {
			if !errors.Is(err, numberset.ErrCorrupt) && !errors.Is(err, numberset.ErrVersion) {
				t.Fatalf("bit %d: %v", bit, err)
			}
			continue
		}
		accepted++ // a flipped low bit that keeps the keys increasing is another valid set
		consistent(t, &s, bad)
	}
	t.Logf("%d of %d single-bit forgeries decode to another valid set", accepted, 8*(len(blob)-4))
}

func TestWriteToMatchesMarshalBinary(t *testing.T) {
	s, blob := smallBlob(t)
	var buf bytes.Buffer
	n, err := s.WriteTo(&buf)
	if err != nil || n != int64(len(blob)) || !bytes.Equal(buf.Bytes(), blob) {
		t.Fatalf("WriteTo wrote %d bytes (err %v), MarshalBinary %d", n, err, len(blob))
	}
	if _, err := s.WriteTo(failingWriter{}); err == nil {
		t.Fatal("WriteTo hid a write error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func FuzzUnmarshalBinary(f *testing.F) {
	_, blob := smallBlob(f)
	f.Add(blob[:len(blob)-4])
	var empty numberset.Set
	e, _ := empty.MarshalBinary()
	f.Add(e[:len(e)-4])
	f.Add([]byte("NSET"))
	f.Fuzz(func(t *testing.T, body []byte) {
		// The checksum is appended so that the fuzzer explores the
		// structural checks, not the CRC.
		data := withChecksum(append(slices.Clone(body), 0, 0, 0, 0))
		var s numberset.Set
		if err := s.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, numberset.ErrCorrupt) && !errors.Is(err, numberset.ErrVersion) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		consistent(t, &s, data)
	})
}
