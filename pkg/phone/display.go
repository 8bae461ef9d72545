package phone

import "github.com/nyaruka/phonenumbers"

// Display writes a number as a reader in region writes it: the national
// way when the number is of the reader's country ("06 12 34 56 78" for a
// French reader), the international way otherwise ("+33 6 12 34 56 78").
// What is not a number (already masked, say) comes back as it is.
func Display(e164, region string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil || e164 == "" || e164[0] != '+' {
		return e164
	}
	if region != "" && n.GetCountryCode() == int32(phonenumbers.GetCountryCodeForRegion(region)) {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
