// Package leadgen writes realistic lead files — French Excel exports, in
// Windows-1252 with ';' — for tests, benchmarks (`plateau bench import`)
// and the sample file `plateau dev` leaves for newcomers. Its numbers are
// random and fictitious.
package leadgen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// CP1252 encodes s in Windows-1252, as French Excel saves a CSV file. It
// panics on a character this table lacks: it is for generated text.
func CP1252(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80 || r >= 0xa0 && r < 0x100:
			b = append(b, byte(r))
		case r == '€':
			b = append(b, 0x80)
		case r == '…':
			b = append(b, 0x85)
		case r == 'Œ':
			b = append(b, 0x8c)
		case r == '’':
			b = append(b, 0x92)
		case r == '–':
			b = append(b, 0x96)
		case r == 'œ':
			b = append(b, 0x9c)
		default:
			panic(fmt.Sprintf("%q: not in this test's Windows-1252 table", r))
		}
	}
	return b
}

// Generator writes the rows of a lead file the way a French client's Excel
// exports it: a header with accents, addresses with ';' and line breaks in
// quotes, numbers written every which way, mostly valid metropolitan
// mobiles and landlines, 2% overseas, 2% invalid, 4% duplicates, and —
// when Suppressed is set — SuppressedPercent% of its numbers, which a
// caller has put on an opt-out list.
type Generator struct {
	Suppressed        []string
	SuppressedPercent int
	// Consent adds the two columns a CRM exports when it records opt-ins
	// (ConsentHeader): when and where each callee consented, every row
	// before 2026, so that a B2C prospecting campaign in France may call.
	Consent bool

	r      *rand.Rand
	recent []string // numbers to duplicate
	n      int
}

// New makes a generator; the same seed writes the same rows.
func New(seed uint64) *Generator { return &Generator{r: rand.New(rand.NewPCG(seed, 1))} }

// Header is the header line the rows go under.
const Header = "Civilité;Nom;Prénom;Société;Adresse;Code postal;Ville;Téléphone;E-mail;Date de naissance;Commentaire\r\n"

// ConsentHeader is Header with the consent columns of Generator.Consent,
// named as pkg/leadfile's mapping detects them.
const ConsentHeader = "Civilité;Nom;Prénom;Société;Adresse;Code postal;Ville;Téléphone;E-mail;Date de naissance;Commentaire;" +
	"Date du consentement;Source du consentement\r\n"

// Header is the header line g's rows go under.
func (g *Generator) Header() string {
	if g.Consent {
		return ConsentHeader
	}
	return Header
}

// consentSources are where the callees of a generated file consented.
var consentSources = []string{"formulaire du site", "commande en ligne", "jeu-concours", "salon Maison & Objet", "lettre d’information"}

