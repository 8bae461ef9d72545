package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/call"
	"github.com/plateau-bpo/plateau/pkg/cdr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/dispatch"
	"github.com/plateau-bpo/plateau/pkg/lead"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

// cdrItem writes one item of a JSON batch; fields left "" are left out.
func cdrItem(fields map[string]string) string {
	var parts []string
	for _, k := range []string{"external_id", "call_id", "to", "campaign", "started_at", "answered_at", "ended_at", "result", "cause"} {
		if v, ok := fields[k]; ok {
			parts = append(parts, fmt.Sprintf("%q: %q", k, v))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func ingest(t *testing.T, f floor, ctx context.Context, campaignID uuid.UUID, items ...string) (store.CDRReport, error) {
	t.Helper()
	body := `{"cdrs": [` + strings.Join(items, ",\n") + `]}`
	return f.svc.CDRs.Ingest(ctx, campaignID, cdr.Parse(strings.NewReader(body), cdr.JSON, cdr.Options{}))
}

func codes(rows []store.CDRRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%d:%s", r.Index, apperr.As(r.Problem).Code)
	}
	return out
}

func getCall(t *testing.T, f floor, id uuid.UUID) call.Call {
	t.Helper()
	k, err := f.svc.Calls.Get(f.client, id)
	ok(t, err)
	return k
}

// TestCDRsEndTheCallsTheyMatchOnce: a center's records end its calls by
// call id or by campaign, number and time, settle their leads as our own
// dialer's ends do, and count once; a malformed row, a number no call was
// issued for and another center's call id are reported, each on its row,
// and the others go on.
func TestCDRsEndTheCallsTheyMatchOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		now := tuesdayMorning
		db.App.Now = func() time.Time { return now }
		f := runningFloor(t, db.App, 6)
		_, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		busy, _ := f.claim(t, f.atlas)
		talked, _ := f.claim(t, f.atlas)
		teranga, _ := f.claim(t, f.teranga)
		unclaimed := map[string]bool{}
		for i := range 6 {
			unclaimed[fmt.Sprintf("+412234500%02d", i)] = true
		}
		for _, c := range []dispatch.Claim{busy, talked, teranga} {
			delete(unclaimed, c.Call.Phone)
		}
		var neverCalled string
		for n := range unclaimed {
			neverCalled = n
		}
		at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
		items := []string{
			cdrItem(map[string]string{"external_id": "A-1", "call_id": busy.Call.ID.String(), "started_at": at(time.Second),
				"ended_at": at(20 * time.Second), "result": "busy", "cause": "BUSY"}),
			cdrItem(map[string]string{"external_id": "A-2", "to": talked.Call.Phone, "campaign": f.campaign.ID.String(), "started_at": at(2 * time.Second),
				"answered_at": at(10 * time.Second), "ended_at": at(70 * time.Second), "result": "answered", "cause": "ANSWERED"}),
			cdrItem(map[string]string{"call_id": busy.Call.ID.String(), "started_at": at(time.Second), "ended_at": at(20 * time.Second), "result": "busy"}),
			cdrItem(map[string]string{"external_id": "A-4", "to": neverCalled, "campaign": f.campaign.ID.String(), "started_at": at(3 * time.Second),
				"ended_at": at(30 * time.Second), "result": "no_answer"}),
			cdrItem(map[string]string{"external_id": "A-5", "to": "+41223459999", "campaign": f.campaign.ID.String(), "started_at": at(3 * time.Second),
				"ended_at": at(30 * time.Second), "result": "no_answer"}),
			cdrItem(map[string]string{"external_id": "A-6", "call_id": teranga.Call.ID.String(), "started_at": at(3 * time.Second),
				"ended_at": at(30 * time.Second), "result": "no_answer"}),
			cdrItem(map[string]string{"external_id": "A-1", "call_id": busy.Call.ID.String(), "started_at": at(time.Second),
				"ended_at": at(20 * time.Second), "result": "busy", "cause": "BUSY"}),
		}
		wantUnmatched := "[3:store.cdr.no_call_for_lead 4:store.cdr.no_call 5:store.cdr.call_unknown]"
		rep, err := ingest(t, f, f.atlasCtx, uuid.Nil, items...)
		ok(t, err)
		if rep.Recorded != 2 || rep.AlreadyRecorded != 1 || fmt.Sprint(codes(rep.Unmatched)) != wantUnmatched ||
			len(rep.Malformed) != 1 || rep.Malformed[0].Index != 2 {
			t.Fatalf("the first ingest: %+v; unmatched %v", rep, codes(rep.Unmatched))
		}

		b := getCall(t, f, busy.Call.ID)
		if b.Result != dialing.Busy || b.EndedAt == nil || !b.EndedAt.Equal(now.Add(20*time.Second)) || b.ExternalID == nil || *b.ExternalID != "A-1" ||
			b.DialedAt == nil || !b.DialedAt.Equal(now.Add(time.Second)) {
			t.Fatalf("the busy call: %+v", b)
		}
		k := getCall(t, f, talked.Call.ID)
		if k.Result != dialing.Answered || k.AnsweredAt == nil || !k.AnsweredAt.Equal(now.Add(10*time.Second)) || k.TalkSeconds != 60 ||
			k.ExternalID == nil || *k.ExternalID != "A-2" {
			t.Fatalf("the answered call: %+v", k)
		}
		if o := getCall(t, f, teranga.Call.ID); !o.Open() || o.ExternalID != nil {
			t.Fatalf("Atlas's record ended Teranga's call: %+v", o)
		}
		busyLead, err := f.svc.Leads.Get(f.client, f.campaign.ID, busy.Lead.ID)
		ok(t, err)
		talkedLead, err := f.svc.Leads.Get(f.client, f.campaign.ID, talked.Lead.ID)
		ok(t, err)
		if busyLead.Lead.Status != lead.Retry || talkedLead.Lead.Status != lead.InCall {
			t.Fatalf("leads after the records: busy %s (want retry), answered %s (want in_call, held for the disposition)",
				busyLead.Lead.Status, talkedLead.Lead.Status)
		}

		// The same batch again changes nothing.
		now = now.Add(time.Minute)
		again, err := ingest(t, f, f.atlasCtx, uuid.Nil, items...)
		ok(t, err)
		if again.Recorded != 0 || again.AlreadyRecorded != 3 || fmt.Sprint(codes(again.Unmatched)) != wantUnmatched || len(again.Malformed) != 1 {
			t.Fatalf("the same batch again: %+v; unmatched %v", again, codes(again.Unmatched))
		}
		if b2 := getCall(t, f, busy.Call.ID); !b2.EndedAt.Equal(*b.EndedAt) || b2.Result != b.Result {
			t.Fatalf("the busy call changed: %+v", b2)
		}

		// The busy lead comes back after the policy's ten minutes, as after
		// our own dialer's busy, once Atlas's fresh leads are claimed.
		now = tuesdayMorning.Add(11 * time.Minute)
		var claimed []uuid.UUID
		for {
			c, found := f.claim(t, f.atlas)
			if !found {
				break
			}
			claimed = append(claimed, c.Lead.ID)
		}
		if len(claimed) != 3 || claimed[2] != busy.Lead.ID {
			t.Fatalf("after 11 minutes Atlas claims %v; want its two fresh leads, then the busy lead %s again", claimed, busy.Lead.ID)
		}
	})
}

