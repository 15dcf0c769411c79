package queue

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// Cancel kills a build that is not finished: stages not yet running
// are skipped, running ones keep running until their runner, told through
// Watch, reports them killed. It returns the build as saved.
func (s control) Cancel(ctx context.Context, buildID int64) (*core.Build, error) {
	now := time.Now().UTC()
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		b := new(tables.Build)
		if err := tx.NewSelect().Model(b).Where("id = ?", buildID).Scan(ctx); err != nil {
			return dbutil.MapErr(err, "build")
		}
		if b.Status.Done() {
			return core.Errorf(core.CodeConflict, "build %d already finished (%s)", b.Number, b.Status)
		}
		if _, err := tx.NewUpdate().Model((*tables.Stage)(nil)).
			Set("status = ?", core.StatusSkipped).Set("finished = ?", now).Set("updated = ?", now).
			Set("version = version + 1").
			Where("build_id = ? AND status IN (?)", buildID,
				bun.List([]core.Status{core.StatusPending, core.StatusWaiting, core.StatusBlocked})).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "stages")
		}
		res, err := tx.NewUpdate().Model((*tables.Build)(nil)).
			Set("status = ?", core.StatusKilled).Set("updated = ?", now).Set("version = version + 1").
			Where("id = ? AND status NOT IN (?)", buildID, bun.List(finalBuildStatuses)).Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "build")
		}
		if n, err := dbutil.Affected(res); err != nil || n == 0 {
			return dbutil.NoRowOr(err, core.CodeConflict, "build %d already finished", b.Number)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, _, err := s.settleCommitted(ctx, buildID, now); err != nil {
		return nil, err
	}
	return s.builds.Find(ctx, buildID)
}

// Approve releases a blocked build: its stages become pending, or
// waiting when they depend on others.
func (s control) Approve(ctx context.Context, buildID int64) error {
	now := time.Now().UTC()
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := blockedBuild(ctx, tx, buildID); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*tables.Stage)(nil)).
			Set("status = CASE WHEN depends_on = '[]' OR depends_on = '' OR depends_on = 'null' THEN ? ELSE ? END",
				core.StatusPending, core.StatusWaiting).
			Set("updated = ?", now).Set("version = version + 1").
			Where("build_id = ? AND status = ?", buildID, core.StatusBlocked).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "stages")
		}
		_, err := tx.NewUpdate().Model((*tables.Build)(nil)).
			Set("status = ?", core.StatusPending).Set("updated = ?", now).Set("version = version + 1").
			Where("id = ?", buildID).Exec(ctx)
		return dbutil.MapErr(err, "build")
	})
}

// Decline refuses a blocked build: it ends declined, its stages skipped.
func (s control) Decline(ctx context.Context, buildID int64) error {
	now := time.Now().UTC()
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := blockedBuild(ctx, tx, buildID); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*tables.Stage)(nil)).
			Set("status = ?", core.StatusSkipped).Set("finished = ?", now).
			Set("updated = ?", now).Set("version = version + 1").
			Where("build_id = ?", buildID).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "stages")
		}
		_, err := tx.NewUpdate().Model((*tables.Build)(nil)).
			Set("status = ?", core.StatusDeclined).Set("finished = ?", now).
			Set("updated = ?", now).Set("version = version + 1").
			Where("id = ?", buildID).Exec(ctx)
		return dbutil.MapErr(err, "build")
	})
}

func blockedBuild(ctx context.Context, tx bun.Tx, buildID int64) error {
	b := new(tables.Build)
	if err := tx.NewSelect().Model(b).Where("id = ?", buildID).Scan(ctx); err != nil {
		return dbutil.MapErr(err, "build")
	}
	if b.Status != core.StatusBlocked {
		return core.Errorf(core.CodeConflict, "build %d is %s, not waiting for approval", b.Number, b.Status)
	}
	return nil
}

// Killed returns the running stages the runner holds whose build
// was cancelled: the runner must stop them.
func (s control) Killed(ctx context.Context, runnerID int64) ([]int64, error) {
	var ids []int64
	err := s.db.NewSelect().TableExpr("stages AS s").ColumnExpr("s.id").
		Join("JOIN builds AS b ON b.id = s.build_id").
		Where("s.runner_id = ? AND s.status = ? AND b.status = ?", runnerID, core.StatusRunning, core.StatusKilled).
		Order("s.id").Scan(ctx, &ids)
	if err != nil {
		return nil, dbutil.MapErr(err, "stages")
	}
	return ids, nil
}

// BuildRunners returns the runners holding running stages of the build.
func (s control) BuildRunners(ctx context.Context, buildID int64) ([]int64, error) {
	var ids []int64
	err := s.db.NewSelect().Model((*tables.Stage)(nil)).Distinct().Column("runner_id").
		Where("build_id = ? AND status = ? AND runner_id <> 0", buildID, core.StatusRunning).
		Scan(ctx, &ids)
	if err != nil {
		return nil, dbutil.MapErr(err, "stages")
	}
	return ids, nil
}
