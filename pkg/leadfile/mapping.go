package leadfile

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/plateau-bpo/plateau/pkg/apperr"
)

// Field is what a column of a lead file holds.
type Field string

const (
	FieldPhone             Field = "phone"
	FieldFirstName         Field = "first_name"
	FieldLastName          Field = "last_name"
	FieldCompany           Field = "company"
	FieldEmail             Field = "email"
	FieldPostalCode        Field = "postal_code"
	FieldCity              Field = "city"
	FieldCountry           Field = "country"
	FieldTimezone          Field = "timezone"
	FieldConsentSource     Field = "consent_source"      // where the callee consented (web form, contract…)
	FieldConsentCapturedAt Field = "consent_captured_at" // when, as written in the file
	FieldConsentProof      Field = "consent_proof"       // a reference to the proof (URL, form id…)
	FieldCustom            Field = "custom"              // kept under Column.Name, usable in scripts
	FieldIgnore            Field = "ignore"              // not imported
)

// Fields lists the fields a column can be mapped to, standard ones first,
// in the order a mapping form shows them.
func Fields() []Field {
	return []Field{FieldPhone, FieldFirstName, FieldLastName, FieldCompany, FieldEmail,
		FieldPostalCode, FieldCity, FieldCountry, FieldTimezone,
		FieldConsentSource, FieldConsentCapturedAt, FieldConsentProof, FieldCustom, FieldIgnore}
}

// TermKey names the field in the catalogs, as the mapping form shows it.
func (f Field) TermKey() string { return "leads.field." + string(f) }

// Valid reports whether f is one of Fields.
func (f Field) Valid() bool {
	for _, g := range Fields() {
		if f == g {
			return true
		}
	}
	return false
}

// fieldList names the fields, as an API client writes them.
func fieldList() string {
	names := make([]string, 0, 16)
	for _, f := range Fields() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// standard reports whether at most one column may hold f.
func (f Field) standard() bool { return f != FieldCustom && f != FieldIgnore && f.Valid() }

// Column maps one column of a file to a field.
type Column struct {
	Index  int    `json:"index"`          // 0-based position in the header
	Header string `json:"header"`         // the header as written in the file
	Field  Field  `json:"field"`          //
	Name   string `json:"name,omitempty"` // for FieldCustom: the name scripts use, the header by default
}

// Mapping says what each column of a file holds. DetectMapping proposes
// one from the headers; a client corrects it and it is saved (as JSON) to
// be applied to the client's next files through Options.Mapping.
type Mapping struct {
	Columns []Column `json:"columns"`
}

// Column returns the column mapped to a standard field, if any.
func (m Mapping) Column(f Field) (Column, bool) {
	for _, c := range m.Columns {
		if c.Field == f {
			return c, true
		}
	}
	return Column{}, false
}

// headerKey folds a header for matching: lower case, no accents, letters
// and digits only ("N° de Téléphone" → "ndetelephone").
func headerKey(h string) string {
	var b strings.Builder
	b.Grow(len(h))
	for _, r := range h {
		r = unicode.ToLower(r)
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r < 0x80:
		default:
			if f, ok := foldAccent(r); ok {
				b.WriteString(f)
			}
		}
	}
	return b.String()
}

func foldAccent(r rune) (string, bool) {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		return "a", true
	case 'ç':
		return "c", true
	case 'è', 'é', 'ê', 'ë':
		return "e", true
	case 'ì', 'í', 'î', 'ï':
		return "i", true
	case 'ñ':
		return "n", true
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø':
		return "o", true
	case 'ù', 'ú', 'û', 'ü':
		return "u", true
	case 'ý', 'ÿ':
		return "y", true
	case 'œ':
		return "oe", true
	case 'æ':
		return "ae", true
	case 'ß':
		return "ss", true
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return string(r), true
	}
	return "", false
}

// headerFields holds the usual headers of French and English exports
// (CRMs, Excel sheets, lead vendors), folded by headerKey.
func headerFields() map[string]Field {
	m := map[string]Field{}
	add := func(f Field, keys ...string) {
		for _, k := range keys {
			m[k] = f
		}
	}
	add(FieldPhone,
		"telephone", "tel", "phone", "phonenumber", "telephonenumber", "phoneno", "telno",
		"numero", "numerodetelephone", "numerotelephone", "numerodetel", "numtel", "numtelephone",
		"ntel", "notel", "ntelephone", "ndetelephone", "nodetelephone", "ndetel",
		"telephone1", "tel1", "phone1", "portable", "telportable", "telephoneportable",
		"numeroportable", "numerodeportable", "mobile", "telmobile", "telephonemobile",
		"numeromobile", "numerodemobile", "mobilephone", "mobilenumber", "cellphone", "cell",
		"gsm", "telgsm", "fixe", "telfixe", "telephonefixe", "landline", "msisdn", "contactnumber", "number", "e164")
	add(FieldFirstName, "prenom", "prenoms", "firstname", "first", "givenname", "forename", "prenomcontact", "contactfirstname")
	add(FieldLastName, "nom", "lastname", "last", "nomdefamille", "surname", "familyname", "name", "nomcontact", "contactlastname")
	add(FieldCompany, "societe", "raisonsociale", "entreprise", "company", "companyname",
		"nomdelentreprise", "nomentreprise", "nomsociete", "nomdelasociete", "organisation",
		"organization", "organisme", "etablissement", "enseigne", "account", "accountname", "employeur", "employer")
	add(FieldEmail, "email", "mail", "courriel", "emailaddress", "adresseemail", "adressemail",
		"adresseelectronique", "adressecourriel", "mel", "emailcontact")
	add(FieldPostalCode, "codepostal", "cp", "zip", "zipcode", "postcode", "postalcode", "cpostal")
	add(FieldCity, "ville", "city", "commune", "localite", "town")
	add(FieldCountry, "pays", "country", "countrycode", "codepays")
	add(FieldTimezone, "fuseau", "fuseauhoraire", "timezone", "tz", "zonehoraire")
	add(FieldConsentSource, "consentsource", "sourceduconsentement", "sourceconsentement",
		"consentementsource", "origineduconsentement", "origineconsentement", "optinsource", "sourceoptin")
	add(FieldConsentCapturedAt, "consentcapturedat", "consentdate", "consentedat", "consentcaptured",
		"dateduconsentement", "dateconsentement", "consentementdate", "dateoptin", "optindate", "optinat")
	add(FieldConsentProof, "consentproof", "preuveduconsentement", "preuveconsentement",
		"consentementpreuve", "optinproof", "preuveoptin", "proofofconsent")
	return m
}

