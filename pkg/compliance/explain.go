package compliance

import (
	"fmt"
	"time"
)

// The explanations a client, a supervisor or support staff reads: what
// rule, and when the call can be made. Times are the callee's local time.

var frenchDays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
var frenchMonths = [...]string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

func whenFR(t time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err == nil {
		t = t.In(loc)
	}
	return fmt.Sprintf("%s %d %s %d à %s (%s)", frenchDays[t.Weekday()], t.Day(), frenchMonths[t.Month()], t.Year(), t.Format("15:04"), zone)
}

func whenEN(t time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err == nil {
		t = t.In(loc)
	}
	return fmt.Sprintf("%s at %s (%s)", t.Format("Monday 2 January 2006"), t.Format("15:04"), zone)
}

func withNext(fr, en string, next time.Time, zone string) Text {
	return Text{
		FR: fr + " Prochain appel possible : " + whenFR(next, zone) + ".",
		EN: en + " Next possible call: " + whenEN(next, zone) + ".",
	}
}

func explainAllowed(rs *RuleSet) Text {
	return Text{FR: "Appel autorisé maintenant (règles " + rs.Name() + ").", EN: "The call is allowed now (rules " + rs.Name() + ")."}
}

func explainAllowedOutOfHours(rs *RuleSet) Text {
	return Text{
		FR: "Appel autorisé hors des jours et horaires du décret : le contact y a donné son consentement exprès et préalable (règles " + rs.Name() + ").",
		EN: "The call is allowed outside the decree's days and hours: the callee gave their express prior consent to it (rules " + rs.Name() + ").",
	}
}

func explainNotCovered(first time.Time) Text {
	if first.IsZero() {
		return Text{FR: "Aucune règle d'appel ne couvre ce contact.", EN: "No calling rules cover this callee."}
	}
	return Text{
		FR: "Aucune règle d'appel n'est en vigueur pour ce contact avant le " + first.Format("02/01/2006") +
			" : Plateau ne décide pas d'un appel antérieur.",
		EN: "No calling rules are in force for this callee before " + first.Format("2006-01-02") +
			": Plateau does not decide a call before then.",
	}
}

func explainNoZone(e164 string) Text {
	return Text{
		FR: "Le fuseau horaire de " + e164 + " est inconnu : indiquez celui du contact.",
		EN: "The time zone of " + e164 + " is unknown: give the lead's time zone.",
	}
}

func explainNoWindow(rs *RuleSet, f *failure) Text {
	return Text{
		FR: "Aucun créneau autorisé dans les 400 prochains jours (" + RuleText(f.rule.Name).FR + ", règles " + rs.Name() + ").",
		EN: "No allowed time in the next 400 days (" + f.rule.Name + ", rules " + rs.Name() + ").",
	}
}

func explainSuppressed(list ListKind) Text {
	if list == ClientList {
		return Text{
			FR: "Le contact a demandé à ne plus être appelé par ce client (liste d'opposition du client).",
			EN: "The callee asked this client not to call again (the client's opt-out list).",
		}
	}
	return Text{
		FR: "Le numéro figure sur la liste d'opposition de la plateforme.",
		EN: "The number is on the platform's do-not-call list.",
	}
}

func explainBanned(sector string) Text {
	return Text{
		FR: "Le démarchage téléphonique des particuliers est interdit dans ce secteur (" + sectorInFrench(sector) + ").",
		EN: "Telephone prospecting of consumers is banned in this sector (" + sector + ").",
	}
}

func explainListMissing(l ListRule) Text {
	return Text{
		FR: "La liste nationale " + l.Code + " n'est pas chargée : aucun appel qu'elle régit n'est possible.",
		EN: "The national list " + l.Code + " is not loaded: no call it governs can be made.",
	}
}

func explainListStale(l ListRule, fresh time.Time) Text {
	days := int(l.MaxAge / day)
	return Text{
		FR: fmt.Sprintf("La copie de la liste %s date du %s, plus de %d jours : chargez une copie récente.", l.Code, fresh.Format("02/01/2006"), days),
		EN: fmt.Sprintf("The copy of the %s list dates from %s, more than %d days ago: upload a recent copy.", l.Code, fresh.Format("2006-01-02"), days),
	}
}

