package nationallist_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/nationallist"
	"github.com/plateau-bpo/plateau/pkg/numberset"
)

func TestParseUSAreaCodeFile(t *testing.T) {
	us, _ := nationallist.ByCode("US-DNC")
	keys, rep, err := nationallist.Parse(us, strings.NewReader("\ufeff# area code 310\n3105551234\n310-555-1235\n1 (310) 555 1236\n\n"))
	if err != nil || rep.Numbers != 3 || len(keys) != 3 || keys[0] != 13105551234 || keys[2] != 13105551236 {
		t.Fatalf("keys %v report %+v err %v", keys, rep, err)
	}
}

func TestABadLineRefusesTheWholeFileWithAReport(t *testing.T) {
	us, _ := nationallist.ByCode("US-DNC")
	keys, rep, err := nationallist.Parse(us, strings.NewReader("3105551234\n31055512\n1105551234\n3105551235\nabc\n"))
	if err == nil || keys != nil {
		t.Fatalf("a file with bad lines was accepted: %v", keys)
	}
	if rep.Bad != 3 || len(rep.BadLines) != 3 || rep.BadLines[0].Line != 2 || rep.BadLines[1].Line != 3 || rep.BadLines[2].Line != 5 {
		t.Fatalf("report: %+v", rep)
	}
	for _, want := range []string{"10 digits", "cannot start with 0 or 1", "unexpected"} {
		found := false
		for _, b := range rep.BadLines {
			found = found || strings.Contains(b.Error, want)
		}
		if !found {
			t.Errorf("no bad line says %q: %+v", want, rep.BadLines)
		}
	}
	if !strings.Contains(err.Error(), "nothing was loaded") {
		t.Errorf("error: %v", err)
	}
}

// TestARefusalIsSaidByCode: the refusal and each bad line are said by a
// code and parameters, for the console in its reader's language; the bad
// line the refusal quotes is said in that language too.
func TestARefusalIsSaidByCode(t *testing.T) {
	us, _ := nationallist.ByCode("US-DNC")
	_, rep, err := nationallist.Parse(us, strings.NewReader("3105551234\n31055512\nabc\n"))
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.Invalid || e.Code != "nationallist.file.bad_lines" || len(e.Args) != 4 {
		t.Fatalf("refusal %#v", err)
	}
	codes := []string{}
	for _, b := range rep.BadLines {
		codes = append(codes, b.Problem.Code)
		if b.Error != b.Problem.Message {
			t.Errorf("line %d: %q is not its problem's English %q", b.Line, b.Error, b.Problem.Message)
		}
	}
	if strings.Join(codes, " ") != "nationallist.us.length nationallist.us.unexpected" {
		t.Errorf("bad lines say %v", codes)
	}
	french := func(key string, args ...any) (string, bool) {
		if key == "err.nationallist.us.length" {
			return fmt.Sprintf("un numéro des États-Unis a 10 chiffres, pas %d", args...), true
		}
		return "", false
	}
	first, ok := e.Args[3].(interface {
		Say(apperr.Translator) string
	})
	if !ok || first.Say(french) != "un numéro des États-Unis a 10 chiffres, pas 8" || fmt.Sprint(first) != rep.BadLines[0].Error {
		t.Errorf("the refusal's first bad line %#v", e.Args[3])
	}
}

func TestParseNationalFormats(t *testing.T) {
	tps, _ := nationallist.ByCode("UK-TPS")
	keys, _, err := nationallist.Parse(tps, strings.NewReader("020 7946 0018\n+44 20 7946 0019\n"))
	if err != nil || len(keys) != 2 || keys[0] != 442079460018 || keys[1] != 442079460019 {
		t.Fatalf("TPS: %v %v", keys, err)
	}
	bloctel, _ := nationallist.ByCode("FR-BLOCTEL")
	if _, rep, err := nationallist.Parse(bloctel, strings.NewReader("06 12 34 56 78\n06 12\n")); err == nil || rep.Bad != 1 {
		t.Fatalf("Bloctel with a short number: %+v %v", rep, err)
	}
	if _, _, err := nationallist.Parse(bloctel, strings.NewReader("\n# nothing\n")); err == nil {
		t.Fatal("an empty file was accepted")
	}
}

func TestRegistryCheck(t *testing.T) {
	r := nationallist.NewRegistry()
	fresh := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	r.Put(nationallist.Copy{Code: "US-DNC", FreshAt: fresh, Set: numberset.New([]uint64{13105551234})})
	checks := r.Check("+13105551234")
	if c := checks["US-DNC"]; !c.Listed || !c.FreshAt.Equal(fresh) {
		t.Fatalf("listed number: %+v", checks)
	}
	if c := r.Check("+13105551235")["US-DNC"]; c.Listed {
		t.Fatal("an unlisted number is listed")
	}
	if _, ok := r.Check("+13105551235")["UK-TPS"]; ok {
		t.Fatal("a list never loaded shows up")
	}
}

func FuzzParseUSLine(f *testing.F) {
	us, _ := nationallist.ByCode("US-DNC")
	for _, s := range []string{"3105551234", "1-310-555-1234", "(310) 555.1234", "+13105551234", "0", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		keys, _, err := nationallist.Parse(us, strings.NewReader(line))
		if err != nil {
			return
		}
		for _, k := range keys {
			if k < 12000000000 || k > 19999999999 {
				t.Fatalf("line %q gave key %d, not a +1 number", line, k)
			}
		}
	})
}
