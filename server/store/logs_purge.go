package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// PurgeBuild deletes the build's lines from logs and log_attempts, zeroes
// its steps' byte counts and marks the build, in one transaction.
func (ls logStore) PurgeBuild(ctx context.Context, buildID int64, at time.Time) (int64, error) {
	var deleted int64
	err := ls.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		exists, err := tx.NewSelect().Model((*tables.Build)(nil)).Where("id = ?", buildID).Exists(ctx)
		if err != nil {
			return dbutil.MapErr(err, "build")
		}
		if !exists {
			return core.Errorf(core.CodeNotFound, "build %d not found", buildID)
		}
		steps := tx.NewSelect().TableExpr("steps").Column("steps.id").
			Join("JOIN stages ON stages.id = steps.stage_id").Where("stages.build_id = ?", buildID)
		for _, table := range []string{"logs", "log_attempts"} {
			res, err := tx.NewDelete().TableExpr(table).Where("step_id IN (?)", steps).Exec(ctx)
			if err != nil {
				return dbutil.MapErr(err, "log")
			}
			n, err := dbutil.Affected(res)
			if err != nil {
				return err
			}
			deleted += n
		}
		if _, err := tx.NewUpdate().TableExpr("steps").Set("log_bytes = 0").Where("id IN (?)", steps).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "steps")
		}
		_, err = tx.NewUpdate().Model((*tables.Build)(nil)).Set("logs_purged = ?", at.UTC()).
			Where("id = ? AND logs_purged IS NULL", buildID).Exec(ctx)
		return dbutil.MapErr(err, "build")
	})
	return deleted, err
}
