package leadfile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
	"github.com/plateau-bpo/plateau/pkg/leadfile/leadgen"
)

func open(t *testing.T, data []byte, opts leadfile.Options) *leadfile.Reader {
	t.Helper()
	if opts.Region == "" {
		opts.Region = "FR"
	}
	r, err := leadfile.NewReader(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	return r
}

func readAll(t *testing.T, r *leadfile.Reader) []leadfile.Row {
	t.Helper()
	var rows []leadfile.Row
	for row, err := range r.Rows() {
		if err != nil {
			t.Fatalf("Rows: %v", err)
		}
		rows = append(rows, row)
	}
	return rows
}

// oneByteAtATime hands the file over one byte per Read, as a slow upload
// might.
type oneByteAtATime struct{ r io.Reader }

func (o oneByteAtATime) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// TestFormats reads the same three leads written in each format Excel and
// others produce.
func TestFormats(t *testing.T) {
	utf8File := "Nom;Prénom;Téléphone;Ville\n" +
		"Lefèvre;Hélène;06 12 34 56 78;Besançon\n" +
		"Garçon;François;+33 1 23 45 67 89;Orléans\n" +
		"Müller;Noël;0696 12 34 56;Fort-de-France\n"
	want := []struct {
		line            int
		last, first, e  string
		city, region    string
		valuesInOneCell string
	}{
		{2, "Lefèvre", "Hélène", "+33612345678", "Besançon", "FR", ""},
		{3, "Garçon", "François", "+33123456789", "Orléans", "FR", ""},
		{4, "Müller", "Noël", "+596696123456", "Fort-de-France", "MQ", ""},
	}
	crlf := strings.ReplaceAll(utf8File, "\n", "\r\n")
	cases := []struct {
		name  string
		data  []byte
		enc   leadfile.Encoding
		delim rune
	}{
		{"UTF-8", []byte(utf8File), leadfile.UTF8, ';'},
		{"UTF-8 with BOM", append([]byte("\xef\xbb\xbf"), crlf...), leadfile.UTF8, ';'},
		{"Windows-1252 CRLF", leadgen.CP1252(crlf), leadfile.Windows1252, ';'},
		{"Windows-1252 LF", leadgen.CP1252(utf8File), leadfile.Windows1252, ';'},
		{"comma", []byte(strings.ReplaceAll(utf8File, ";", ",")), leadfile.UTF8, ','},
		{"tab", []byte(strings.ReplaceAll(utf8File, ";", "\t")), leadfile.UTF8, '\t'},
		{"Excel for Mac: lone CR", leadgen.CP1252(strings.ReplaceAll(utf8File, "\n", "\r")), leadfile.Windows1252, ';'},
		{"sep= line", leadgen.CP1252("sep=,\r\n" + strings.ReplaceAll(crlf, ";", ",")), leadfile.Windows1252, ','},
		{"no final line break", []byte(strings.TrimSuffix(utf8File, "\n")), leadfile.UTF8, ';'},
		{"blank lines and empty rows", []byte(strings.Replace(utf8File, "\nGarçon", "\n\n;;;\n  ; ;;\nGarçon", 1)), leadfile.UTF8, ';'},
		{"all quoted", []byte(`"Nom";"Prénom";"Téléphone";"Ville"` + "\r\n" +
			`"Lefèvre";"Hélène";"06 12 34 56 78";"Besançon"` + "\r\n" +
			`"Garçon";"François";"+33 1 23 45 67 89";"Orléans"` + "\r\n" +
			`"Müller";"Noël";"0696 12 34 56";"Fort-de-France"` + "\r\n"), leadfile.UTF8, ';'},
	}
	for _, c := range cases {
		for _, slow := range []bool{false, true} {
			var src io.Reader = bytes.NewReader(c.data)
			if slow {
				src = oneByteAtATime{src}
			}
			r, err := leadfile.NewReader(src, leadfile.Options{Region: "FR"})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if r.Encoding() != c.enc || r.Delimiter() != c.delim {
				t.Errorf("%s: read as %s %q, want %s %q", c.name, r.Encoding(), r.Delimiter(), c.enc, c.delim)
			}
			if h := strings.Join(r.Header(), "|"); h != "Nom|Prénom|Téléphone|Ville" {
				t.Errorf("%s: header %q", c.name, h)
			}
			rows := readAll(t, r)
			if len(rows) != len(want) {
				t.Fatalf("%s: %d rows, want %d: %+v", c.name, len(rows), len(want), rows)
			}
			for i, w := range want {
				g := rows[i]
				line := w.line
				if c.name == "sep= line" {
					line++
				}
				if c.name == "blank lines and empty rows" && i > 0 {
					line += 3
				}
				if !g.OK() || g.Line != line || g.Lead.LastName != w.last || g.Lead.FirstName != w.first ||
					g.Lead.City != w.city || g.Phone.E164 != w.e || g.Phone.Region != w.region {
					t.Errorf("%s: row %d = line %d %q %q %q %+v %v, want line %d %q %q %q %s %s",
						c.name, i, g.Line, g.Lead.LastName, g.Lead.FirstName, g.Lead.City, g.Phone, g.Problems,
						line, w.last, w.first, w.city, w.e, w.region)
				}
			}
		}
	}
}

// TestQuotedValues: separators, doubled quotes and line breaks inside
// quotes, and the line numbers of the rows after them.
func TestQuotedValues(t *testing.T) {
	file := leadgen.CP1252("Nom;Adresse;Tél.;Commentaire\r\n" +
		"Lefèvre;\"12, rue de l'Église; bâtiment B\";0612345678;\"Il a dit \"\"rappelez-moi\"\"\"\r\n" +
		"Ménard;\"Résidence « Les Pins »\r\n3 allée des Hêtres\r\n\r\n33000 Bordeaux\";0712345678;\r\n" +
		"Côté;\"\";0612345679;\"\"\"\"\r\n")
	rows := readAll(t, open(t, file, leadfile.Options{}))
	if len(rows) != 3 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	if got := rows[0].Lead.Custom["Adresse"]; got != "12, rue de l'Église; bâtiment B" {
		t.Errorf("address with ';' and ',': %q", got)
	}
	if got := rows[0].Lead.Custom["Commentaire"]; got != `Il a dit "rappelez-moi"` {
		t.Errorf("doubled quotes: %q", got)
	}
	if got := rows[1].Values[1]; got != "Résidence « Les Pins »\n3 allée des Hêtres\n\n33000 Bordeaux" {
		t.Errorf("line breaks in quotes: %q", got)
	}
	if rows[1].Line != 3 || rows[2].Line != 7 {
		t.Errorf("lines %d and %d, want 3 and 7 (the address spans lines 3 to 6)", rows[1].Line, rows[2].Line)
	}
	if got := rows[2].Lead.Custom["Commentaire"]; got != `"` {
		t.Errorf("a value that is one quote: %q", got)
	}
	if _, ok := rows[2].Lead.Custom["Adresse"]; ok {
		t.Error("an empty cell became a custom value")
	}
}

// TestEncodingDecidedLate: a file whose first accent comes after the first
// read buffer is still decoded right.
func TestEncodingDecidedLate(t *testing.T) {
	var b strings.Builder
	b.WriteString("Nom;Telephone\r\n")
	for i := range 5000 {
		b.WriteString("Martin;06 12 34 ")
		b.WriteString(string(rune('0'+i/1000%10)) + string(rune('0'+i/100%10)) + " " + string(rune('0'+i/10%10)) + string(rune('0'+i%10)))
		b.WriteString("\r\n")
	}
	b.WriteString("Lefèvre;07 12 34 56 78\r\n")
	for _, c := range []struct {
		data []byte
		enc  leadfile.Encoding
	}{{leadgen.CP1252(b.String()), leadfile.Windows1252}, {[]byte(b.String()), leadfile.UTF8}} {
		r := open(t, c.data, leadfile.Options{})
		rows := readAll(t, r)
		last := rows[len(rows)-1]
		if len(rows) != 5001 || last.Lead.LastName != "Lefèvre" || last.Line != 5002 || r.Encoding() != c.enc {
			t.Errorf("%s: %d rows, last %q on line %d, read as %s", c.enc, len(rows), last.Lead.LastName, last.Line, r.Encoding())
		}
	}
}

// TestUTF8WithStrayBytes: a UTF-8 file with a line pasted from a
// Windows-1252 one keeps the accents of both.
func TestUTF8WithStrayBytes(t *testing.T) {
	file := append([]byte("Nom;Téléphone\nLefèvre;0612345678\n"), leadgen.CP1252("Hélène;0612345679\n")...)
	rows := readAll(t, open(t, file, leadfile.Options{}))
	if len(rows) != 2 || rows[0].Lead.LastName != "Lefèvre" || rows[1].Lead.LastName != "Hélène" {
		t.Fatalf("%+v", rows)
	}
}

func TestHeaderDetection(t *testing.T) {
	cases := map[string]leadfile.Field{
		"Téléphone": leadfile.FieldPhone, "TELEPHONE": leadfile.FieldPhone, "Tél.": leadfile.FieldPhone,
		"Tel": leadfile.FieldPhone, " tel ": leadfile.FieldPhone, "Portable": leadfile.FieldPhone,
		"Mobile": leadfile.FieldPhone, "GSM": leadfile.FieldPhone, "Phone": leadfile.FieldPhone,
		"Phone number": leadfile.FieldPhone, "Numéro": leadfile.FieldPhone, "N° de téléphone": leadfile.FieldPhone,
		"Numéro de portable": leadfile.FieldPhone, "Tél. mobile": leadfile.FieldPhone, "Mobile phone": leadfile.FieldPhone,
		"phone_number": leadfile.FieldPhone, "Cell": leadfile.FieldPhone,
		"Prénom": leadfile.FieldFirstName, "PRENOM": leadfile.FieldFirstName, "First name": leadfile.FieldFirstName,
		"first_name": leadfile.FieldFirstName, "FirstName": leadfile.FieldFirstName, "Given name": leadfile.FieldFirstName,
		"Nom": leadfile.FieldLastName, "NOM": leadfile.FieldLastName, "Last name": leadfile.FieldLastName,
		"Nom de famille": leadfile.FieldLastName, "Surname": leadfile.FieldLastName, "last_name": leadfile.FieldLastName,
		"Société": leadfile.FieldCompany, "SOCIETE": leadfile.FieldCompany, "Raison sociale": leadfile.FieldCompany,
		"Entreprise": leadfile.FieldCompany, "Company": leadfile.FieldCompany, "Company name": leadfile.FieldCompany,
		"Email": leadfile.FieldEmail, "E-mail": leadfile.FieldEmail, "Courriel": leadfile.FieldEmail,
		"Adresse e-mail": leadfile.FieldEmail, "Email address": leadfile.FieldEmail, "Mail": leadfile.FieldEmail,
		"Code postal": leadfile.FieldPostalCode, "CP": leadfile.FieldPostalCode, "C.P.": leadfile.FieldPostalCode,
		"Zip": leadfile.FieldPostalCode, "Zip code": leadfile.FieldPostalCode, "Postcode": leadfile.FieldPostalCode,
		"Ville": leadfile.FieldCity, "City": leadfile.FieldCity, "Commune": leadfile.FieldCity,
		"Pays": leadfile.FieldCountry, "Country": leadfile.FieldCountry,
		"Fuseau": leadfile.FieldTimezone, "Fuseau horaire": leadfile.FieldTimezone, "Time zone": leadfile.FieldTimezone,
		"Source du consentement": leadfile.FieldConsentSource, "Consent source": leadfile.FieldConsentSource,
		"Date du consentement": leadfile.FieldConsentCapturedAt, "Consent captured at": leadfile.FieldConsentCapturedAt,
		"Consent date":           leadfile.FieldConsentCapturedAt,
		"Preuve du consentement": leadfile.FieldConsentProof, "Consent proof": leadfile.FieldConsentProof,
		"Civilité": leadfile.FieldCustom, "Adresse": leadfile.FieldCustom, "Date de naissance": leadfile.FieldCustom,
		"Numéro client": leadfile.FieldCustom, "Montant dû": leadfile.FieldCustom,
	}
	for header, want := range cases {
		m := leadfile.DetectMapping([]string{header, "x"})
		if got := m.Columns[0]; got.Field != want || got.Header != strings.TrimSpace(header) {
			t.Errorf("%q: %+v, want %s", header, got, want)
		}
	}
}

func TestDetectMapping(t *testing.T) {
	m := leadfile.DetectMapping([]string{"Nom", "Portable", "Tél. fixe", "Adresse", "", "Adresse", "Nom"})
	want := []leadfile.Column{
		{Index: 0, Header: "Nom", Field: leadfile.FieldLastName},
		{Index: 1, Header: "Portable", Field: leadfile.FieldPhone},
		{Index: 2, Header: "Tél. fixe", Field: leadfile.FieldCustom, Name: "Tél. fixe"}, // the first phone column wins
		{Index: 3, Header: "Adresse", Field: leadfile.FieldCustom, Name: "Adresse"},
		{Index: 4, Header: "", Field: leadfile.FieldIgnore},
		{Index: 5, Header: "Adresse", Field: leadfile.FieldCustom, Name: "Adresse (2)"},
		{Index: 6, Header: "Nom", Field: leadfile.FieldCustom, Name: "Nom"},
	}
	for i, c := range m.Columns {
		if c != want[i] {
			t.Errorf("column %d: %+v, want %+v", i, c, want[i])
		}
	}
	if c, ok := m.Column(leadfile.FieldPhone); !ok || c.Index != 1 {
		t.Errorf("Column(phone) = %+v %v", c, ok)
	}
}

// TestMappingOverride: a client corrects the detected mapping, it is saved
// as JSON, and the client's next file — columns in another order, one
// missing — is read with it.
func TestMappingOverride(t *testing.T) {
	first := []byte("Nom;Portable;Fixe;Réf\nLefèvre;0612345678;0123456789;A1\n")
	r := open(t, first, leadfile.Options{})
	if c, _ := r.Mapping().Column(leadfile.FieldPhone); c.Header != "Portable" {
		t.Fatalf("detected phone column %+v", c)
	}
	edited := r.Mapping()
	edited.Columns[1].Field, edited.Columns[1].Name = leadfile.FieldCustom, "Mobile"
	edited.Columns[2].Field = leadfile.FieldPhone
	edited.Columns[3].Field = leadfile.FieldIgnore
	saved, err := json.Marshal(edited)
	if err != nil {
		t.Fatal(err)
	}

	var loaded leadfile.Mapping
	if err := json.Unmarshal(saved, &loaded); err != nil {
		t.Fatal(err)
	}
	next := []byte("Réf;FIXE;Nom;Ville\nB2;01 98 76 54 32;Ménard;Lyon\n")
	r = open(t, next, leadfile.Options{Mapping: loaded})
	rows := readAll(t, r)
	if len(rows) != 1 || rows[0].Phone.E164 != "+33198765432" || rows[0].Lead.LastName != "Ménard" {
		t.Fatalf("rows %+v", rows)
	}
	if rows[0].Lead.Custom["Réf"] != "" || rows[0].Lead.Custom["Ville"] != "" || rows[0].Lead.City != "Lyon" {
		t.Errorf("lead %+v: Réf is ignored, Ville detected", rows[0].Lead)
	}

	// By index, for a column without a header, and a phone column taken
	// from the detected one.
	r = open(t, []byte("Tel;\n0612345678;0798765432\n"), leadfile.Options{Mapping: leadfile.Mapping{Columns: []leadfile.Column{
		{Index: 1, Field: leadfile.FieldPhone}}}})
	rows = readAll(t, r)
	if rows[0].Phone.E164 != "+33798765432" || rows[0].Lead.Custom["Tel"] != "0612345678" {
		t.Errorf("override by index: %+v", rows[0])
	}

	for _, bad := range []leadfile.Mapping{
		{Columns: []leadfile.Column{{Index: 0, Header: "Nom", Field: "surname"}}},
		{Columns: []leadfile.Column{{Index: 1, Header: "Portable", Field: leadfile.FieldPhone}, {Index: 2, Header: "Fixe", Field: leadfile.FieldPhone}}},
		{Columns: []leadfile.Column{{Index: 0, Header: "Nom", Field: leadfile.FieldCustom, Name: "x"}, {Index: 3, Header: "Réf", Field: leadfile.FieldCustom, Name: "x"}}},
	} {
		_, err := leadfile.NewReader(bytes.NewReader(first), leadfile.Options{Region: "FR", Mapping: bad})
		if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
			t.Errorf("mapping %+v: %v, want an invalid-fields error", bad, err)
		}
	}
	_, err = leadfile.NewReader(bytes.NewReader(first), leadfile.Options{Region: "FR", Mapping: leadfile.Mapping{Columns: []leadfile.Column{
		{Index: 1, Header: "Portable", Field: leadfile.FieldIgnore}}}})
	if !errors.Is(err, leadfile.ErrNoPhoneColumn) {
		t.Errorf("ignoring the only phone column: %v", err)
	}
}

