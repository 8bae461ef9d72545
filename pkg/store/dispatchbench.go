package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// The queries of `plateau bench dispatch`: they set a campaign's queue to a
// drain level and read back what the claims did, across orgs, so d must be
// opened as the tables' owner. PostgreSQL only.

// QueueDepth counts a campaign's queue rows a claim may take (no holder)
// and those held by an open call.
func (d *DB) QueueDepth(ctx context.Context, campaignID uuid.UUID) (claimable, held int, err error) {
	err = d.Bun.NewRaw("SELECT count(*) FILTER (WHERE holder IS NULL), count(*) FILTER (WHERE holder IS NOT NULL)"+
		" FROM dial_queue WHERE campaign_id = ?", campaignID).Scan(ctx, &claimable, &held)
	return claimable, held, err
}

// DrainQueue takes the front of each contract's claimable share out of a
// campaign's queue — the rows its claims would have taken first — so that
// about keep claimable rows remain, shared between the contracts as
// before, as if the campaign had worked through the rest. It then vacuums
// the queue and the tables the claims before it wrote (the leads, their
// calls and evidence), as autovacuum would have done along the way, so
// that the claims measured next find the tables a drained campaign has,
// not the dead rows of one bulk delete and of every claim before — even on
// a server that runs with autovacuum off.
func (d *DB) DrainQueue(ctx context.Context, campaignID uuid.UUID, keep int) error {
	if err := d.benchOnPostgres(); err != nil {
		return err
	}
	claimable, _, err := d.QueueDepth(ctx, campaignID)
	if err != nil || claimable <= keep {
		return err
	}
	kept := float64(keep) / float64(claimable)
	if _, err := d.Bun.ExecContext(ctx, `DELETE FROM dial_queue q USING (
		  SELECT campaign_id, lead_id FROM (
		    SELECT campaign_id, lead_id,
		      row_number() OVER (PARTITION BY contract_id ORDER BY band, due_at, lead_id) AS n,
		      count(*) OVER (PARTITION BY contract_id) AS share
		    FROM dial_queue WHERE campaign_id = ? AND holder IS NULL) r
		  WHERE n <= share - round(share * ?::float8)) front
		WHERE q.campaign_id = front.campaign_id AND q.lead_id = front.lead_id`, campaignID, kept); err != nil {
		return err
	}
	_, err = d.Bun.ExecContext(ctx, "VACUUM (ANALYZE) dial_queue, leads, calls, compliance_decisions")
	return err
}

// OpenCallsPerLead counts a campaign's leads with an open call and those
// with more than one: a lead claimed twice.
func (d *DB) OpenCallsPerLead(ctx context.Context, campaignID uuid.UUID) (leads, doubled int, err error) {
	err = d.Bun.NewRaw(`SELECT count(*), count(*) FILTER (WHERE open > 1) FROM (
		  SELECT count(*) AS open FROM calls WHERE campaign_id = ? AND ended_at IS NULL GROUP BY lead_id) per_lead`,
		campaignID).Scan(ctx, &leads, &doubled)
	return leads, doubled, err
}

// BareQueue is the reference a claim is measured against: a table of ids
// and nothing else, each claim the textbook SKIP LOCKED delete of its
// first row, in one statement.
type BareQueue struct{ db *DB }

// bareQueueTable is the reference queue's table, made and dropped by the
// bench.
const bareQueueTable = "plateau_bench_bare_queue"

// NewBareQueue makes the reference queue, n rows, in place of any a
// bench left behind.
func (d *DB) NewBareQueue(ctx context.Context, n int) (BareQueue, error) {
	if err := d.benchOnPostgres(); err != nil {
		return BareQueue{}, err
	}
	q := BareQueue{db: d}
	for _, stmt := range []string{
		"DROP TABLE IF EXISTS " + bareQueueTable,
		"CREATE TABLE " + bareQueueTable + " (id BIGINT PRIMARY KEY)",
		fmt.Sprintf("INSERT INTO %s SELECT generate_series(1, %d)", bareQueueTable, n),
		"VACUUM (ANALYZE) " + bareQueueTable,
	} {
		if _, err := d.Bun.ExecContext(ctx, stmt); err != nil {
			return BareQueue{}, err
		}
	}
	return q, nil
}

// Claim takes the first row no other claim holds; found is false when the
// queue is empty.
func (q BareQueue) Claim(ctx context.Context) (id int64, found bool, err error) {
	err = q.db.Bun.QueryRowContext(ctx, "DELETE FROM "+bareQueueTable+" WHERE id = (SELECT id FROM "+bareQueueTable+
		" ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id").Scan(&id)
	if isNoRows(err) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// Depth counts the rows left.
func (q BareQueue) Depth(ctx context.Context) (int, error) {
	var n int
	err := q.db.Bun.QueryRowContext(ctx, "SELECT count(*) FROM "+bareQueueTable).Scan(&n)
	return n, err
}

// SetDepth leaves keep rows in the queue: it deletes the first rows, as
// DrainQueue does the campaign's, or adds rows after the last when the
// claims measured before took more than the level leaves; then it
// vacuums.
func (q BareQueue) SetDepth(ctx context.Context, keep int) error {
	if _, err := q.db.Bun.ExecContext(ctx, "DELETE FROM "+bareQueueTable+" WHERE id IN (SELECT id FROM "+bareQueueTable+
		" ORDER BY id LIMIT GREATEST((SELECT count(*) FROM "+bareQueueTable+") - ?, 0))", keep); err != nil {
		return err
	}
	if _, err := q.db.Bun.ExecContext(ctx, "INSERT INTO "+bareQueueTable+" SELECT last.id + n FROM"+
		" (SELECT COALESCE(max(id), 0) AS id, count(*) AS depth FROM "+bareQueueTable+") last,"+
		" generate_series(1, GREATEST(? - last.depth, 0)) n", keep); err != nil {
		return err
	}
	_, err := q.db.Bun.ExecContext(ctx, "VACUUM (ANALYZE) "+bareQueueTable)
	return err
}

// Drop removes the reference queue.
func (q BareQueue) Drop(ctx context.Context) error {
	_, err := q.db.Bun.ExecContext(ctx, "DROP TABLE IF EXISTS "+bareQueueTable)
	return err
}

func (d *DB) benchOnPostgres() error {
	if d.Dialect != Postgres {
		return fmt.Errorf("store: the dispatch bench needs PostgreSQL")
	}
	return nil
}
