package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/outbox"
	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
)

type failingPublisher struct{ got []outbox.Message }

func (f *failingPublisher) Publish(msgs ...outbox.Message) error {
	f.got = append(f.got, msgs...)
	return apperr.New(apperr.Unavailable, "queue down")
}

func TestOutboxSurvivesALostPublishAndRunsOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		pub := &failingPublisher{}
		db.App.SetPublisher(pub)
		a, b, _, _ := twoOrgs(t, db.App)
		if err := db.App.InTenant(a, func(tx *store.Tenant) error {
			_, err := tx.CreateMember(a, store.NewMemberInput{Email: "invitee@a.example", Role: "analyst"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(pub.got) != 1 || pub.got[0].TaskType != store.TaskMailInvitation {
			t.Fatalf("published after commit: %+v", pub.got)
		}
		// A rolled-back transaction announces nothing.
		_ = db.App.InTenant(a, func(tx *store.Tenant) error {
			_, _ = tx.CreateMember(a, store.NewMemberInput{Email: "ghost@a.example", Role: "analyst"})
			return apperr.New(apperr.Invalid, "changed my mind")
		})
		if len(pub.got) != 1 {
			t.Fatalf("a rolled-back transaction published %d messages", len(pub.got)-1)
		}
		pending, err := db.App.Unfinished(ctx, time.Now().Add(time.Second), 10)
		if err != nil || len(pending) != 1 || pending[0].ID != pub.got[0].ID {
			t.Fatalf("unfinished after a failed publish: %+v %v", pending, err)
		}
		// Org B cannot complete org A's message; A completes it once.
		markDone := func(ctx context.Context) bool {
			var done bool
			if err := db.App.InTenant(ctx, func(tx *store.Tenant) error {
				var err error
				done, err = tx.MarkDone(ctx, pending[0].ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return done
		}
		if markDone(b) {
			t.Fatal("org B marked org A's outbox message done")
		}
		if !markDone(a) || markDone(a) {
			t.Fatal("marking done must succeed once and then report already done")
		}
		if pending, _ := db.App.Unfinished(ctx, time.Now().Add(time.Second), 10); len(pending) != 0 {
			t.Fatalf("still unfinished after done: %+v", pending)
		}
	})
}

func TestIdempotencyClaims(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		a, b, _, _ := twoOrgs(t, db.App)
		req := store.IdempotentRequest{Key: "k1", ActorID: "actor", Method: "POST", Path: "/api/v1/users", RequestHash: []byte("h1")}
		claim := func(ctx context.Context, r store.IdempotentRequest) (*store.StoredResponse, error) {
			var out *store.StoredResponse
			err := db.App.InTenant(ctx, func(tx *store.Tenant) error {
				var err error
				out, err = tx.ClaimIdempotencyKey(ctx, r)
				return err
			})
			return out, err
		}
		if got, err := claim(a, req); got != nil || err != nil {
			t.Fatalf("first claim: %v %v", got, err)
		}
		if _, err := claim(a, req); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("claim while in progress: %v", err)
		}
		// The same key in another org is another key.
		if got, err := claim(b, req); got != nil || err != nil {
			t.Fatalf("org B's claim of the same key: %v %v", got, err)
		}
		if err := db.App.InTenant(a, func(tx *store.Tenant) error {
			return tx.CompleteIdempotencyKey(a, "k1", store.StoredResponse{StatusCode: 201, ContentType: "application/json", Body: []byte(`{"id":1}`)})
		}); err != nil {
			t.Fatal(err)
		}
		got, err := claim(a, req)
		if err != nil || got == nil || got.StatusCode != 201 || string(got.Body) != `{"id":1}` {
			t.Fatalf("replay: %+v %v", got, err)
		}
		other := req
		other.RequestHash = []byte("h2")
		if _, err := claim(a, other); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("same key, other body: %v", err)
		}
	})
}
