package cdr_test

import (
	"bytes"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/cdr"
)

// benchRows is the size of the files the benchmarks read.
const benchRows = 20_000

// callShapes are the calls the generated files hold, in turn: an
// outbound floor's mix of answered, unanswered, busy, machine and failed
// calls.
var callShapes = []struct {
	asterisk, vicidial, result string
	ring, talk                 int
}{
	{"ANSWERED", "SALE", "answered", 9, 153}, {"NO ANSWER", "NA", "no_answer", 45, 0}, {"ANSWERED", "NI", "answered", 7, 48},
	{"BUSY", "B", "busy", 4, 0}, {"ANSWERED", "AA", "machine", 8, 12}, {"NO ANSWER", "NA", "no_answer", 45, 0},
	{"FAILED", "ADCT", "failed", 0, 0}, {"ANSWERED", "CALLBK", "answered", 11, 95},
}

// calls yields n generated calls: their index, shape, start and number.
func calls(n int) iter.Seq2[int, func() (shape int, start time.Time, number string)] {
	base := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	return func(yield func(int, func() (int, time.Time, string)) bool) {
		for i := range n {
			if !yield(i, func() (int, time.Time, string) {
				return i % len(callShapes), base.Add(time.Duration(i) * 1700 * time.Millisecond), fmt.Sprintf("061%07d", i*7919%10_000_000)
			}) {
				return
			}
		}
	}
}

// asteriskFile is a Master.csv of n calls, with uniqueid and userfield.
func asteriskFile(n int) []byte {
	var b bytes.Buffer
	for i, call := range calls(n) {
		shape, start, number := call()
		c := callShapes[shape]
		end := start.Add(time.Duration(c.ring+c.talk) * time.Second)
		answer := ""
		if c.talk > 0 {
			answer = `"` + start.Add(time.Duration(c.ring)*time.Second).Format(time.DateTime) + `"`
		}
		amd := "HUMAN"
		if c.result == "machine" {
			amd = "MACHINE"
		}
		fmt.Fprintf(&b, `"0190c6f2-%04x-7a4c-9d3e-%012x","0522456789","00%s","from-plateau","""Atlas Contact"" <0522456789>","PJSIP/plateau-out-%08x","PJSIP/trunk-iam-%08x","Dial","PJSIP/0033%s@trunk-iam,45,tT","%s",%s,"%s",%d,%d,"%s","DOCUMENTATION","%d.%d","amd=%s"`+"\n",
			i%0xffff, i, "33"+number[1:], 2*i, 2*i+1, number[1:], start.Format(time.DateTime), answer, end.Format(time.DateTime),
			c.ring+c.talk, c.talk, c.asterisk, start.Unix(), i, amd)
	}
	return b.Bytes()
}

// vicidialFile is a vicidial_log export of n calls, with its header.
func vicidialFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("uniqueid\tlead_id\tlist_id\tcampaign_id\tcall_date\tstart_epoch\tend_epoch\tlength_in_sec\tstatus\tphone_code\tphone_number\tuser\tcomments\tprocessed\tuser_group\tterm_reason\talt_dial\n")
	for i, call := range calls(n) {
		shape, start, number := call()
		c := callShapes[shape]
		user := "VDAD"
		if c.result == "answered" {
			user = fmt.Sprintf("dkr_agent%02d", i%40)
		}
		fmt.Fprintf(&b, "%d.%d\t%d\t1001\tATLASPRO\t%s\t%d\t%d\t%d\t%s\t33\t%s\t%s\tAUTO\tN\tAGENTS_DKR\tNONE\tMAIN\n",
			start.Unix(), i, 48000+i, start.Format(time.DateTime), start.Unix(), start.Unix()+int64(c.talk), c.talk, c.vicidial, number[1:], user)
	}
	return b.Bytes()
}

// batchBody is a JSON batch of n calls.
func batchBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"cdrs": [`)
	for i, call := range calls(n) {
		shape, start, number := call()
		c := callShapes[shape]
		if i > 0 {
			b.WriteString(",\n")
		}
		answered := ""
		if c.talk > 0 {
			answered = fmt.Sprintf(`"answered_at": %q, `, start.Add(time.Duration(c.ring)*time.Second).Format(time.RFC3339))
		}
		fmt.Fprintf(&b, `{"external_id": "pbx1-%d.%d", "call_id": "0190c6f2-%04x-7a4c-9d3e-%012x", "to": "+33%s", "from": "+33522456789", "campaign": "ATLASPRO", "started_at": %q, %s"ended_at": %q, "result": %q, "cause": "16", "agent": "dkr_agent07"}`,
			start.Unix(), i, i%0xffff, i, number[1:], start.Format(time.RFC3339), answered,
			start.Add(time.Duration(c.ring+c.talk)*time.Second).Format(time.RFC3339), c.result)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// benchParse reads data, a source of rows calls, with parse, failing on
// any row that is not a record, and reports rows/s.
func benchParse(b *testing.B, data []byte, rows int, parse func(*bytes.Reader) iter.Seq2[cdr.Record, error]) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range parse(bytes.NewReader(data)) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("%d records of %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

var benchOpts = cdr.Options{Location: time.FixedZone("Casablanca", 3600), Region: "FR"}

// BenchmarkParseAsterisk reads a Master.csv of 20 000 calls.
func BenchmarkParseAsterisk(b *testing.B) {
	benchParse(b, asteriskFile(benchRows), benchRows, func(r *bytes.Reader) iter.Seq2[cdr.Record, error] { return cdr.ParseAsterisk(r, benchOpts) })
}

// BenchmarkParseVicidial reads a vicidial_log export of 20 000 calls.
func BenchmarkParseVicidial(b *testing.B) {
	benchParse(b, vicidialFile(benchRows), benchRows, func(r *bytes.Reader) iter.Seq2[cdr.Record, error] { return cdr.ParseVicidial(r, benchOpts) })
}

// BenchmarkParseJSON reads a batch of MaxBatch calls.
func BenchmarkParseJSON(b *testing.B) {
	benchParse(b, batchBody(cdr.MaxBatch), cdr.MaxBatch, func(r *bytes.Reader) iter.Seq2[cdr.Record, error] { return cdr.ParseJSON(r, benchOpts) })
}
