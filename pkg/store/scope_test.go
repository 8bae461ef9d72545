package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/store"
	"github.com/plateau-bpo/plateau/pkg/store/dbtest"
)

// TestAUseCaseSavesAllOrNothing: a use case's transaction is limited to its
// org, saves its writes when it succeeds, and none when it fails, panics, or
// goes on after a statement failed. Its connection goes back to the pool
// idle whatever happened (one connection here, so the next use case would
// inherit a transaction left open).
func TestAUseCaseSavesAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		db.App.Bun.SetMaxOpenConns(1)
		a, _, orgA, _ := twoOrgs(t, db.App)
		pg := db.App.Dialect == store.Postgres
		write := func(ctx context.Context, tx bun.IDB, action string) error {
			_, err := tx.NewRaw(`INSERT INTO audit_events (id, org_id, actor_kind, actor_label, action, object_type, object_id, created_at)
				VALUES (?, ?, 'system', 'test', ?, 'test', 'x', CURRENT_TIMESTAMP)`, uuid.Must(uuid.NewV7()), orgA.ID, action).Exec(ctx)
			return err
		}
		saved := func(action string) bool {
			t.Helper()
			var n int
			ok(t, db.Owner.Bun.NewRaw("SELECT count(*) FROM audit_events WHERE action = ?", action).Scan(context.Background(), &n))
			return n > 0
		}
		ok(t, db.App.InTenant(a, func(tx bun.IDB) error {
			if pg {
				var org string
				if err := tx.NewRaw("SELECT current_setting('app.org_id')").Scan(a, &org); err != nil || org != orgA.ID.String() {
					t.Errorf("the transaction's org: %q (%v), want %s", org, err, orgA.ID)
				}
			}
			return write(a, tx, "test.saved")
		}))
		if !saved("test.saved") {
			t.Fatal("a use case that succeeded saved nothing")
		}

		failed := errors.New("the use case failed")
		if err := db.App.InTenant(a, func(tx bun.IDB) error {
			return errors.Join(write(a, tx, "test.failed"), failed)
		}); !errors.Is(err, failed) {
			t.Fatalf("a failed use case answers %v", err)
		}

		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the panic was swallowed")
				}
			}()
			_ = db.App.InTenant(a, func(tx bun.IDB) error {
				ok(t, write(a, tx, "test.panicked"))
				panic("the use case panicked")
			})
		}()

		if pg { // SQLite goes on after a failed statement; PostgreSQL aborts the transaction
			if err := db.App.InTenant(a, func(tx bun.IDB) error {
				ok(t, write(a, tx, "test.went_on"))
				_, _ = tx.ExecContext(a, "SELECT 1/0") // a failure the use case ignores
				return nil
			}); err == nil {
				t.Error("a use case that went on after a failed statement answered success, having saved nothing")
			}
		}

		ok(t, db.App.InTenant(a, func(tx bun.IDB) error { return write(a, tx, "test.after") }))
		for _, action := range []string{"test.failed", "test.panicked", "test.went_on"} {
			if saved(action) {
				t.Errorf("%s: saved", action)
			}
		}
		if !saved("test.after") {
			t.Error("the use case after the others saved nothing")
		}
	})
}
