package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/plateau-bpo/plateau/pkg/outbox"
)

type outboxRow struct {
	bun.BaseModel `bun:"table:outbox"`

	ID         uuid.UUID  `bun:"id,pk"`
	OrgID      uuid.UUID  `bun:"org_id"`
	TaskType   string     `bun:"task_type"`
	Payload    []byte     `bun:"payload"`
	CreatedAt  time.Time  `bun:"created_at"`
	EnqueuedAt *time.Time `bun:"enqueued_at"`
	DoneAt     *time.Time `bun:"done_at"`
	FailedAt   *time.Time `bun:"failed_at"`
}

func insertOutbox(ctx context.Context, tx bun.IDB, m outbox.Message) error {
	row := outboxRow{ID: m.ID, OrgID: m.OrgID, TaskType: m.TaskType, Payload: m.Payload, CreatedAt: m.CreatedAt}
	_, err := tx.NewInsert().Model(&row).Exec(ctx)
	return err
}

// SetPublisher sets where committed outbox messages go (the job queue).
func (d *DB) SetPublisher(p outbox.Publisher) { d.publisher = p }

// publish hands a committed message to the queue. A failure is logged by the
// publisher and left to the reconciler.
func (d *DB) publish(m outbox.Message) {
	if d.publisher == nil {
		return
	}
	if err := d.publisher.Publish(m); err == nil {
		_ = d.markEnqueued(context.Background(), m.ID)
	}
}

func (d *DB) markEnqueued(ctx context.Context, id uuid.UUID) error {
	return d.inSystem(ctx, "outbox-enqueued", func(tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*outboxRow)(nil)).Set("enqueued_at = ?", d.now()).
			Where("id = ? AND enqueued_at IS NULL", id).Exec(ctx)
		return err
	})
}

// Jobs are the use cases of the job queue's bookkeeping: the outbox
// reconciler, the purge of finished work, the console's counts.
type Jobs struct{ db *DB }

// markDone records that the task of an outbox message finished. It runs in
// the handler's own transaction so the work and its completion commit
// together; a message already done reports false, so a duplicate delivery
// does nothing.
func (t *tenant) markDone(ctx context.Context, id uuid.UUID) (bool, error) {
	res, err := t.Tx.NewUpdate().Model((*outboxRow)(nil)).Set("done_at = ?", t.Now).
		Where("id = ? AND org_id = ? AND done_at IS NULL", id, t.OrgID()).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Unfinished lists outbox messages created before olderThan and not done,
// across orgs, for the reconciler to hand to the queue again.
func (s *Jobs) Unfinished(ctx context.Context, olderThan time.Time, limit int) ([]outbox.Message, error) {
	var rows []outboxRow
	err := s.db.inSystem(ctx, "outbox-reconcile", func(tx bun.Tx) error {
		return tx.NewSelect().Model(&rows).Where("done_at IS NULL AND failed_at IS NULL AND created_at < ?", olderThan).
			OrderExpr("created_at").Limit(int64(limit)).Scan(ctx)
	})
	out := make([]outbox.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, outbox.Message{ID: r.ID, OrgID: r.OrgID, TaskType: r.TaskType, Payload: r.Payload, CreatedAt: r.CreatedAt})
	}
	return out, err
}

// PurgeDone deletes outbox messages done before the given time.
func (s *Jobs) PurgeDone(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.db.inSystem(ctx, "outbox-purge", func(tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*outboxRow)(nil)).Where("done_at < ?", before).Exec(ctx)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, err
}

// MarkFailed records that the task of an outbox message failed for good:
// the reconciler stops publishing it and the console counts it.
func (s *Jobs) MarkFailed(ctx context.Context, id uuid.UUID) error {
	return s.db.inSystem(ctx, "outbox-failed", func(tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*outboxRow)(nil)).Set("failed_at = ?", s.db.now()).
			Where("id = ? AND done_at IS NULL AND failed_at IS NULL", id).Exec(ctx)
		return err
	})
}

// OutboxCounts is the state of the outbox, for the platform console.
type OutboxCounts struct {
	Unfinished int // waiting for or running their task
	Failed     int // their task failed for good
}

// CountOutbox counts outbox messages not done, across orgs.
func (s *Jobs) CountOutbox(ctx context.Context) (OutboxCounts, error) {
	var c OutboxCounts
	err := s.db.inSystem(ctx, "outbox-count", func(tx bun.Tx) error {
		return tx.NewSelect().Model((*outboxRow)(nil)).
			ColumnExpr("count(*) FILTER (WHERE failed_at IS NULL) AS unfinished").
			ColumnExpr("count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed").
			Where("done_at IS NULL").Scan(ctx, &c.Unfinished, &c.Failed)
	})
	return c, err
}