// TestCDRsAreTheCentersOwn: another center's records never touch a call
// it did not place, a client cannot send records, nor can a center's
// agent.
func TestCDRsAreTheCentersOwn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		now := tuesdayMorning
		db.App.Now = func() time.Time { return now }
		f := runningFloor(t, db.App, 3)
		_, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		atlas, _ := f.claim(t, f.atlas)
		item := func(ext string) []string {
			return []string{
				cdrItem(map[string]string{"external_id": ext + "-id", "call_id": atlas.Call.ID.String(), "started_at": now.Format(time.RFC3339),
					"ended_at": now.Add(time.Minute).Format(time.RFC3339), "result": "no_answer"}),
				cdrItem(map[string]string{"external_id": ext + "-number", "to": atlas.Call.Phone, "started_at": now.Format(time.RFC3339),
					"ended_at": now.Add(time.Minute).Format(time.RFC3339), "result": "no_answer"}),
			}
		}
		stranger, _ := actingAs(t, db.App, tenancy.KindCenter, "Sans Contrat", "FR")
		for name, ctx := range map[string]context.Context{"Teranga": f.terCtx, "a center without a contract": stranger} {
			rep, err := ingest(t, f, ctx, f.campaign.ID, item("T")...)
			ok(t, err)
			if rep.Recorded != 0 || len(rep.Unmatched) != 2 {
				t.Fatalf("%s's records of Atlas's call: %+v", name, rep)
			}
		}
		if _, err := ingest(t, f, f.client, f.campaign.ID, item("C")...); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the client sending records: %v", err)
		}
		agent := tenancy.WithPrincipal(context.Background(), tenancy.Principal{Kind: tenancy.ActorSystem, Label: "test",
			OrgID: atlas.Call.CenterID, OrgKind: tenancy.KindCenter, Role: tenancy.RoleAgent})
		if _, err := ingest(t, f, agent, f.campaign.ID, item("G")...); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an agent of Atlas sending records: %v", err)
		}
		if k := getCall(t, f, atlas.Call.ID); !k.Open() || k.ExternalID != nil {
			t.Fatalf("Atlas's call after the others' records: %+v", k)
		}
		rep, err := ingest(t, f, f.atlasCtx, f.campaign.ID, item("A")[1])
		ok(t, err)
		if rep.Recorded != 1 {
			t.Fatalf("Atlas's own record by number: %+v (%v)", rep, codes(rep.Unmatched))
		}
	})
}

