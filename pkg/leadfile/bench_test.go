package leadfile_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/leadfile/leadgen"
)

// BenchmarkRead reads and normalizes a 100 000-row French Excel file
// (Windows-1252, ';', CRLF; see leadgen.File) and reports rows/s. The first
// iteration also learns the overseas ranges (see NormalizePhone); run with
// -benchtime=1x for that cold figure alone.
func BenchmarkRead(b *testing.B) {
	const rows = 100_000
	data := leadgen.File(rows, 42)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := leadfile.NewReader(bytes.NewReader(data), leadfile.Options{Region: "FR"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, err := range r.Rows() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadStream streams a generated 1 000 000-row file that is never
// whole in memory and reports the heap the reader holds at the end — the
// buffers and the set of numbers seen, which grows with the file — after a
// collection, and the peak heap in use, sampled every 100 000 rows. Its
// time includes writing the file.
func BenchmarkReadStream(b *testing.B) {
	const rows = 1_000_000
	for b.Loop() {
		var peak uint64
		var ms runtime.MemStats
		r, err := leadfile.NewReader(leadgen.New(9).Stream(rows), leadfile.Options{Region: "FR"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, err := range r.Rows() {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%100_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		if n != rows {
			b.Fatalf("%d rows", n)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-heap-MB")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		runtime.KeepAlive(r)
	}
}
