package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
	"github.com/drover-ci/drover/server/store/queue"
)

type runnerStore struct{ s *Store }

// Runners returns the runner store.
func (s *Store) Runners() core.RunnerStore { return runnerStore{s} }

func (rs runnerStore) find(ctx context.Context, what, where string, args ...any) (*core.Runner, error) {
	row := new(tables.Runner)
	if err := rs.s.db.NewSelect().Model(row).Where(where, args...).Limit(1).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, what)
	}
	return row.Core(), nil
}

func (rs runnerStore) Find(ctx context.Context, id int64) (*core.Runner, error) {
	return rs.find(ctx, "runner", "id = ?", id)
}

func (rs runnerStore) FindToken(ctx context.Context, hash string) (*core.Runner, error) {
	return rs.find(ctx, "runner", "token_hash = ?", hash)
}

func (rs runnerStore) FindLocal(ctx context.Context, name string) (*core.Runner, error) {
	return rs.find(ctx, "local runner "+name, "local = ? AND name = ?", true, name)
}

func (rs runnerStore) List(ctx context.Context) ([]*core.Runner, error) {
	var rows []*tables.Runner
	if err := rs.s.db.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "runners")
	}
	out := make([]*core.Runner, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}

// insertRunner inserts r on db and sets its ID.
func insertRunner(ctx context.Context, db bun.IDB, r *core.Runner) error {
	if r.Created.IsZero() {
		r.Created = time.Now().UTC()
	}
	row := tables.FromRunner(r)
	row.ID = 0
	if _, err := db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "runner "+r.Name)
	}
	r.ID = row.ID
	return nil
}

func (rs runnerStore) Create(ctx context.Context, r *core.Runner) error {
	return insertRunner(ctx, rs.s.db, r)
}

func (rs runnerStore) Update(ctx context.Context, r *core.Runner) error {
	row := tables.FromRunner(r)
	res, err := rs.s.db.NewUpdate().Model(row).
		Column("name", "labels", "engines", "os", "arch", "capacity", "version").
		WherePK().Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "runner")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "runner %d", r.ID)
	}
	return nil
}

func (rs runnerStore) Touch(ctx context.Context, id int64, at time.Time) error {
	_, err := rs.s.db.NewUpdate().Model((*tables.Runner)(nil)).Set("last_seen = ?", at.UTC()).Where("id = ?", id).Exec(ctx)
	return dbutil.MapErr(err, "runner")
}

// Delete revokes the runner and puts the stages it held back to the
// queue, in one transaction: whatever the runner reports about them
// afterwards is refused. On Postgres a claim for the runner running at the
// same time holds the runner's row (FOR SHARE) until it commits, so the
// stages it claimed are seen here and requeued too.
func (rs runnerStore) Delete(ctx context.Context, id int64) error {
	return rs.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*tables.Runner)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "runner")
		}
		if n, err := dbutil.Affected(res); err != nil || n == 0 {
			return notFoundOr(err, "runner %d", id)
		}
		return queue.RequeueHeld(ctx, tx, id)
	})
}
