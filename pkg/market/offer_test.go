package market_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/compliance"
	"github.com/plateau-bpo/plateau/pkg/market"
)

var now = time.Date(2026, 9, 15, 10, 0, 0, 0, time.UTC)

func TestOfferValidation(t *testing.T) {
	start := now.AddDate(0, 0, 7)
	good := market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerMinute: 420_000, Minimum: 30, Increment: 6},
		Seats: 12, Languages: []string{"fr"}, StartsOn: &start, Hours: "lun–ven 9h–20h"}
	if _, err := good.Validate([]string{"fr"}, now); err != nil {
		t.Fatalf("a good offer: %v", err)
	}
	past := now.AddDate(0, 0, -3)
	bad := market.OfferInput{RateCard: market.RateCard{Currency: "EUR", PerConnectedCall: -2_000_000}, Seats: 0,
		Languages: []string{"de"}, StartsOn: &past}
	e := apperr.As(func() error { _, err := bad.Validate([]string{"fr"}, now); return err }())
	want := []string{"rate_card.per_connected_call", "seats", "languages[0]", "starts_on"}
	if e == nil || len(e.Fields) != len(want) {
		t.Fatalf("a bad offer: %+v", e)
	}
	for i, p := range want {
		if e.Fields[i].Path != p {
			t.Errorf("field %d: %s, want %s", i, e.Fields[i].Path, p)
		}
	}
}

func TestSnapshotSharesNothing(t *testing.T) {
	card := market.RateCard{Currency: "EUR", PerOutcome: map[string]int64{"sale": 10}}
	snap := card.Snapshot()
	card.PerOutcome["sale"] = 99
	if snap.PerOutcome["sale"] != 10 {
		t.Fatal("the contract's rate card changed with the offer's")
	}
}

func TestActivationNeedsADataProtectionProfileForEUData(t *testing.T) {
	morocco := compliance.CenterProfile{Country: "MA"}
	if err := market.MayActivate("FR", morocco, now); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("French leads to a Moroccan center without a profile: %v", err)
	}
	if err := market.MayActivate("US", morocco, now); err != nil {
		t.Fatalf("US leads hold no EU personal data: %v", err)
	}
	if err := market.MayActivate("MQ", morocco, now); err == nil {
		t.Fatal("Martinique is in the EU")
	}
}