// TestBadRowsDoNotStopTheFile: each bad row is reported on its line, and
// the rows after it are read.
func TestBadRowsDoNotStopTheFile(t *testing.T) {
	file := "Nom;Téléphone;Ville\r\n" + // 1
		"Lefèvre;06 12 34 56 78;Paris\r\n" + // 2
		"Ménard;06 12 34 56;Lyon\r\n" + // 3: too short
		"Côté;;Nantes\r\n" + // 4: empty
		"Dupré;06 12 34 56 79;Lille;en trop\r\n" + // 5: a value too many: kept, with a warning
		"Pérez;06 12 34 56 80\r\n" + // 6: a value short
		"Müller;06 12 34 56 81;Metz;;\r\n" + // 7: trailing empty values are fine
		"Bré\"chet;06 12 34 56 82;Caen\r\n" + // 8: bare quote
		"\"Lemaître\" Jr;06 12 34 56 83;Dijon\r\n" + // 9: quote not doubled
		"\"Garçon\r\n\r\nPoitou\";0612345684;Brest\r\n" + // 10-12: fine
		"Noël;inconnu;Tours\r\n" + // 13
		"Zoé;+33 6 12 34 56 85;\"Nice\r\n" + // 14: quote never closed
		"Anaïs;06 12 34 56 86;Pau\r\n" // 15: read again after the unclosed quote
	r := open(t, leadgen.CP1252(file), leadfile.Options{})
	rows := readAll(t, r)
	type want struct {
		line int
		code leadfile.ProblemCode
		says string
	}
	wants := []want{
		{2, "", ""},
		{3, leadfile.ProblemInvalidPhone, "wrong length"},
		{4, leadfile.ProblemMissingPhone, "empty"},
		{5, "", ""},
		{6, leadfile.ProblemFieldCount, "2 values where the header has 3"},
		{7, "", ""},
		{8, leadfile.ProblemMalformed, "quote"},
		{9, leadfile.ProblemMalformed, "not doubled"},
		{10, "", ""},
		{13, leadfile.ProblemInvalidPhone, `"inconnu" is not a phone number`},
		{14, leadfile.ProblemMalformed, "never closed"},
		{15, "", ""},
	}
	if len(rows) != len(wants) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(wants), rows)
	}
	for i, w := range wants {
		g := rows[i]
		if g.Line != w.line {
			t.Errorf("row %d on line %d, want %d", i, g.Line, w.line)
		}
		if w.code == "" {
			if !g.OK() || g.Phone.E164 == "" {
				t.Errorf("line %d: %+v, want a valid row", g.Line, g)
			}
			continue
		}
		if len(g.Problems) != 1 || g.Problems[0].Code != w.code || !strings.Contains(g.Problems[0].Message, w.says) || g.Problems[0].Line != w.line {
			t.Errorf("line %d: problems %+v, want %s saying %q", g.Line, g.Problems, w.code, w.says)
		}
	}
	if p := rows[1].Problems[0]; p.Column != "Téléphone" || p.Value != "06 12 34 56" {
		t.Errorf("the phone problem names the cell: %+v", p)
	}
	if rows[8].Lead.LastName != "Garçon\n\nPoitou" {
		t.Errorf("line 10: %q", rows[8].Lead.LastName)
	}
	s := r.Summary()
	if w := rows[3].Warnings; len(w) != 1 || w[0].Code != leadfile.WarningExtraValues || w[0].Value != "en trop" {
		t.Errorf("line 5: warnings %+v", w)
	}
	if s.Rows != 12 || s.Valid != 5 || s.Invalid != 7 || s.Warnings != 1 || s.Duplicates != 0 || s.ByProblem[leadfile.ProblemMalformed] != 3 {
		t.Errorf("summary %+v", s)
	}
}

