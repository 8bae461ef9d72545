package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/dialing"
	"github.com/plateau-bpo/plateau/pkg/secret"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

const trunkPassword = "digest-secret-9f3a"

func newTrunk(name string) store.NewTrunk {
	return store.NewTrunk{Name: name, Trunk: dialing.Trunk{Host: "sip.operator.example", Port: 5060, Transport: "UDP",
		Username: "center-7", Password: trunkPassword, CallerIDs: []string{"+33180000000"}, MaxConcurrent: 4, CallsPerSecond: 2}}
}

func sealing(t *testing.T, db *store.DB) {
	t.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{3}, secret.KeySize))
	ok(t, err)
	db.SetSecretBox(box)
}

// TestTrunksAreTheCentersOwn: a center's supervisors add, list and remove
// its trunks; another center never sees nor removes them, a client has
// none, an agent may not touch them; the password is sealed in the
// database, never listed, and opened only for the engine.
func TestTrunksAreTheCentersOwn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		sealing(t, db.App)
		svc := services(db.App)
		centerA := mustOrg(t, db.App, "Atlas Contact", tenancy.KindCenter)
		centerB := mustOrg(t, db.App, "Rival Phoning", tenancy.KindCenter)
		client := mustOrg(t, db.App, "Maison Lumière", tenancy.KindClient)
		a, _ := memberOf(t, db.App, centerA, "Sam", "sam@a.example", tenancy.RoleSupervisor)
		b := ownerOf(t, db.App, centerB, "owner@b.example")
		agent, _ := memberOf(t, db.App, centerA, "Ana", "ana@a.example", tenancy.RoleAgent)
		buyer := ownerOf(t, db.App, client, "owner@client.example")

		added, err := svc.Trunks.Add(a, newTrunk("Main"))
		ok(t, err)
		if !added.HasPassword || added.Transport != "udp" || added.Username != "center-7" {
			t.Errorf("added %+v", added)
		}
		_, err = svc.Trunks.Add(b, newTrunk("Main")) // names are unique per center only
		ok(t, err)
		if _, err := svc.Trunks.Add(a, newTrunk("Main")); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second trunk named Main: %v, want a conflict", err)
		}

		listed, err := svc.Trunks.List(a)
		ok(t, err)
		if len(listed) != 1 || listed[0].ID != added.ID {
			t.Fatalf("center A lists %+v", listed)
		}
		shown, _ := json.Marshal(listed)
		if bytes.Contains(shown, []byte(trunkPassword)) {
			t.Errorf("the list shows the password: %s", shown)
		}
		var sealed []byte
		ok(t, db.Owner.Bun.NewRaw("SELECT password FROM sip_trunks WHERE id = ?", added.ID).Scan(context.Background(), &sealed))
		if len(sealed) == 0 || bytes.Contains(sealed, []byte(trunkPassword)) {
			t.Errorf("the database keeps the password as %q", sealed)
		}

		listedB, err := svc.Trunks.List(b)
		ok(t, err)
		if len(listedB) != 1 || listedB[0].ID == added.ID {
			t.Errorf("center B lists %+v", listedB)
		}
		if err := svc.Trunks.Remove(b, added.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("center B removes A's trunk: %v, want not found", err)
		}
		for who, ctx := range map[string]context.Context{"a client": buyer, "an agent": agent} {
			if _, err := svc.Trunks.List(ctx); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s lists trunks: %v, want forbidden", who, err)
			}
			if _, err := svc.Trunks.Add(ctx, newTrunk("Mine")); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s adds a trunk: %v, want forbidden", who, err)
			}
		}
		if _, err := svc.Trunks.Dialable(a); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a supervisor reads the passwords: %v, want forbidden", err)
		}

		engine := tenancy.WithPrincipal(context.Background(), tenancy.SystemPrincipal(centerA, "engine"))
		dialable, err := svc.Trunks.Dialable(engine)
		ok(t, err)
		if len(dialable) != 1 || dialable[0].ID != added.ID || dialable[0].Trunk.Password != trunkPassword ||
			dialable[0].Trunk.CallerIDs[0] != "+33180000000" || dialable[0].Trunk.CallsPerSecond != 2 {
			t.Fatalf("the engine dials through %+v", dialable)
		}

		ok(t, svc.Trunks.Remove(a, added.ID))
		if err := svc.Trunks.Remove(a, added.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("removed twice: %v, want not found", err)
		}
		if dialable, err := svc.Trunks.Dialable(engine); err != nil || len(dialable) != 0 {
			t.Errorf("after its removal the engine dials through %+v, %v", dialable, err)
		}
		ok(t, db.Owner.Bun.NewRaw("SELECT password FROM sip_trunks WHERE id = ?", added.ID).Scan(context.Background(), &sealed))
		if sealed != nil {
			t.Errorf("a removed trunk keeps its sealed password")
		}
		if _, err := svc.Trunks.Add(a, newTrunk("Main")); err != nil {
			t.Errorf("the name of a removed trunk is free again: %v", err)
		}
	})
}