func explainListed(l ListRule) Text {
	return Text{
		FR: "Le numéro est inscrit sur la liste d'opposition nationale " + l.Code + ".",
		EN: "The number is on the national do-not-call list " + l.Code + ".",
	}
}

func explainNoConsent() Text {
	return Text{
		FR: "Aucun consentement préalable enregistré de ce contact pour ce client et ce type d'appel.",
		EN: "No prior consent of this callee is recorded for this client and this kind of call.",
	}
}

func explainWithdrawn(at time.Time) Text {
	return Text{
		FR: "Le contact a retiré son consentement le " + at.UTC().Format("02/01/2006") +
			" : ce retrait vaut opposition, plus aucun appel de ce client, quel qu'en soit le motif, sauf nouveau consentement.",
		EN: "The callee withdrew their consent on " + at.UTC().Format("2006-01-02") +
			": a withdrawal is also an objection, so this client may not call them for any purpose unless they consent again.",
	}
}

func explainCallerIDMissing() Text {
	return Text{
		FR: "Aucun numéro présenté : un appel de démarchage doit présenter un numéro identifiable.",
		EN: "No caller ID: a prospecting call must present an identifiable number.",
	}
}

func explainCallerID(id string) Text {
	return Text{
		FR: "Le numéro présenté " + id + " n'est pas dans les tranches dédiées au démarchage (NPV).",
		EN: "The caller ID " + id + " is not in the number ranges reserved for prospecting (NPV).",
	}
}

// explainHoliday says which holiday blocks the call and, for a French
// callee, under which law: one of the decree's 11, or Plateau's stricter
// extension (ext), named as such.
func explainHoliday(name string, french bool, ext *extensionDay, next time.Time, zone string) Text {
	switch {
	case ext != nil:
		return withNext(name+" : jour férié local ("+ext.law+") que Plateau applique en plus des 11 jours fériés du décret (Code du travail L3133-1), "+
			ext.whyFR+" — une extension plus stricte que le décret.",
			name+": a local public holiday ("+ext.law+") that Plateau keeps on top of the decree's 11 (Code du travail L3133-1), as "+
				ext.whyEN+" — a stricter extension than the decree.", next, zone)
	case french:
		return withNext("Jour férié légal chez le contact ("+name+", Code du travail L3133-1).",
			"Public holiday where the callee is ("+name+", Code du travail L3133-1).", next, zone)
	}
	return withNext("Jour férié chez le contact ("+name+").", "Public holiday where the callee is ("+name+").", next, zone)
}

func explainDay(wd time.Weekday, next time.Time, zone string) Text {
	return withNext("Pas d'appel le "+frenchDays[wd]+".", "No calls on "+wd.String()+".", next, zone)
}

func explainHours(h Hours, next time.Time, zone string) Text {
	return withNext("Hors des horaires autorisés ("+RuleText(h.Name).FR+").", "Outside the allowed hours ("+h.Name+").", next, zone)
}

func explainCap(cp Cap, n int, next time.Time, zone string) Text {
	return withNext(fmt.Sprintf("Plafond de tentatives atteint (%d, %s).", n, RuleText(cp.Name).FR),
		fmt.Sprintf("Attempt cap reached (%d, %s).", n, cp.Name), next, zone)
}

func explainCooldown(r Reason, cd Cooldown, since, next time.Time, zone string) Text {
	if loc, err := time.LoadLocation(zone); err == nil {
		since = since.In(loc)
	}
	if r == RefusalCooldown {
		return withNext(fmt.Sprintf("Le contact a refusé le %s : pas de nouvel appel pendant %d jours calendaires révolus à compter du lendemain.",
			since.Format("02/01/2006"), cd.Days),
			fmt.Sprintf("The callee refused on %s: no new call for %d whole calendar days from the next day.",
				since.Format("2006-01-02"), cd.Days), next, zone)
	}
	return withNext("Appel abandonné le "+since.Format("02/01/2006 à 15:04")+" : pas de rappel pendant 72 heures.",
		"Abandoned call on "+since.Format("2006-01-02 at 15:04")+": no redial for 72 hours.", next, zone)
}
