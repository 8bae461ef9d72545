package script

import (
	"slices"
	"strings"
)

// StandardVariables are the variables every script may use, beside
// lead.custom.<field> for the campaign's custom fields.
var StandardVariables = []string{
	"lead.first_name", "lead.last_name", "lead.company", "lead.city",
	"agent.first_name", "client.name",
}

// CustomPrefix starts the variable of a lead's custom field:
// lead.custom.<field>.
const CustomPrefix = "lead.custom."

// Values are what variables stand for, keyed by variable name without the
// braces ("lead.first_name", "lead.custom.cart_amount"). Values are plain
// text.
type Values map[string]string

// SampleValues are the made-up lead and agent the preview uses. The client's
// name and custom fields are not in it: the preview knows the real client,
// and a custom field without a sample shows as its placeholder.
func SampleValues() Values {
	return Values{
		"lead.first_name":  "Camille",
		"lead.last_name":   "Martin",
		"lead.company":     "Boulangerie Martin",
		"lead.city":        "Lyon",
		"agent.first_name": "Yasmine",
	}
}

// Placeholder is what Render writes for a variable without a value:
// "[lead.first_name]". It is visible on purpose: an agent who sees it knows
// the data is missing and can adapt, where an empty string would make a
// sentence ("Bonjour , …") that reads as a mistake.
func Placeholder(name string) string { return "[" + name + "]" }

// Render substitutes the variables of text with values. It makes one pass:
// a value is inserted as plain text and never read as a variable or markup
// itself (escaping for HTML is the template's job, as for any text). A
// variable without a value, or with only spaces, becomes its Placeholder; an
// unknown variable too. A "{{" without a closing "}}" is left as it is.
func Render(text string, values Values) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for {
		open := strings.Index(text, "{{")
		if open < 0 {
			break
		}
		end := strings.Index(text[open+2:], "}}")
		if end < 0 {
			break
		}
		name := strings.TrimSpace(text[open+2 : open+2+end])
		b.WriteString(text[:open])
		if v := strings.TrimSpace(values[name]); v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(Placeholder(name))
		}
		text = text[open+2+end+2:]
	}
	b.WriteString(text)
	return b.String()
}

// reference is one "{{…}}" of a text.
type reference struct {
	name     string // trimmed
	unclosed bool   // a "{{" with no "}}" after it
}

// references lists the variables of text, as Render reads them.
func references(text string) []reference {
	var out []reference
	for {
		open := strings.Index(text, "{{")
		if open < 0 {
			return out
		}
		end := strings.Index(text[open+2:], "}}")
		if end < 0 {
			return append(out, reference{unclosed: true})
		}
		out = append(out, reference{name: strings.TrimSpace(text[open+2 : open+2+end])})
		text = text[open+2+end+2:]
	}
}

// knownVariable reports whether name is a standard variable or the variable
// of one of customFields.
func knownVariable(name string, customFields []string) bool {
	if slices.Contains(StandardVariables, name) {
		return true
	}
	field, ok := strings.CutPrefix(name, CustomPrefix)
	return ok && field != "" && slices.Contains(customFields, field)
}