// TestRunawayQuote: a quote never closed in a big file costs one row, not
// the rest of the file, and memory stays bounded.
func TestRunawayQuote(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Nom;Téléphone\n\"Lefèvre;0612345678\n")
	for i := range 100_000 {
		b.WriteString("Martin;06 12 ")
		b.WriteString(strings.Repeat("3", 2) + " " + string(rune('0'+i/10000%10)) + string(rune('0'+i/1000%10)) + " " + string(rune('0'+i/10%10)) + string(rune('0'+i%10)) + "\n")
	}
	rows := readAll(t, open(t, b.Bytes(), leadfile.Options{}))
	if len(rows) != 100_001 || rows[0].Line != 2 || len(rows[0].Problems) == 0 || rows[0].Problems[0].Code != leadfile.ProblemMalformed || rows[1].Line != 3 || rows[100_000].Line != 100_002 {
		t.Fatalf("%d rows; first %+v; second %+v", len(rows), rows[0], rows[1])
	}
	// A line longer than the limit is one bad row.
	long := "Nom;Téléphone\nX" + strings.Repeat("x", 200<<10) + ";0612345678\nMartin;0612345678\n"
	rows = readAll(t, open(t, []byte(long), leadfile.Options{}))
	if len(rows) != 2 || rows[0].Line != 2 || len(rows[0].Problems) == 0 || rows[0].Problems[0].Code != leadfile.ProblemMalformed || rows[1].Line != 3 || !rows[1].OK() {
		t.Fatalf("long line: %+v", rows)
	}
}

