package queue

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// Renew extends the lease of every running stage the runner holds
// and returns their ids.
func (s leases) Renew(ctx context.Context, runnerID int64, until time.Time) ([]int64, error) {
	ids := []int64{}
	err := s.db.NewUpdate().Model((*tables.Stage)(nil)).
		Set("lease_expires = ?", until.UTC()).
		Where("runner_id = ? AND status = ?", runnerID, core.StatusRunning).
		Returning("id").Scan(ctx, &ids)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, dbutil.MapErr(err, "stages")
	}
	return ids, nil
}

// Expired returns running stages whose lease ended before now.
func (s leases) Expired(ctx context.Context, now time.Time, limit int) ([]*core.Stage, error) {
	var rows []*tables.Stage
	err := s.db.NewSelect().Model(&rows).
		Where("status = ? AND lease_expires < ?", core.StatusRunning, now.UTC()).
		Order("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbutil.MapErr(err, "stages")
	}
	return tables.StagesCore(rows), nil
}

// Requeue puts a running stage whose lease expired back to pending,
// or ends it as error once it used maxAttempts. Its steps are reset and
// their logs kept as the attempt's (LogStore.ReadAttempt), since the
// stage runs again from the start. The
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
		return false, failSteps(ctx, tx, st.ID, msg, now) // the caller settles the build
	}
	// The attempt's lines are kept under its number (the claim counted
	// it), and the steps start over with empty logs.
	if _, err := tx.NewRaw("INSERT INTO log_attempts (step_id, attempt, number, time, text) "+
		"SELECT logs.step_id, (SELECT attempts FROM stages WHERE id = ?), logs.number, logs.time, logs.text FROM logs "+
		"WHERE logs.step_id IN (SELECT id FROM steps WHERE stage_id = ?) ON CONFLICT DO NOTHING", st.ID, st.ID).Exec(ctx); err != nil {
		return false, dbutil.MapErr(err, "log attempts")
	}
	if _, err := tx.NewDelete().Model((*tables.Log)(nil)).
		Where("step_id IN (SELECT id FROM steps WHERE stage_id = ?)", st.ID).Exec(ctx); err != nil {
		return false, dbutil.MapErr(err, "logs")
	}
	_, err = tx.NewUpdate().Model((*tables.Step)(nil)).
		Set("status = ?", core.StatusPending).Set("error = ''").Set("exit_code = 0").Set("log_bytes = 0").
		Set("started = NULL").Set("finished = NULL").Set("version = version + 1").
		Where("stage_id = ? AND status <> ?", st.ID, core.StatusSkipped).Exec(ctx)
	return true, dbutil.MapErr(err, "steps")
}

// failSteps ends the unfinished steps of a stage given up as error with
// the stage's reason, so none is left running or pending after it.
func failSteps(ctx context.Context, tx bun.Tx, stageID int64, msg string, now time.Time) error {
	if msg == "" {
		msg = "the stage was given up"
	}
	_, err := tx.NewUpdate().Model((*tables.Step)(nil)).
		Set("status = ?", core.StatusError).Set("error = ?", msg).
		Set("finished = ?", now).Set("version = version + 1").
		Where("stage_id = ? AND status IN (?, ?)", stageID, core.StatusPending, core.StatusRunning).Exec(ctx)
	return dbutil.MapErr(err, "steps")
}
