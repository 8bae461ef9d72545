package compliance

import "strings"

// The names of the rules and their legal sources, as decisions carry them
// (Decision.Rule and .Source, kept in English with the evidence), and in
// French: a decision page shows the rule and its source in its reader's
// language (RuleText, SourceText).

// rulesInFrench says each rule's name and source in French, by its
// English.
var rulesInFrench = map[string]string{
	"Décret n° 2022-1313 (Code de la consommation art. D223-9), since 1 March 2023":                       "Décret n° 2022-1313 (Code de la consommation, art. D223-9), depuis le 1er mars 2023",
	"Loi n° 2025-594 du 30 juin 2025, in force 11 August 2026":                                            "Loi n° 2025-594 du 30 juin 2025, en vigueur le 11 août 2026",
	"Code de la consommation art. L223-1 (Bloctel), until 10 August 2026":                                 "Code de la consommation, art. L223-1 (Bloctel), jusqu'au 10 août 2026",
	"ARCEP numbering decision (NPV ranges for prospecting), 1 January 2023":                               "Décision de l'Arcep sur la numérotation (tranches NPV du démarchage), 1er janvier 2023",
	"Code de la consommation (consumer scope): B2B calls are outside the decree; platform business hours": "Code de la consommation (protection des consommateurs)\u00a0: les appels B2B sont hors du décret\u00a0; horaires de bureau de la plateforme",
	"Conservative platform default for amicable debt collection":                                          "Choix prudent de la plateforme pour le recouvrement amiable",
	"TCPA 47 CFR 64.1200(c)(1)":                                                                     "TCPA, 47 CFR 64.1200(c)(1)",
	"Florida Telemarketing Act 2021 (Fla. Stat. 501.616)":                                           "Florida Telemarketing Act de 2021 (Fla. Stat. 501.616)",
	"FTC Telemarketing Sales Rule 16 CFR 310.4(b)(3)":                                               "Telemarketing Sales Rule de la FTC, 16 CFR 310.4(b)(3)",
	"PECR regulation 21 (TPS) / 21B (CTPS)":                                                         "PECR, article 21 (TPS) et 21B (CTPS)",
	"Ofcom persistent misuse policy (abandoned calls)":                                              "Règles de l'Ofcom contre l'usage abusif persistant (appels abandonnés)",
	"Conservative platform default":                                                                 "Choix prudent de la plateforme",
	"GDPR art. 21 (opposition), honoured by every center":                                           "RGPD, art. 21 (opposition), respecté par chaque centre",
	"Plateau's rule sets (pkg/compliance/rulesets.go) start on the date each came into force":       "Les règles de Plateau s'appliquent à partir de la date d'entrée en vigueur de chacune",
	"Loi n° 2020-901 (energy renovation)":                                                           "Loi n° 2020-901 (rénovation énergétique)",
	"GDPR art. 7(3) and 21(3): a withdrawal of consent is also an objection":                        "RGPD, art. 7(3) et 21(3)\u00a0: un retrait du consentement vaut aussi opposition",
	"The callee's time zone":                                                                        "Le fuseau horaire du contact",
	"Rules in force for the callee":                                                                 "Les règles en vigueur pour le contact",
	"FR decree days and hours":                                                                      "FR\u00a0: jours et horaires du décret",
	"FR: 4 attempts per rolling 30 days per client":                                                 "FR\u00a0: 4 tentatives par période glissante de 30 jours et par client",
	"FR: 60 calendar days after a refusal":                                                          "FR\u00a0: 60 jours calendaires après un refus",
	"FR: caller ID from the NPV ranges":                                                             "FR\u00a0: numéro présenté pris dans les tranches NPV",
	"FR: Bloctel opposition list":                                                                   "FR\u00a0: liste d'opposition Bloctel",
	"FR: prior consent (opt-in) to prospecting calls":                                               "FR\u00a0: consentement préalable (opt-in) au démarchage téléphonique",
	"FR B2B: business hours 09:00–18:00, Monday to Friday":                                          "FR B2B\u00a0: horaires de bureau, 09:00–18:00, du lundi au vendredi",
	"FR collection: 08:00–20:00, Monday to Saturday, no public holidays":                            "FR recouvrement\u00a0: 08:00–20:00, du lundi au samedi, hors jours fériés",
	"FR collection: at most 3 attempts a day (harassment guard)":                                    "FR recouvrement\u00a0: 3 tentatives par jour au plus (contre le harcèlement)",
	"US: 08:00–21:00 callee local time":                                                             "US\u00a0: 08:00–21:00, heure locale du contact",
	"US: National Do Not Call Registry, copy at most 31 days old":                                   "US\u00a0: registre national Do Not Call, copie de 31 jours au plus",
	"Florida: 08:00–20:00 callee local time":                                                        "Floride\u00a0: 08:00–20:00, heure locale du contact",
	"Florida: at most 3 calls per 24 hours on the same subject":                                     "Floride\u00a0: 3 appels au plus par 24 heures sur un même sujet",
	"UK: 09:00–20:00, Monday to Saturday (platform default)":                                        "UK\u00a0: 09:00–20:00, du lundi au samedi (choix de la plateforme)",
	"UK: no redial within 72 hours of an abandoned call":                                            "UK\u00a0: pas de rappel dans les 72 heures qui suivent un appel abandonné",
	"UK: Telephone Preference Service, copy at most 28 days old":                                    "UK\u00a0: Telephone Preference Service, copie de 28 jours au plus",
	"UK B2B: 09:00–18:00, Monday to Friday (platform default)":                                      "UK B2B\u00a0: 09:00–18:00, du lundi au vendredi (choix de la plateforme)",
	"UK: Corporate TPS, copy at most 28 days old":                                                   "UK\u00a0: Corporate TPS, copie de 28 jours au plus",
	"Default: 09:00–19:00, Monday to Friday, no public holidays":                                    "Par défaut\u00a0: 09:00–19:00, du lundi au vendredi, hors jours fériés",
	"Default: at most 3 attempts per rolling 7 days":                                                "Par défaut\u00a0: 3 tentatives au plus par période glissante de 7 jours",
	"Default: 60 calendar days after a refusal":                                                     "Par défaut\u00a0: 60 jours calendaires après un refus",
	"Default: no redial within 72 hours of an abandoned call":                                       "Par défaut\u00a0: pas de rappel dans les 72 heures qui suivent un appel abandonné",
	"FTC Telemarketing Sales Rule 16 CFR 310.4(b)(4)":                                               "Telemarketing Sales Rule de la FTC, 16 CFR 310.4(b)(4)",
	"Conservative platform default: no statutory French abandon rate (FTC and Ofcom practice)":      "Choix prudent de la plateforme\u00a0: aucun taux d'abandon fixé par la loi française (pratique de la FTC et de l'Ofcom)",
	"US: at most 3% of live-answered calls abandoned, per campaign per 30 days":                     "US\u00a0: 3\u00a0% au plus des appels décrochés par une personne abandonnés, par campagne et par 30 jours",
	"FR: at most 3% of live-answered calls abandoned, per campaign per 30 days (platform default)":  "FR\u00a0: 3\u00a0% au plus des appels décrochés par une personne abandonnés, par campagne et par 30 jours (choix de la plateforme)",
	"UK: at most 1% of live-answered calls abandoned, per campaign per 24 hours (platform default)": "UK\u00a0: 1\u00a0% au plus des appels décrochés par une personne abandonnés, par campagne et par 24 heures (choix de la plateforme)",
	"Default: at most 1% of live-answered calls abandoned, per campaign per 24 hours":               "Par défaut\u00a0: 1\u00a0% au plus des appels décrochés par une personne abandonnés, par campagne et par 24 heures",
	"The client's opt-out list":                                                                     "La liste d'opposition du client",
	"The platform's do-not-call list":                                                               "La liste d'opposition de la plateforme",
	"Consent withdrawn: an objection to this client's calls":                                        "Consentement retiré\u00a0: une opposition aux appels de ce client",
}

