package queue

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// RequeueStage puts a running stage whose lease expired back to pending,
// or ends it as error once it used maxAttempts. Its steps are reset and
// their logs dropped, since the stage runs again from the start. The
// version check makes one replica's reaper win when several race.
func (s leases) Requeue(ctx context.Context, st *core.Stage, maxAttempts int) (requeued bool, err error) {
	giveUp := st.Attempts >= maxAttempts
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		requeued, err = requeue(ctx, tx, st, giveUp, "the runner stopped reporting and the stage used all its attempts")
		return err
	})
	if err == nil && giveUp {
		_, _, err = s.settleCommitted(ctx, st.BuildID, time.Now().UTC()) // the stage ended
	}
	return requeued, err
}

// RequeueHeld puts every running stage the runner holds back to pending,
// in tx: the runner store calls it in the transaction that revokes the
// runner.
func RequeueHeld(ctx context.Context, tx bun.Tx, runnerID int64) error {
	var held []*tables.Stage
	if err := tx.NewSelect().Model(&held).ExcludeColumn("spec").
		Where("runner_id = ? AND status = ?", runnerID, core.StatusRunning).Scan(ctx); err != nil {
		return dbutil.MapErr(err, "stages")
	}
	for _, r := range held {
		if _, err := requeue(ctx, tx, r.Core(), false, ""); err != nil {
			return err
		}
	}
	return nil
}

// requeue puts a running stage (at st.Version) back to pending, or ends it
// as error with msg when giveUp (the caller then settles the build after
// the commit); it reports whether it requeued.
func requeue(ctx context.Context, tx bun.Tx, st *core.Stage, giveUp bool, msg string) (bool, error) {
	now := time.Now().UTC()
	status := core.StatusPending
	if giveUp {
		status = core.StatusError
	} else {
		msg = ""
	}
	q := tx.NewUpdate().Model((*tables.Stage)(nil)).
		Set("status = ?", status).
		Set("error = ?", msg).
		Set("runner_id = 0").
		Set("machine = ''").
		Set("lease_expires = NULL").
		Set("updated = ?", now).
		Set("version = version + 1").
		Where("id = ? AND version = ? AND status = ?", st.ID, st.Version, core.StatusRunning)
	if giveUp {
		q = q.Set("finished = ?", now)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, dbutil.MapErr(err, "stage")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return false, err // another replica got there first
	}
	if giveUp {
		return false, nil // the caller settles the build
	}
	if _, err := tx.NewDelete().Model((*tables.Log)(nil)).
		Where("step_id IN (SELECT id FROM steps WHERE stage_id = ?)", st.ID).Exec(ctx); err != nil {
		return false, dbutil.MapErr(err, "logs")
	}
	_, err = tx.NewUpdate().Model((*tables.Step)(nil)).
		Set("status = ?", core.StatusPending).Set("error = ''").Set("exit_code = 0").
		Set("started = NULL").Set("finished = NULL").Set("version = version + 1").
		Where("stage_id = ? AND status <> ?", st.ID, core.StatusSkipped).Exec(ctx)
	return true, dbutil.MapErr(err, "steps")
}

// CancelBuild kills a build that is not finished: stages not yet running
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

// ReleaseClaim gives back a stage claimed for a runner that never received
// it: pending again, without counting the attempt. It changes nothing
// once the stage changed since the claim (st.Version).
func (s claims) Release(ctx context.Context, st *core.Stage) error {
	_, err := s.db.NewUpdate().Model((*tables.Stage)(nil)).
		Set("status = ?", core.StatusPending).
		Set("runner_id = 0").
		Set("machine = ''").
		Set("started = NULL").
		Set("lease_expires = NULL").
		Set("attempts = attempts - 1").
		Set("version = version + 1").
		Where("id = ? AND runner_id = ? AND status = ? AND version = ?", st.ID, st.RunnerID, core.StatusRunning, st.Version).Exec(ctx)
	return dbutil.MapErr(err, "stage")
}

// ApproveBuild releases a blocked build: its stages become pending, or
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

// DeclineBuild refuses a blocked build: it ends declined, its stages skipped.
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

// KilledStages returns the running stages the runner holds whose build
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
