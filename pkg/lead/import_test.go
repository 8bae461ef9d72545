package lead_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/leadfile/leadgen"
)

// discard is a sink that keeps nothing and counts the leads.
func discard(n *int) lead.Sink {
	return func(_ context.Context, next lead.Batches) error {
		for {
			b, err := next()
			if b == nil || err != nil {
				return err
			}
			*n += len(b)
		}
	}
}

func screener(optOuts []string) *lead.Screener {
	facts := lead.Facts{ClientList: map[uint64]struct{}{}}
	for _, n := range optOuts {
		p, err := leadfile.NormalizePhone(n, "FR")
		if err != nil {
			panic(err)
		}
		facts.ClientList[p.Key] = struct{}{}
	}
	return &lead.Screener{Campaign: lead.Campaign{Country: "FR", Audience: compliance.B2C, Kind: compliance.CustomerCare},
		Facts: facts, Now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
}

// TestImportCountsEveryRow: every row of a generated file is either
// loaded or in the report, and the summary adds up.
func TestImportCountsEveryRow(t *testing.T) {
	optOuts := []string{"07 80 00 00 01", "07 80 00 00 02", "07 80 00 00 03"}
	gen := leadgen.New(5)
	gen.Suppressed, gen.SuppressedPercent = optOuts, 5
	r, err := leadfile.NewReader(gen.Stream(20_000), leadfile.Options{Region: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	im := &lead.Importer{Screener: screener(optOuts), Report: leadfile.NewReportWriter(&report, ';')}
	loaded := 0
	s, err := im.Run(context.Background(), r, discard(&loaded))
	if err != nil {
		t.Fatal(err)
	}
	reported := bytes.Count(report.Bytes(), []byte("\r\n")) - 1 // the header
	if s.Rows != 20_000 || loaded != s.Imported || s.Ready+s.Blocked != s.Imported ||
		s.Imported+s.Duplicates+s.InCampaign+s.Invalid != s.Rows || reported != s.Rows-s.Imported {
		t.Fatalf("summary %+v, %d loaded, %d reported", s, loaded, reported)
	}
	if s.ByReason[compliance.SuppressedClient] != s.Blocked || s.Blocked == 0 || s.Duplicates == 0 || s.Invalid == 0 {
		t.Errorf("the generated mix is missing from the summary: %+v", s)
	}
}

// TestImportStopsOnASinkError: a sink that fails stops the reading.
func TestImportStopsOnASinkError(t *testing.T) {
	r, err := leadfile.NewReader(leadgen.New(1).Stream(50_000), leadfile.Options{Region: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	im := &lead.Importer{Screener: screener(nil), Report: leadfile.NewReportWriter(io.Discard, ';')}
	_, err = im.Run(context.Background(), r, func(_ context.Context, next lead.Batches) error {
		_, _ = next()
		return io.ErrClosedPipe
	})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("closed pipe")) {
		t.Fatalf("a failing sink: %v", err)
	}
}

// BenchmarkImport reads, screens and batches a 200 000-row French Excel
// file into a sink that keeps nothing: the import's cost without the
// database. It reports rows/s.
func BenchmarkImport(b *testing.B) {
	const rows = 200_000
	optOuts := make([]string, 1000)
	for i := range optOuts {
		optOuts[i] = "07 80 00 " + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + " " + string(rune('0'+i%10)) + "0"
	}
	gen := leadgen.New(7)
	gen.Suppressed, gen.SuppressedPercent = optOuts, 3
	data, _ := io.ReadAll(gen.Stream(rows))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := leadfile.NewReader(bytes.NewReader(data), leadfile.Options{Region: "FR"})
		if err != nil {
			b.Fatal(err)
		}
		im := &lead.Importer{Screener: screener(optOuts), Report: leadfile.NewReportWriter(io.Discard, ';')}
		n := 0
		if _, err := im.Run(context.Background(), r, discard(&n)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
