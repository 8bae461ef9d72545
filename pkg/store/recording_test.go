package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/campaign"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// runningRecords reports whether the engine's roll call reads the running
// campaign id as recording its calls.
func runningRecords(t *testing.T, svc store.Services, id uuid.UUID) bool {
	t.Helper()
	system := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(tenancy.Org{}, "test"))
	running, err := svc.Execution.Running(system)
	ok(t, err)
	for _, c := range running {
		if c.ID == id {
			return c.Record
		}
	}
	t.Fatalf("campaign %s is not among the running ones", id)
	return false
}

// TestACampaignsRecordingIsItsClientsToSet: a draft is written recording
// its calls and reads back so; once running, only its client turns the
// recording off and on again — not another client, not its own center —
// and the engine's roll call reads each change; an ended campaign's
// setting no longer changes.
func TestACampaignsRecordingIsItsClientsToSet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		d := db.App
		svc := services(d)
		rival, _ := actingAs(t, d, tenancy.KindClient, "Rival", "FR")
		draft, err := svc.Campaigns.Create(rival, campaign.Input{Name: "Enquête", Kind: "survey", Audience: "b2c",
			Country: "FR", Languages: []string{"fr"}, RecordCalls: true})
		ok(t, err)
		if got, err := svc.Campaigns.Get(rival, draft.ID); err != nil || !got.RecordCalls {
			t.Fatalf("a draft written recording its calls reads back %v (%v)", got.RecordCalls, err)
		}
		edited, err := svc.Campaigns.Update(rival, draft.ID, campaign.Input{Name: "Enquête", Kind: "survey", Audience: "b2c",
			Country: "FR", Languages: []string{"fr"}})
		if err != nil || edited.RecordCalls {
			t.Fatalf("a draft edited without recording still records: %v (%v)", edited.RecordCalls, err)
		}

		f := runningFloor(t, d, 3)
		id := f.campaign.ID
		if f.campaign.RecordCalls || runningRecords(t, f.svc, id) {
			t.Fatal("a campaign records its calls without its client saying so")
		}
		c, err := f.svc.Campaigns.SetRecording(f.client, id, true)
		ok(t, err)
		if !c.RecordCalls || !runningRecords(t, f.svc, id) {
			t.Fatalf("turned on while running: the campaign says %v, the roll call %v", c.RecordCalls, runningRecords(t, f.svc, id))
		}
		if got, err := f.svc.Campaigns.Get(f.atlasCtx, id); err != nil || !got.RecordCalls {
			t.Fatalf("the contracted center reads the campaign recording %v (%v)", got.RecordCalls, err)
		}
		if _, err := f.svc.Campaigns.SetRecording(rival, id, false); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another client turned the recording off: %v", err)
		}
		if _, err := f.svc.Campaigns.SetRecording(f.atlasCtx, id, false); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the contracted center turned the recording off: %v", err)
		}
		if !runningRecords(t, f.svc, id) {
			t.Fatal("another org's attempt turned the recording off")
		}
		if _, err := f.svc.Campaigns.SetRecording(f.client, id, false); err != nil || runningRecords(t, f.svc, id) {
			t.Fatalf("turned off while running, the roll call still records (%v)", err)
		}
		if _, err := f.svc.Campaigns.Move(f.client, id, campaign.Complete); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Campaigns.SetRecording(f.client, id, true); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a completed campaign's recording changed: %v", err)
		}
	})
}