func TestTrunkInputIsCheckedFieldByField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		svc := services(db.App)
		ctx, _ := actingAs(t, db.App, tenancy.KindCenter, "Atlas Contact", "FR")
		_, err := svc.Trunks.Add(ctx, store.NewTrunk{Trunk: dialing.Trunk{Transport: "sctp", Port: 70000}})
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Invalid {
			t.Fatalf("Add = %v, want invalid", err)
		}
		got := map[string]string{}
		for _, f := range e.Fields {
			got[f.Path] = f.Code
		}
		for path, code := range map[string]string{"name": "sip_trunk.name.required", "host": "sip_trunk.host.required",
			"port": "sip_trunk.port.range", "transport": "sip_trunk.transport.unknown", "caller_ids": "sip_trunk.caller_ids.required"} {
			if got[path] != code {
				t.Errorf("field %s: %q, want %q (all: %v)", path, got[path], code, got)
			}
		}
		// Without the deployment's secret key, a password is refused, not kept in clear.
		if _, err := svc.Trunks.Add(ctx, newTrunk("Main")); !apperr.Is(err, apperr.Unavailable) {
			t.Errorf("a password without a secret key: %v, want unavailable", err)
		}
		open := newTrunk("Open")
		open.Trunk.Username, open.Trunk.Password = "", ""
		if _, err := svc.Trunks.Add(ctx, open); err != nil {
			t.Errorf("a trunk without credentials needs no key: %v", err)
		}
	})
}

// TestACentersBriefSaysWhyItsCampaignHoldsItsCalls: the pacer's hold (every
// trunk refused the calls) is read by the campaign's centers, in French
// too, until it ends or the pacer dials again; a center without the
// campaign reads no brief at all.
func TestACentersBriefSaysWhyItsCampaignHoldsItsCalls(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		db.App.Now = func() time.Time { return tuesdayMorning }
		f := runningFloor(t, db.App, 3)
		id := f.campaign.ID
		paced, err := f.svc.Execution.Pace(f.client, id, "host:1", time.Minute)
		if err != nil || !paced {
			t.Fatalf("pace: %v %v", paced, err)
		}
		b, err := f.svc.CenterViews.Brief(f.atlasCtx, id)
		if err != nil || b.Held != nil {
			t.Fatalf("a campaign that dials: held %+v, %v", b.Held, err)
		}
		refused := apperr.New(apperr.Unavailable, "routing.refused",
			"every trunk of the center refused the call or rests after failing one (%s)", "Main: 503 Service Unavailable")
		until := tuesdayMorning.Add(30 * time.Second)
		if err := f.svc.Execution.Hold(f.client, id, "host:2", until, refused); err != nil {
			t.Fatal(err)
		}
		if b, _ := f.svc.CenterViews.Brief(f.atlasCtx, id); b.Held != nil {
			t.Errorf("another process's hold was recorded on this one's lease: %+v", b.Held)
		}
		ok(t, f.svc.Execution.Hold(f.client, id, "host:1", until, refused))
		for _, center := range []context.Context{f.atlasCtx, f.terCtx} {
			b, err := f.svc.CenterViews.Brief(center, id)
			if err != nil || b.Held == nil || !b.Held.Until.Equal(until) {
				t.Fatalf("the brief's hold: %+v, %v", b.Held, err)
			}
			french := apperr.Localize(b.Held.Reason, func(key string, args ...any) (string, bool) {
				if key != "err.routing.refused" {
					return "", false
				}
				return fmt.Sprintf("tous les trunks ont refusé (%s)", args...), true
			})
			if french.Message != "tous les trunks ont refusé (Main: 503 Service Unavailable)" {
				t.Errorf("the hold said in French: %q", french.Message)
			}
		}
		rival, _ := actingAs(t, db.App, tenancy.KindCenter, "Rival Phoning", "FR")
		if _, err := f.svc.CenterViews.Brief(rival, id); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a center without the campaign reads its brief: %v", err)
		}
		db.App.Now = func() time.Time { return until }
		if b, _ := f.svc.CenterViews.Brief(f.atlasCtx, id); b.Held != nil {
			t.Errorf("a hold over is still shown: %+v", b.Held)
		}
		db.App.Now = func() time.Time { return tuesdayMorning }
		ok(t, f.svc.Execution.Hold(f.client, id, "host:1", time.Time{}, nil))
		if b, _ := f.svc.CenterViews.Brief(f.atlasCtx, id); b.Held != nil {
			t.Errorf("a cleared hold is still shown: %+v", b.Held)
		}
	})
}