var (
	genFirsts    = []string{"Jérôme", "Hélène", "François", "Gaëlle", "Loïc", "Émilie", "Cédric", "Bérénice", "Noël", "Chloé", "Zoé", "Anaïs"}
	genLasts     = []string{"Lefèvre", "Müller", "Garçon", "D'Aubigné", "Bréchet", "Pérez", "Côté", "Ménard", "Lemaître", "Dupré", "Œuvrard"}
	genCompanies = []string{"", "", "Boulangerie Pâtissière", "Société Générale d’Équipement", "Crème & Cie", "Mécanique Gérard"}
	genCities    = []string{"Besançon", "Orléans", "Saint-Étienne", "Nîmes", "Évry-Courcouronnes", "Angoulême", "Fort-de-France"}
	// metropolitan ranges; the overseas and unassigned ones (0262, 040,
	// 0590, 0594, 0596, 0639, 069, 070–072) are made apart
	genRanges = []string{"60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78",
		"1", "20", "21", "22", "23", "24", "25", "3", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55"}
)

func (g *Generator) phone() string {
	r := g.r
	if len(g.Suppressed) > 0 && r.IntN(100) < g.SuppressedPercent {
		return g.Suppressed[r.IntN(len(g.Suppressed))]
	}
	switch k := r.IntN(100); {
	case k < 4 && len(g.recent) > 0: // a duplicate, maybe written differently
		tel := g.recent[r.IntN(len(g.recent))]
		if r.IntN(2) == 0 {
			tel = strings.ReplaceAll(tel, " ", "")
		}
		return tel
	case k < 6: // wrong length, text, empty, Excel's scientific notation
		return []string{"06 12 34 56 7", "01 23 45 67 89 0", "inconnu", "", "6,12346E+08", "NC"}[r.IntN(6)]
	}
	var tel string
	if r.IntN(100) < 2 { // overseas departments
		nsn := fmt.Sprintf("%s%06d", []string{"690", "696", "694", "692", "262", "596", "590"}[r.IntN(7)], r.IntN(1_000_000))
		if r.IntN(4) == 0 {
			tel = nsn // Excel took it for a number
		} else {
			tel = "0" + nsn[:3] + " " + nsn[3:5] + " " + nsn[5:7] + " " + nsn[7:]
		}
	} else {
		nsn := genRanges[r.IntN(len(genRanges))]
		nsn += fmt.Sprintf("%08d", r.IntN(100_000_000))[:9-len(nsn)]
		switch r.IntN(6) {
		case 0:
			tel = "0" + nsn
		case 1:
			tel = "+33 " + nsn[:1] + " " + nsn[1:3] + " " + nsn[3:5] + " " + nsn[5:7] + " " + nsn[7:]
		case 2:
			tel = nsn // Excel took it for a number
		default:
			tel = "0" + nsn[:1] + " " + nsn[1:3] + " " + nsn[3:5] + " " + nsn[5:7] + " " + nsn[7:]
		}
	}
	if len(g.recent) < 10_000 {
		g.recent = append(g.recent, tel)
	} else {
		g.recent[r.IntN(len(g.recent))] = tel
	}
	return tel
}

// Row appends the next row to b.
func (g *Generator) Row(b *strings.Builder) {
	r := g.r
	g.n++
	address := fmt.Sprintf("%d rue de l’Église", 1+r.IntN(200))
	switch r.IntN(20) {
	case 0:
		address = fmt.Sprintf("\"%d, chemin des Prés; bâtiment B\"", 1+r.IntN(99))
	case 1:
		address = fmt.Sprintf("\"Résidence « Les Pins »\r\n%d allée des Hêtres\"", 1+r.IntN(99))
	case 2:
		address = `"Lieu-dit ""La Ferme"""`
	}
	comment := ""
	if r.IntN(10) == 0 {
		comment = "Rappeler après 18h – intéressé"
	}
	fmt.Fprintf(b, "%s;%s;%s;%s;%s;%05d;%s;%s;contact%d@exemple.fr;%02d/%02d/%d;%s",
		[]string{"M.", "Mme", "Mlle"}[r.IntN(3)], genLasts[r.IntN(len(genLasts))], genFirsts[r.IntN(len(genFirsts))],
		genCompanies[r.IntN(len(genCompanies))], address, 1000+r.IntN(95000), genCities[r.IntN(len(genCities))], g.phone(),
		g.n, 1+r.IntN(28), 1+r.IntN(12), 1940+r.IntN(60), comment)
	if g.Consent {
		fmt.Fprintf(b, ";%02d/%02d/%d;%s", 1+r.IntN(28), 1+r.IntN(12), 2024+r.IntN(2), consentSources[r.IntN(len(consentSources))])
	}
	b.WriteString("\r\n")
}

// File returns a whole file of rows rows, in Windows-1252.
func File(rows int, seed uint64) []byte { return New(seed).File(rows) }

// File returns a whole file of g's next rows rows, in Windows-1252.
func (g *Generator) File(rows int) []byte {
	var b strings.Builder
	b.WriteString(g.Header())
	for range rows {
		g.Row(&b)
	}
	return CP1252(b.String())
}

// Stream is a file of rows rows from g, in Windows-1252, written as it is
// read: never whole in memory.
func (g *Generator) Stream(rows int) io.Reader {
	return &stream{g: g, left: rows, buf: CP1252(g.Header())}
}

type stream struct {
	g    *Generator
	left int
	buf  []byte
}

func (s *stream) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.left == 0 {
			return 0, io.EOF
		}
		var b strings.Builder
		for ; s.left > 0 && b.Len() < 64<<10; s.left-- {
			s.g.Row(&b)
		}
		s.buf = CP1252(b.String())
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}
