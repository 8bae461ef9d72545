package compliance

import (
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/us"
)

// abolition is the day each French overseas department commemorates the
// abolition of slavery, a public holiday there (loi n° 83-550, Code du
// travail L3422-2).
var abolition = map[string]*cal.Holiday{
	"MQ": fixed("Abolition de l'esclavage (Martinique)", time.May, 22),
	"GP": fixed("Abolition de l'esclavage (Guadeloupe)", time.May, 27),
	"MF": fixed("Abolition de l'esclavage (Saint-Martin)", time.May, 28),
	"GF": fixed("Abolition de l'esclavage (Guyane)", time.June, 10),
	"RE": fixed("Abolition de l'esclavage (La Réunion)", time.December, 20),
	"YT": fixed("Abolition de l'esclavage (Mayotte)", time.April, 27),
}

// Alsace-Moselle's two holidays of its own (Code du travail L3134-13).
var (
	alsaceGoodFriday = aa.GoodFriday.Clone(&cal.Holiday{Name: "Vendredi saint (Alsace-Moselle)", Type: cal.ObservancePublic})
	alsaceStStephen  = aa.ChristmasDay2.Clone(&cal.Holiday{Name: "Saint-Étienne (Alsace-Moselle)", Type: cal.ObservancePublic})
)

// extensionDay is a holiday Plateau keeps for French callees beyond the
// decree's, which are the 11 of Code du travail L3133-1 (rickar/cal's fr
// list): the law that makes it a holiday where it is one, and why Plateau
// keeps it — a stricter extension, named as such in explanations.
type extensionDay struct {
	law          string
	whyFR, whyEN string
}

var (
	alsaceExtension = &extensionDay{law: "Code du travail L3134-13",
		whyFR: "le numéro ne dit pas si le contact vit en Alsace-Moselle",
		whyEN: "the number does not say whether the callee lives in Alsace-Moselle"}
	abolitionExtension = &extensionDay{law: "loi n° 83-550, Code du travail L3422-2",
		whyFR: "un jour férié du territoire du contact",
		whyEN: "a public holiday of the callee's territory"}
)

// extensions are the holidays of the French lists that are not the decree's.
var extensions = func() map[*cal.Holiday]*extensionDay {
	m := map[*cal.Holiday]*extensionDay{alsaceGoodFriday: alsaceExtension, alsaceStStephen: alsaceExtension}
	for _, h := range abolition {
		m[h] = abolitionExtension
	}
	return m
}()

func fixed(name string, m time.Month, d int) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: m, Day: d, Func: cal.CalcDayOfMonth}
}

// holidaysOf lists the public holidays of a callee region. France adds
// Alsace-Moselle's Good Friday and St Stephen's Day for every French callee:
// a mobile number does not say where its owner lives, so the stricter side.
func holidaysOf(region string) []*cal.Holiday {
	switch region {
	case "FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF":
		list := append([]*cal.Holiday{}, fr.Holidays...)
		list = append(list, alsaceGoodFriday, alsaceStStephen)
		if h, ok := abolition[region]; ok {
			list = append(list, h)
		}
		return list
	case "GB":
		return gb.Holidays
	case "US":
		return us.Holidays
	case "BE":
		return be.Holidays
	case "CA":
		return ca.Holidays
	case "CH":
		return ch.Holidays
	case "DE":
		return de.Holidays
	case "ES":
		return es.Holidays
	case "IE":
		return ie.Holidays
	case "IT":
		return it.Holidays
	case "NL":
		return nl.Holidays
	}
	return nil
}

var (
	calendarsMu sync.Mutex
	calendars   = map[string]*cal.Calendar{}
)

// IsHoliday reports whether the local date of t is a public holiday of the
// callee's region, and its name.
func IsHoliday(region string, local time.Time) (bool, string) {
	h := holidayOn(region, local)
	if h == nil {
		return false, ""
	}
	return true, h.Name
}

// holidayOn is the public holiday of the callee's region on the local date
// of t, or nil.
func holidayOn(region string, local time.Time) *cal.Holiday {
	calendarsMu.Lock()
	defer calendarsMu.Unlock()
	c, ok := calendars[region]
	if !ok {
		c = &cal.Calendar{}
		c.AddHoliday(holidaysOf(region)...)
		calendars[region] = c
	}
	actual, observed, h := c.IsHoliday(local)
	if !(actual || observed) {
		return nil
	}
	return h
}
