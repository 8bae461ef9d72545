package platformtest_test

import (
	"strings"
	"testing"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
)

// TestFrenchReaderTellsWhatAFrenchReaderShouldNotRead: the walk's check
// finds an English catalog sentence, English words, identifiers, paths
// and UUIDs, and lets French, data and a script's variables through.
func TestFrenchReaderTellsWhatAFrenchReaderShouldNotRead(t *testing.T) {
	r := platformtest.NewFrenchReader(t)
	for _, bad := range []string{
		"Vos campagnes\nNo campaign yet. A new campaign stays a draft",
		"Règle\nThe client's opt-out list",
		"Motif caller_id_missing",
		"Champ rate_card.per_minute invalide",
		"campagne 01a24654-5ca7-70ac-9e84-4498c1b809e6 introuvable",
		"Empreinte end.disposition",
		"votre rôle n'a pas le droit « offers:write »",
	} {
		if len(r.Problems(bad)) == 0 {
			t.Errorf("%q passes", bad)
		}
	}
	good := "Campagnes\nRelance paniers abandonnés\nContractualisée\n2 904,38 €\n06 12 34 56 78\n" +
		"Prénom du contact : {{lead.first_name}}\nsophie.martin@maison-lumiere.test\nclients-2026.csv\nEurope/Paris"
	if p := r.Problems(good); len(p) != 0 {
		t.Errorf("French text is refused: %s", strings.Join(p, "; "))
	}
}