// TestCDRsKeepACallAsItEnded: a record of a call our own dialer already
// ended, or a second record of one call, is reported and changes nothing.
func TestCDRsKeepACallAsItEnded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		now := tuesdayMorning
		db.App.Now = func() time.Time { return now }
		f := runningFloor(t, db.App, 3)
		_, err := f.svc.Dispatch.Fill(f.client, f.campaign.ID)
		ok(t, err)
		ended, _ := f.claim(t, f.atlas)
		open, _ := f.claim(t, f.atlas)
		ok(t, f.svc.Dispatch.Record(f.client, dialing.Event{CallID: ended.Call.ID, Kind: dialing.EventEnded, At: now.Add(time.Minute),
			Result: dialing.Failed, Cause: call.Interrupted}))
		at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
		rep, err := ingest(t, f, f.atlasCtx, f.campaign.ID,
			cdrItem(map[string]string{"external_id": "E-1", "call_id": ended.Call.ID.String(), "started_at": at(time.Second),
				"ended_at": at(30 * time.Second), "result": "no_answer"}),
			cdrItem(map[string]string{"external_id": "E-2", "call_id": open.Call.ID.String(), "started_at": at(time.Second),
				"ended_at": at(30 * time.Second), "result": "busy"}),
			cdrItem(map[string]string{"external_id": "E-3", "to": open.Call.Phone, "started_at": at(time.Second),
				"ended_at": at(40 * time.Second), "result": "no_answer"}))
		ok(t, err)
		if rep.Recorded != 1 || fmt.Sprint(codes(rep.Unmatched)) != "[0:store.cdr.call_ended 2:store.cdr.call_twice]" {
			t.Fatalf("records of an ended call and of a call twice: %+v; unmatched %v", rep, codes(rep.Unmatched))
		}
		if k := getCall(t, f, ended.Call.ID); k.Result != dialing.Failed || k.ExternalID != nil {
			t.Fatalf("the call ended before its record: %+v", k)
		}
		if k := getCall(t, f, open.Call.ID); k.Result != dialing.Busy || k.EndedAt == nil || !k.EndedAt.Equal(now.Add(30*time.Second)) {
			t.Fatalf("the call of two records: %+v", k)
		}
	})
}