// isPhoneHeader reports whether h is one of the usual headers of a phone
// column.
func isPhoneHeader(h string) bool { return headerFields()[headerKey(h)] == FieldPhone }

// DetectMapping maps the usual headers, in French or English, whatever
// their case, accents, spaces and punctuation: "Téléphone", "Tél.",
// "Portable", "N° de mobile", "Prénom", "Nom", "Raison sociale", "E-mail",
// "Code postal"… When two columns look like the same field, the first one
// gets it and the other is kept as a custom field. Columns without a header
// are ignored; every other column becomes a custom field named after its
// header.
func DetectMapping(header []string) Mapping {
	known := headerFields()
	m := Mapping{Columns: make([]Column, len(header))}
	taken := map[Field]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		c := Column{Index: i, Header: h, Field: FieldCustom}
		if f, ok := known[headerKey(h)]; ok && !taken[f] {
			c.Field = f
			taken[f] = true
		}
		m.Columns[i] = c
	}
	m.nameCustoms()
	return m
}

// nameCustoms names custom columns after their headers, making names unique
// ("Adresse", "Adresse (2)"), and ignores custom columns without a header.
func (m *Mapping) nameCustoms() {
	used := map[string]bool{}
	for _, c := range m.Columns {
		if c.Field == FieldCustom && c.Name != "" {
			used[c.Name] = true
		}
	}
	for i := range m.Columns {
		c := &m.Columns[i]
		if c.Field != FieldCustom || c.Name != "" {
			continue
		}
		if c.Header == "" {
			c.Field = FieldIgnore
			continue
		}
		name := c.Header
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s (%d)", c.Header, n)
		}
		used[name] = true
		c.Name = name
	}
}

// apply lays a saved or edited mapping over the detected one. A column of
// the override is found in this file by its header (case, accents and
// spaces aside) when it has one, else by its index; columns the file does
// not have are skipped, since a client's next file may lack some. A
// standard field the override gives to a column is taken from whichever
// detected column had it.
func (m Mapping) apply(override Mapping) (Mapping, error) {
	var bad apperr.Fields
	out := Mapping{Columns: append([]Column(nil), m.Columns...)}
	set := make([]bool, len(out.Columns))
	claimed := map[Field]int{}
	names := map[string]bool{}
	for k, o := range override.Columns {
		path := fmt.Sprintf("mapping.columns[%d]", k)
		if !o.Field.Valid() {
			bad.Add(path+".field", "leadfile.mapping.unknown_field", "unknown field %q: use one of %s", string(o.Field), fieldList())
			continue
		}
		i := -1
		if key := headerKey(o.Header); key != "" {
			for j, c := range out.Columns {
				if !set[j] && headerKey(c.Header) == key && (i < 0 || j == o.Index) {
					i = j
				}
			}
		} else if o.Index >= 0 && o.Index < len(out.Columns) && !set[o.Index] {
			i = o.Index
		}
		if i < 0 {
			continue
		}
		if o.Field.standard() {
			if j, dup := claimed[o.Field]; dup {
				bad.Add(path+".field", "leadfile.mapping.field_taken", "%s is already the field of column %q", o.Field, out.Columns[j].Header)
				continue
			}
			claimed[o.Field] = i
		}
		set[i] = true
		out.Columns[i].Field, out.Columns[i].Name = o.Field, ""
		if o.Field == FieldCustom {
			name := strings.TrimSpace(o.Name)
			if name != "" && names[name] {
				bad.Add(path+".name", "leadfile.mapping.name_taken", "%q is already the name of another column", name)
			}
			names[name] = true
			out.Columns[i].Name = name
		}
	}
	if err := bad.Err("leadfile.mapping.invalid", "the column mapping is not valid"); err != nil {
		return Mapping{}, err
	}
	for i := range out.Columns {
		c := &out.Columns[i]
		if set[i] {
			continue
		}
		if _, taken := claimed[c.Field]; taken {
			c.Field = FieldCustom
		}
		if c.Field == FieldCustom {
			c.Name = "" // named again below, around the override's names
		}
	}
	out.nameCustoms()
	return out, nil
}