func TestDuplicates(t *testing.T) {
	file := "Nom;Téléphone\n" +
		"A;06 12 34 56 78\n" + // 2
		"B;0612345678\n" + // 3: same number
		"C;+33 6 12 34 56 78\n" + // 4: same number
		"D;06 12 34 56 7\n" + // 5: invalid
		"E;06 12 34 56 79\n" + // 6
		"F;612345679\n" + // 7: same as 6, Excel dropped the 0
		"G;0033612345679\n" // 8
	r := open(t, []byte(file), leadfile.Options{})
	rows := readAll(t, r)
	dups := map[int]int{}
	for _, row := range rows {
		if row.DuplicateOf != 0 {
			dups[row.Line] = row.DuplicateOf
			if p := row.Problems[0]; p.Code != leadfile.ProblemDuplicate || !strings.Contains(p.Message, "line") {
				t.Errorf("line %d: %+v", row.Line, p)
			}
		}
	}
	if len(dups) != 4 || dups[3] != 2 || dups[4] != 2 || dups[7] != 6 || dups[8] != 6 {
		t.Errorf("duplicates %v", dups)
	}
	if s := r.Summary(); s.Rows != 7 || s.Valid != 2 || s.Duplicates != 4 || s.Invalid != 1 {
		t.Errorf("summary %+v", s)
	}
}