// sectorsInFrench name the banned sectors (RuleSet.BannedSectors).
var sectorsInFrench = map[string]string{"energy_renovation": "rénovation énergétique", "housing_adaptation": "adaptation du logement"}

const (
	bannedPrefix    = "Banned sector: "
	extensionPrefix = "FR: Plateau's holiday extension ("
	extensionSource = "Conservative platform default, beyond the decree's holidays (Code du travail L3133-1): "
)

// bannedRule is the rule that bans calls of a sector.
func bannedRule(sector, source string) Rule { return Rule{Name: bannedPrefix + sector, Source: source} }

// extensionRule is the rule of a holiday Plateau keeps beyond the decree's
// (its day's name and its law are French already).
func extensionRule(day string, ext *extensionDay) Rule {
	return Rule{Name: extensionPrefix + day + ")", Source: extensionSource + ext.law}
}

// composed are the names and sources made of a fixed part and a word
// (a sector, a holiday's name, a law): the fixed part in French, and how
// to say the word.
var composed = []struct {
	en, fr string
	word   func(string) string
}{
	{bannedPrefix, "Secteur interdit\u00a0: ", sectorInFrench},
	{extensionPrefix, "FR\u00a0: jour férié ajouté par Plateau (", nil},
	{extensionSource, "Choix prudent de la plateforme, au-delà des jours fériés du décret (Code du travail L3133-1)\u00a0: ", nil},
}

// inFrench is s, a rule's name or source, in French and English; what it
// does not know is said as it is in both.
func inFrench(s string) Text {
	t := Text{FR: s, EN: s}
	if fr, ok := rulesInFrench[s]; ok {
		t.FR = fr
		return t
	}
	for _, c := range composed {
		if rest, ok := strings.CutPrefix(s, c.en); ok {
			if c.word != nil {
				rest = c.word(rest)
			}
			t.FR = c.fr + rest
			break
		}
	}
	return t
}

// RuleText is a rule's name, as a decision carries it, in French and
// English.
func RuleText(name string) Text { return inFrench(name) }

// SourceText is a rule's legal source, as a decision carries it, in
// French and English.
func SourceText(source string) Text { return inFrench(source) }

func sectorInFrench(sector string) string {
	if fr, ok := sectorsInFrench[sector]; ok {
		return fr
	}
	return sector
}

// RuleText is the decision's rule in French and English.
func (d Decision) RuleText() Text { return RuleText(d.Rule) }

// SourceText is the decision's legal source in French and English.
func (d Decision) SourceText() Text { return SourceText(d.Source) }

// In is the text in locale: French for "fr", English otherwise.
func (t Text) In(locale string) string {
	if locale == "fr" {
		return t.FR
	}
	return t.EN
}
