// Package queue implements core.Queue on the store's bun database: claims
// of pending stages under a lease, the runners' reports, the leases'
// renewal and expiry, and the cancel, approval and decline of builds. The
// store (server/store) constructs it on its own database handle, so both
// share one connection pool.
package queue

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// Queue is core.Queue on a bun database. Safe for concurrent use.
type Queue struct {
	db       *bun.DB
	postgres bool
	batch    *batcher // SQLite: the runners' frequent writes, committed together
	stages   core.StageStore
	builds   core.BuildStore
}

var _ core.Queue = (*Queue)(nil)

// New returns the queue on db, a Postgres database when postgres is set,
// else SQLite; stages and builds are the store's, on the same database.
// Close stops it.
func New(db *bun.DB, postgres bool, stages core.StageStore, builds core.BuildStore) *Queue {
	q := &Queue{db: db, postgres: postgres, stages: stages, builds: builds}
	if !postgres {
		q.batch = newBatcher(db)
	}
	return q
}

// Close stops the queue's batched writes once the batch running has ended;
// the database stays open (it is the store's). Closing again does nothing.
func (s *Queue) Close() {
	if s.batch != nil {
		s.batch.close()
	}
}

// The parts of the queue, each one of core.Queue's interfaces.
type (
	claims  struct{ *Queue }
	reports struct{ *Queue }
	leases  struct{ *Queue }
	control struct{ *Queue }
)

// Claims hands pending stages to runners.
func (s *Queue) Claims() core.QueueClaims { return claims{s} }

// Reports records what runners report on the stages they hold.
func (s *Queue) Reports() core.QueueReports { return reports{s} }

// Leases renews, finds and requeues the leases of held stages.
func (s *Queue) Leases() core.QueueLeases { return leases{s} }

// Control cancels, approves and declines builds.
func (s *Queue) Control() core.QueueControl { return control{s} }

// inTx runs fn in a transaction; on SQLite the transaction takes the write
// lock when it begins (_txlock=immediate), so concurrent writers queue.
func (s *Queue) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, &sql.TxOptions{}, fn)
}

// write runs a frequent write of one statement: with the other writes
// waiting on SQLite (see batcher), on its own elsewhere.
func (s *Queue) write(ctx context.Context, fn func(ctx context.Context, db bun.IDB) error) error {
	if s.batch != nil {
		return s.batch.do(ctx, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx) })
	}
	return fn(ctx, s.db)
}

// writeTx runs a frequent write of several statements in a transaction:
// the batch's on SQLite, its own elsewhere. fn may run more than once (a
// batch is retried without a write that failed), so it must not change
// its inputs in ways that add up.
func (s *Queue) writeTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if s.batch != nil {
		return s.batch.do(ctx, fn)
	}
	return s.inTx(ctx, fn)
}