func TestNotCSV(t *testing.T) {
	cases := map[string]struct {
		data []byte
		want error
		says string
	}{
		"xlsx":             {[]byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"), leadfile.ErrNotCSV, ".xlsx"},
		"xls":              {[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00"), leadfile.ErrNotCSV, ".xls"},
		"pdf":              {[]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), leadfile.ErrNotCSV, "PDF"},
		"UTF-16":           {[]byte("\xff\xfeN\x00o\x00m\x00;\x00"), leadfile.ErrNotCSV, "UTF-16"},
		"binary":           {[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), leadfile.ErrNotCSV, "binary"},
		"control bytes":    {[]byte("Nom;T\x01l\x02\nA;0612345678\n"), leadfile.ErrNotCSV, "control character"},
		"one column":       {[]byte("Nom\nLefèvre\nDupré\n"), leadfile.ErrNotCSV, "single column"},
		"prose":            {[]byte("Bonjour, voici le fichier\n"), leadfile.ErrNoPhoneColumn, "no column holds the phone"},
		"broken header":    {[]byte("Nom;\"Télé\"phone\n"), leadfile.ErrNotCSV, "header"},
		"header too long":  {bytes.Repeat([]byte("Nom Prénom "), 20000), leadfile.ErrNotCSV, "longer than"},
		"empty":            {nil, leadfile.ErrEmpty, "empty"},
		"only a BOM":       {[]byte("\xef\xbb\xbf"), leadfile.ErrEmpty, "empty"},
		"only blank lines": {[]byte("\r\n\r\n\n"), leadfile.ErrEmpty, "empty"},
	}
	for name, c := range cases {
		_, err := leadfile.NewReader(bytes.NewReader(c.data), leadfile.Options{Region: "FR"})
		if !errors.Is(err, c.want) || apperr.KindOf(err) != apperr.Invalid || !strings.Contains(apperr.As(err).Message, c.says) {
			t.Errorf("%s: %v, want %v saying %q", name, err, c.want, c.says)
		}
	}
	// A header and no rows is a file with no leads, not an error.
	rows := readAll(t, open(t, []byte("Nom;Téléphone\r\n"), leadfile.Options{}))
	if len(rows) != 0 {
		t.Errorf("header only: %+v", rows)
	}
}

func TestMissingPhoneColumn(t *testing.T) {
	_, err := leadfile.NewReader(strings.NewReader("Nom;Prénom;Ville\nLefèvre;Hélène;Paris\n"), leadfile.Options{Region: "FR"})
	if !errors.Is(err, leadfile.ErrNoPhoneColumn) || apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("%v", err)
	}
	if msg := apperr.As(err).Message; !strings.Contains(msg, `"Nom", "Prénom", "Ville"`) {
		t.Errorf("the message does not name the headers found: %s", msg)
	}
	_, err = leadfile.NewReader(strings.NewReader("Lefèvre;Hélène;06 12 34 56 78\n"), leadfile.Options{Region: "FR"})
	if !errors.Is(err, leadfile.ErrNoPhoneColumn) || !strings.Contains(apperr.As(err).Message, "header line") {
		t.Errorf("a file without a header: %v", err)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestReadError: a read error ends the rows with the error, once.
func TestReadError(t *testing.T) {
	boom := errors.New("connection reset")
	r, err := leadfile.NewReader(&failingReader{data: []byte("Nom;Tel\nA;0612345678\nB;06"), err: boom}, leadfile.Options{Region: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	var rows, errs int
	for _, err := range r.Rows() {
		if err != nil {
			errs++
			if !errors.Is(err, boom) {
				t.Errorf("error %v", err)
			}
			continue
		}
		rows++
	}
	if rows != 1 || errs != 1 {
		t.Errorf("%d rows, %d errors", rows, errs)
	}
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Errorf("Next after the error: %v", err)
	}
}

// writeReport writes the report of every row of r.
func writeReport(t *testing.T, r *leadfile.Reader, w *leadfile.ReportWriter) {
	t.Helper()
	for row, err := range r.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestReportWriter(t *testing.T) {
	file := "Nom;Téléphone\nA;=1+2\nB;0612345678\nC;06 12 34 56 78\n"
	r := open(t, []byte(file), leadfile.Options{})
	var out bytes.Buffer
	w := leadfile.NewReportWriter(&out, r.Delimiter())
	writeReport(t, r, w)
	want := "\ufeffline;column;value;error\r\n" +
		"2;Téléphone;'=1+2;\"\"\"=1+2\"\" is not a phone number: unexpected '='\"\r\n" +
		"4;Téléphone;06 12 34 56 78;same number as line 3 (+33612345678)\r\n"
	if out.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", out.String(), want)
	}

	out.Reset()
	if err := leadfile.NewReportWriter(&out, ',').Flush(); err != nil || out.String() != "\ufeffline,column,value,error\r\n" {
		t.Errorf("empty report %q %v", out.String(), err)
	}
}

// TestReportInTheReadersLanguage: a report written for a reader says its
// header and each problem in their language, with the problem's
// parameters, and in English what its catalog lacks.
func TestReportInTheReadersLanguage(t *testing.T) {
	french := map[string]string{"leads.report.line": "ligne", "leads.report.column": "colonne", "leads.report.value": "valeur",
		"leads.report.problem": "erreur", "err.leadfile.row.duplicate": "même numéro que la ligne %d (%s)"}
	tr := func(key string, args ...any) (string, bool) {
		text, ok := french[key]
		if ok && len(args) > 0 {
			text = fmt.Sprintf(text, args...)
		}
		return text, ok
	}
	r := open(t, []byte("Nom;Téléphone\nA;0612345678\nB;06 12 34 56 78\nC;06 1x\n"), leadfile.Options{})
	var out bytes.Buffer
	w := leadfile.NewReportWriter(&out, r.Delimiter())
	w.Translate = tr
	writeReport(t, r, w)
	want := "\ufeffligne;colonne;valeur;erreur\r\n" +
		"3;Téléphone;06 12 34 56 78;même numéro que la ligne 2 (+33612345678)\r\n" +
		"4;Téléphone;06 1x;\"\"\"06 1x\"\" is not a phone number: unexpected 'x'\"\r\n"
	if out.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestEveryProblemIsCoded: each problem a file can have says its message
// by a code and parameters, for the reader's language.
func TestEveryProblemIsCoded(t *testing.T) {
	file := "Nom;Téléphone;Ville\n" +
		"\"A;0612345678;Paris\n" + // malformed: a quote never closed, the row is the line
		"B;0612345679\n" + // field count: Ville is imported
		"C;;Lyon\n" + // missing phone
		"D;06 12;Lyon\n" + // invalid phone
		"E;0612345670;Lyon;en trop\n" + // extra values: a warning
		"F;0612345670;Lyon\n" + // duplicate
		"G\x01;0612345671;Lyon\n" + // control character
		"H;0612345672;Ly\x81on\n" // undefined byte: a warning
	r := open(t, []byte(file), leadfile.Options{})
	seen := map[leadfile.ProblemCode]bool{}
	for row, err := range r.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range append(row.Problems, row.Warnings...) {
			seen[p.Code] = true
			if !strings.Contains(p.MessageCode, ".") || p.Message == "" {
				t.Errorf("line %d: %s problem without a message code: %+v", p.Line, p.Code, p)
			}
			if f := p.FieldError(); f.Code != p.MessageCode || f.Path != p.Column || f.Message != p.Message {
				t.Errorf("line %d: FieldError() = %+v", p.Line, f)
			}
		}
	}
	for _, code := range leadfile.ProblemCodes {
		if !seen[code] {
			t.Errorf("the file has no %s problem: %v", code, seen)
		}
	}
}

// TestGeneratedFile reads the benchmark's file and checks its counts add
// up.
func TestGeneratedFile(t *testing.T) {
	data := leadgen.File(20_000, 7)
	r := open(t, data, leadfile.Options{})
	if r.Encoding() != leadfile.Windows1252 || r.Delimiter() != ';' {
		t.Fatalf("read as %s %q", r.Encoding(), r.Delimiter())
	}
	lines := 1 + bytes.Count(data, []byte("\n"))
	prev := 1
	for row, err := range r.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		if row.Line <= prev || row.Line >= lines {
			t.Fatalf("line %d after %d", row.Line, prev)
		}
		prev = row.Line
		for _, p := range row.Problems {
			if p.Code == leadfile.ProblemMalformed || p.Code == leadfile.ProblemFieldCount {
				t.Fatalf("line %d: %+v", row.Line, p)
			}
		}
		if row.OK() && !strings.HasPrefix(row.Lead.Email, "contact") {
			t.Fatalf("line %d: %+v", row.Line, row.Lead)
		}
	}
	s := r.Summary()
	if s.Rows != 20_000 || s.Valid+s.Duplicates+s.Invalid != s.Rows || s.Duplicates < 400 || s.Invalid < 200 || s.Valid < 18_000 {
		t.Errorf("summary %+v", s)
	}
}

// TestExcelTextFormula: ="0612345678", which some exports write to keep
// the leading 0, is read as the number.
func TestExcelTextFormula(t *testing.T) {
	rows := readAll(t, open(t, []byte("Nom;Téléphone;CP\nA;\"=\"\"06 12 34 56 78\"\"\";\"=\"\"01000\"\"\"\n"), leadfile.Options{}))
	if len(rows) != 1 || rows[0].Phone.E164 != "+33612345678" || rows[0].Lead.PostalCode != "01000" || rows[0].Values[1] != `="06 12 34 56 78"` {
		t.Fatalf("%+v", rows)
	}
}

// TestMissingAndExtraValues, as papaparse reads them: a row short of
// trailing columns nothing is imported from is kept; a row with values
// after the last column is kept, with a warning that names them; a row
// short of a column that is imported is refused.
func TestMissingAndExtraValues(t *testing.T) {
	file := "Nom;Téléphone;Ville;\r\n" + // 1: the last column has no name
		"Lefèvre;06 12 34 56 78;Paris\r\n" + // 2: short of the unnamed column
		"Dupré;06 12 34 56 79;Lille;;en trop\r\n" + // 3: one value too many
		"Pérez;06 12 34 56 80\r\n" + // 4: short of Ville
		"Müller;06 12 34 56 81;Metz;;;\r\n" + // 5: trailing empty values
		"Côté;06 12 34 56 82;Nice;x;y;z\r\n" // 6: an unnamed value and two too many
	r := open(t, []byte(file), leadfile.Options{})
	rows := readAll(t, r)
	if len(rows) != 5 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	for _, i := range []int{0, 1, 3, 4} {
		if g := rows[i]; !g.OK() || g.Phone.E164 == "" {
			t.Errorf("line %d: %+v, want a lead", g.Line, g)
		}
	}
	if rows[0].Lead.City != "Paris" || len(rows[0].Warnings) != 0 || len(rows[3].Warnings) != 0 {
		t.Errorf("lines 2 and 5: %+v %+v", rows[0], rows[3])
	}
	w := rows[1].Warnings
	if len(w) != 1 || w[0].Code != leadfile.WarningExtraValues || w[0].Line != 3 || w[0].Value != "en trop" ||
		!strings.Contains(w[0].Message, "kept") || rows[1].Lead.City != "Lille" {
		t.Errorf("line 3: %+v, want the lead kept and a warning naming \"en trop\"", rows[1])
	}
	if w := rows[4].Warnings; len(w) != 1 || w[0].Value != "y;z" {
		t.Errorf("line 6: warnings %+v, want the two extra values", w)
	}
	if p := rows[2].Problems; len(p) != 1 || p[0].Code != leadfile.ProblemFieldCount {
		t.Errorf("line 4: %+v, want field_count", p)
	}
	if s := r.Summary(); s.Valid != 4 || s.Invalid != 1 || s.Warnings != 2 {
		t.Errorf("summary %+v", s)
	}

	// The report has a line for each warning, and the lead is kept.
	var out bytes.Buffer
	rw := leadfile.NewReportWriter(&out, ';')
	for _, row := range rows {
		if err := rw.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\r\n3;;en trop;") || !strings.Contains(out.String(), "\r\n4;;;") {
		t.Errorf("report:\n%s", out.String())
	}
}

// TestPhoneList: a plain list of numbers, one per line, with or without a
// header, is a lead file of one column.
func TestPhoneList(t *testing.T) {
	rows := readAll(t, open(t, []byte("Téléphone\n0612345678\n06 12 34 56 79\n"), leadfile.Options{}))
	if len(rows) != 2 || rows[0].Line != 2 || rows[0].Phone.E164 != "+33612345678" || rows[1].Phone.E164 != "+33612345679" {
		t.Errorf("with a header: %+v", rows)
	}
	r := open(t, []byte("06 12 34 56 78\r\n+33 6 12 34 56 79\r\n0612\r\n"), leadfile.Options{})
	rows = readAll(t, r)
	if len(rows) != 3 || rows[0].Line != 1 || rows[0].Phone.E164 != "+33612345678" || rows[1].Line != 2 || !rows[1].OK() ||
		rows[2].OK() || rows[2].Problems[0].Code != leadfile.ProblemInvalidPhone {
		t.Errorf("without a header: %+v", rows)
	}
	if c, ok := r.Mapping().Column(leadfile.FieldPhone); !ok || c.Index != 0 || len(r.Header()) != 1 {
		t.Errorf("without a header: mapping %+v, header %q", r.Mapping(), r.Header())
	}
	for _, notList := range []string{"Nom\nDupont\nMartin\n", "Bonjour tout le monde\n"} {
		_, err := leadfile.NewReader(strings.NewReader(notList), leadfile.Options{Region: "FR"})
		if !errors.Is(err, leadfile.ErrNotCSV) || !strings.Contains(apperr.As(err).Message, "single column") {
			t.Errorf("%q: %v", notList, err)
		}
	}
}

// TestLoneCR: a lone CR outside quotes ends a line, whatever the file's
// other line ends, as papaparse reads it; inside quotes it is a line
// break of the value.
func TestLoneCR(t *testing.T) {
	for name, file := range map[string]string{
		"CRLF": "Nom;Téléphone\r\nA;0612345678\rB;0612345679\r\n\"C\rD\";0612345680\r\n",
		"LF":   "Nom;Téléphone\nA;0612345678\rB;0612345679\n\"C\rD\";0612345680\n",
		"CR":   "Nom;Téléphone\rA;0612345678\nB;0612345679\r\"C\r\nD\";0612345680\r",
	} {
		for _, slow := range []bool{false, true} {
			var src io.Reader = strings.NewReader(file)
			if slow {
				src = oneByteAtATime{src}
			}
			r, err := leadfile.NewReader(src, leadfile.Options{Region: "FR"})
			if err != nil {
				t.Fatal(err)
			}
			rows := readAll(t, r)
			if len(rows) != 3 || !rows[0].OK() || !rows[1].OK() || !rows[2].OK() || rows[0].Line != 2 || rows[1].Line != 3 ||
				rows[2].Line != 4 || rows[0].Lead.LastName != "A" || rows[2].Lead.LastName != "C\nD" {
				t.Errorf("%s (slow %v): %+v", name, slow, rows)
			}
		}
	}
}

// TestUndefinedWindows1252Bytes: the five bytes Windows-1252 leaves
// undefined are read as U+FFFD, which shows, and the cell is named in a
// warning; the lead is kept.
func TestUndefinedWindows1252Bytes(t *testing.T) {
	const text = "Nom;Téléphone;Ville\r\nLef<81>vre;0612345678;Besançon\r\nA;0612345679;Orl<9d>ans\r\n"
	undefined := strings.NewReplacer("<81>", "\x81", "<9d>", "\x9d")
	for name, file := range map[string][]byte{
		"Windows-1252":          []byte(undefined.Replace(string(leadgen.CP1252(text)))),
		"UTF-8 with stray byte": []byte(undefined.Replace(text)),
	} {
		rows := readAll(t, open(t, file, leadfile.Options{}))
		if len(rows) != 2 || !rows[0].OK() || !rows[1].OK() || rows[0].Lead.LastName != "Lef\ufffdvre" || rows[1].Lead.City != "Orl\ufffdans" ||
			rows[0].Lead.City != "Besançon" {
			t.Fatalf("%s: %+v", name, rows)
		}
		for i, col := range []string{"Nom", "Ville"} {
			w := rows[i].Warnings
			if len(w) != 1 || w[0].Code != leadfile.WarningUndefinedByte || w[0].Column != col || !strings.Contains(w[0].Message, "0x") {
				t.Errorf("%s: line %d warnings %+v, want one naming %s", name, rows[i].Line, w, col)
			}
		}
	}
}

// TestControlCharacters: a value with a NUL or another control character
// (PostgreSQL refuses NUL in text) is refused on its row, naming the line
// and the column, wherever in the file it comes; a column not imported
// does not matter.
func TestControlCharacters(t *testing.T) {
	var b strings.Builder
	b.WriteString("Nom;Téléphone;Ville;Réf\r\n")
	n := 0
	for b.Len() < 5<<20 {
		fmt.Fprintf(&b, "Martin;06 %02d %02d %02d %02d;Lyon;\r\n", n/1000000%100, n/10000%100, n/100%100, n%100)
		n++
	}
	b.WriteString("Lef\x00vre;06 98 76 54 30;Paris;\r\n")    // n+2
	b.WriteString("Dupré;06 98 76 54 31;Ni\x01ce;\r\n")      // n+3
	b.WriteString("Côté;06 98 76 54 32;Metz\tNord;\r\n")     // n+4: a tab is text
	b.WriteString("Zoé;06 98 76 54 33;Nancy;x\x00y\x7f\r\n") // n+5: Réf is not imported
	mapping := leadfile.DetectMapping([]string{"Nom", "Téléphone", "Ville", "Réf"})
	mapping.Columns[3].Field = leadfile.FieldIgnore
	r := open(t, []byte(b.String()), leadfile.Options{Mapping: mapping})
	rows := readAll(t, r)
	if len(rows) != n+4 {
		t.Fatalf("%d rows, want %d", len(rows), n+4)
	}
	tail := rows[n:]
	for i, want := range []struct{ col, says string }{{"Nom", "U+0000"}, {"Ville", "U+0001"}} {
		p := tail[i].Problems
		if len(p) != 1 || p[0].Code != leadfile.ProblemControlCharacter || p[0].Line != n+2+i || p[0].Column != want.col ||
			!strings.Contains(p[0].Message, want.says) || strings.ContainsAny(p[0].Value, "\x00\x01") {
			t.Errorf("line %d: %+v, want a control_character problem in %s", n+2+i, p, want.col)
		}
	}
	if !tail[2].OK() || tail[2].Lead.City != "Metz\tNord" || !tail[3].OK() {
		t.Errorf("lines %d and %d: %+v %+v", n+4, n+5, tail[2], tail[3])
	}

	// Near the head of the file too: a NUL in a row is the row's problem,
	// not a binary file.
	rows = readAll(t, open(t, []byte("Nom;Téléphone\nA\x00;0612345678\nB;0612345679\n"), leadfile.Options{}))
	if len(rows) != 2 || len(rows[0].Problems) != 1 || rows[0].Problems[0].Code != leadfile.ProblemControlCharacter || !rows[1].OK() {
		t.Errorf("a NUL on line 2: %+v", rows)
	}
}

// TestRecordReader: the records of any uploaded CSV file, without a
// header or a mapping: byte-order mark, separator, quoted line breaks,
// line ends and encoding as a lead file's, blank records skipped after the
// first, broken ones reported on their line.
func TestRecordReader(t *testing.T) {
	file := append([]byte("\xef\xbb\xbfphone,reason\r\n"+
		"06 11 22 33 44,\"stop,\r\nvraiment\"\r\n"+
		",,\r\n"+
		"0612\"3,x\r"+
		"+33 6 98 76 54 32,"), []byte("appel reçu\n")...)
	r, err := leadfile.NewRecordReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%q:%v", rec.Line, rec.Values, rec.Problem != nil))
	}
	want := []string{`1:["phone" "reason"]:false`, `2:["06 11 22 33 44" "stop,\nvraiment"]:false`, `5:[]:true`,
		`6:["+33 6 98 76 54 32" "appel reçu"]:false`}
	if strings.Join(got, " ") != strings.Join(want, " ") || r.Delimiter() != ',' || r.Encoding() != leadfile.UTF8 {
		t.Errorf("records %v, %q %s; want %v", got, r.Delimiter(), r.Encoding(), want)
	}
	// One column, in Windows-1252.
	r, err = leadfile.NewRecordReader(bytes.NewReader(leadgen.CP1252("Téléphone\n0611223344\n")))
	if err != nil {
		t.Fatal(err)
	}
	if rec, _ := r.Next(); len(rec.Values) != 1 || rec.Values[0] != "Téléphone" || r.Encoding() != leadfile.Windows1252 {
		t.Errorf("one column: %+v %s", rec, r.Encoding())
	}
	for _, bad := range [][]byte{nil, []byte("%PDF-1.7\n")} {
		if _, err := leadfile.NewRecordReader(bytes.NewReader(bad)); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
