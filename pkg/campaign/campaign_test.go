package campaign_test

import (
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
)

func TestValidateFillsDefaults(t *testing.T) {
	c, err := campaign.Input{Name: " Relance paniers abandonnés ", Kind: "customer_care", Audience: "b2c", Country: "fr",
		Languages: []string{"fr", "FR"}, Volume: 5000, BudgetCap: 2_000 * 1_000_000}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Relance paniers abandonnés" || c.Country != "FR" || len(c.Languages) != 1 || c.Currency != "EUR" ||
		c.DialingMode != campaign.Preview || c.RetentionDays != campaign.DefaultRetentionDays || c.Status != campaign.Draft {
		t.Fatalf("campaign: %+v", c)
	}
}

func TestValidateNamesEveryBadField(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, -1)
	_, err := campaign.Input{Kind: "telesales", Audience: "b2x", Country: "ZZ", Languages: []string{"fr", "klingon"},
		StartsOn: &start, EndsOn: &end, TargetOutcome: "world peace", Volume: -1, BudgetCap: -5, Currency: "BTC",
		DialingMode: "robocall", RetentionDays: 5000}.Validate()
	e := apperr.As(err)
	if e == nil {
		t.Fatal("a bad campaign was accepted")
	}
	want := []string{"name", "kind", "audience", "country", "languages[1]", "ends_on", "target_outcome", "volume",
		"budget_cap", "currency", "dialing_mode", "retention_days"}
	if len(e.Fields) != len(want) {
		t.Fatalf("fields %+v, want %v", e.Fields, want)
	}
	for i, path := range want {
		if e.Fields[i].Path != path {
			t.Errorf("field %d: %s, want %s", i, e.Fields[i].Path, path)
		}
	}
}
