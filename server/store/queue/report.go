package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// What a runner reports on the stages it holds: its steps' states and a
// stage's end (its logs are in heldlogs.go).

// errNotHeld is the answer to a runner that reports on a stage it does not
// hold (any more): its lease expired, the stage was requeued, or it never
// had it.
func errNotHeld(stageID int64) error {
	return core.Errorf(core.CodeConflict, "stage %d is not held by this runner (lease expired or stage reassigned)", stageID)
}

// Held returns the stage if the runner holds it.
func (s reports) Held(ctx context.Context, runnerID, stageID int64) (*core.Stage, error) {
	st, err := s.stages.Find(ctx, stageID)
	if err != nil {
		return nil, err
	}
	if st.RunnerID != runnerID || st.Status != core.StatusRunning {
		return nil, errNotHeld(stageID)
	}
	return st, nil
}

// UpdateStep saves a step of a stage the runner holds.
func (s reports) UpdateStep(ctx context.Context, runnerID int64, st *core.Step) error {
	return s.write(ctx, func(ctx context.Context, db bun.IDB) error {
		res, err := db.NewUpdate().Model(tables.FromStep(st)).
			Column("status", "error", "exit_code", "started", "finished").
			Set("version = version + 1").
			Where("id = ?", st.ID).
			Where("stage_id IN (SELECT id FROM stages WHERE runner_id = ? AND status = ?)", runnerID, core.StatusRunning).
			Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "step")
		}
		if n, err := dbutil.Affected(res); err != nil || n == 0 {
			return dbutil.NoRowOr(err, core.CodeConflict, "step %d does not belong to a stage this runner holds", st.ID)
		}
		return nil
	})
}

// heldStepStage returns the id of the stage of a step, checking that the
// runner holds it.
func heldStepStage(ctx context.Context, db bun.IDB, runnerID, stepID int64) (int64, error) {
	var stageID int64
	err := db.NewSelect().Model((*tables.Step)(nil)).Column("step_row.stage_id").
		Join("JOIN stages AS st ON st.id = step_row.stage_id").
		Where("step_row.id = ? AND st.runner_id = ? AND st.status = ?", stepID, runnerID, core.StatusRunning).
		Scan(ctx, &stageID)
	if err != nil {
		if core.ErrorCode(dbutil.MapErr(err, "step")) == core.CodeNotFound {
			return 0, core.Errorf(core.CodeConflict, "step %d does not belong to a stage this runner holds", stepID)
		}
		return 0, dbutil.MapErr(err, "step")
	}
	return stageID, nil
}

// Finish records the final status of a stage the runner holds and
// of the steps st carries (they must be its own), with the log lines
// those steps carry (capped by limits as AppendLogs caps them), then
// settles its build: waiting stages whose dependencies are done become
// pending or skipped, and the build finishes with its last stage. It
// reports whether any stage became pending and whether it finished the
// build.
func (s reports) Finish(ctx context.Context, runnerID int64, st *core.Stage, limits core.LogLimits) (promoted, buildDone bool, err error) {
	now := time.Now().UTC()
	if st.Finished.IsZero() {
		st.Finished = now
	}
	if s.postgres {
		// One statement ends the stage and its steps; the settle reads
		// after it committed (see settle).
		buildID, err := s.endStagePostgres(ctx, runnerID, st, now, limits)
		if err != nil {
			return false, false, err
		}
		st.BuildID = buildID
		if promoted, buildDone, err = s.settleCommitted(ctx, buildID, now); err != nil {
			return false, false, err
		}
	} else {
		err = s.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			// The build is taken from the row, never from what the runner sent.
			var buildID int64
			set := endSet(st, now)
			err := tx.NewUpdate().Model((*tables.Stage)(nil)).Set(set.sql, set.args...).
				Where("id = ? AND runner_id = ? AND status = ?", st.ID, runnerID, core.StatusRunning).
				Returning("build_id").Scan(ctx, &buildID)
			if errors.Is(err, sql.ErrNoRows) {
				return errNotHeld(st.ID)
			}
			if err != nil {
				return dbutil.MapErr(err, "stage")
			}
			st.BuildID = buildID
			if err := closeSteps(ctx, tx, st.ID, st.Steps); err != nil {
				return err
			}
			for _, step := range st.Steps {
				if err := storeFinalLogs(ctx, tx, step, limits); err != nil {
					return err
				}
			}
			promoted, buildDone, err = settle(ctx, tx, buildID, now)
			return err
		})
		if err != nil {
			return false, false, err
		}
	}
	for _, step := range st.Steps {
		step.Version++
	}
	return promoted, buildDone, nil
}

// endSet is the SET of a stage's final report.
func endSet(st *core.Stage, now time.Time) sqlPart {
	return sqlPart{"status = ?, error = ?, exit_code = ?, finished = ?, lease_expires = NULL, updated = ?, version = version + 1",
		[]any{st.Status, st.Error, st.ExitCode, st.Finished.UTC(), now}}
}

// endStagePostgres records, in one statement, the stage's final status,
// the final state of the steps its report carries and their log lines,
// and skips its steps never reported; it returns the stage's build. A
// report carrying a step of another stage changes nothing.
func (s reports) endStagePostgres(ctx context.Context, runnerID int64, st *core.Stage, now time.Time, limits core.LogLimits) (int64, error) {
	set := endSet(st, now)
	stepSet, stepWhere := closingSteps(st.ID, st.Steps)
	ids := make([]int64, len(st.Steps))
	for i, step := range st.Steps {
		ids[i] = step.ID
	}
	own := sqlPart{"TRUE", nil}
	if len(ids) > 0 {
		own = sqlPart{"(SELECT count(*) FROM steps WHERE stage_id = ? AND id IN (?)) = ?", []any{st.ID, bun.List(ids), len(ids)}}
	}
	query := "WITH st AS (UPDATE stages SET " + set.sql +
		" WHERE id = ? AND runner_id = ? AND status = ? AND " + own.sql + " RETURNING build_id), " +
		"sk AS (UPDATE steps SET " + stepSet.sql + " WHERE EXISTS (SELECT 1 FROM st) AND " + stepWhere.sql + " RETURNING steps.id) "
	args := append(set.args, st.ID, runnerID, core.StatusRunning)
	args = append(append(append(args, own.args...), stepSet.args...), stepWhere.args...)
	for i, step := range st.Steps {
		// The count is read outside the statement: the step's log takes
		// no line after its stage's end, so no later batch races it.
		sl, err := readStoredLog(ctx, s.db, step.ID, limits, false)
		if err != nil && core.ErrorCode(err) != core.CodeNotFound {
			return 0, err
		}
		capped, _ := capLines(step.Logs, sl, limits)
		if ins, ok := insertLogs(step.ID, capped, sqlPart{"EXISTS (SELECT 1 FROM st)", nil}); ok {
			query += fmt.Sprintf(", lg%d AS (%s) ", i, ins.sql)
			args = append(args, ins.args...)
		}
	}
	query += "SELECT (SELECT build_id FROM st) AS build_id, ARRAY(SELECT id FROM sk) AS changed"
	var buildID sql.NullInt64
	var changed []int64
	if err := s.db.NewRaw(query, args...).Scan(ctx, &buildID, pgdialect.Array(&changed)); err != nil {
		return 0, dbutil.MapErr(err, "stage")
	}
	if !buildID.Valid {
		if _, err := s.Held(ctx, runnerID, st.ID); err != nil || len(ids) == 0 {
			return 0, errNotHeld(st.ID)
		}
		var own []int64 // held: so a reported step was not the stage's
		if err := s.db.NewSelect().Model((*tables.Step)(nil)).Column("id").Where("stage_id = ?", st.ID).Scan(ctx, &own); err != nil {
			return 0, dbutil.MapErr(err, "steps")
		}
		return 0, checkClosed(st.ID, st.Steps, own)
	}
	return buildID.Int64, checkClosed(st.ID, st.Steps, changed)
}

// closeSteps records the final state of the reported steps (they must be
// the stage's) and marks the stage's other steps still pending or running
// skipped.
func closeSteps(ctx context.Context, tx bun.Tx, stageID int64, reported []*core.Step) error {
	set, where := closingSteps(stageID, reported)
	var changed []int64
	err := tx.NewUpdate().Model((*tables.Step)(nil)).Set(set.sql, set.args...).Where(where.sql, where.args...).
		Returning("id").Scan(ctx, &changed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return dbutil.MapErr(err, "steps")
	}
	return checkClosed(stageID, reported, changed)
}

// sqlPart is a piece of SQL with its arguments.
type sqlPart struct {
	sql  string
	args []any
}

// closingSteps returns the SET and WHERE of closeSteps's UPDATE.
func closingSteps(stageID int64, reported []*core.Step) (set, where sqlPart) {
	open := bun.List([]core.Status{core.StatusPending, core.StatusRunning})
	if len(reported) == 0 {
		return sqlPart{"status = ?, version = version + 1", []any{core.StatusSkipped}},
			sqlPart{"stage_id = ? AND status IN (?)", []any{stageID, open}}
	}
	ids := make([]int64, len(reported))
	for i, step := range reported {
		ids[i] = step.ID
	}
	var b strings.Builder
	col := func(name string, elseExpr string, value func(*core.Step) any) {
		b.WriteString(name + " = CASE id")
		for _, step := range reported {
			b.WriteString(" WHEN ? THEN ?")
			set.args = append(set.args, step.ID, value(step))
		}
		b.WriteString(" ELSE " + elseExpr + " END, ")
	}
	col("status", "'"+string(core.StatusSkipped)+"'", func(s *core.Step) any { return s.Status })
	col("error", "error", func(s *core.Step) any { return s.Error })
	col("exit_code", "exit_code", func(s *core.Step) any { return s.ExitCode })
	col("started", "started", func(s *core.Step) any { return nullTime(s.Started) })
	col("finished", "finished", func(s *core.Step) any { return nullTime(s.Finished) })
	b.WriteString("version = version + 1")
	set.sql = b.String()
	return set, sqlPart{"stage_id = ? AND (id IN (?) OR status IN (?))", []any{stageID, bun.List(ids), open}}
}

// checkClosed refuses a report whose steps were not all the stage's.
func checkClosed(stageID int64, reported []*core.Step, changed []int64) error {
	for _, step := range reported {
		if !slices.Contains(changed, step.ID) {
			return core.Errorf(core.CodeInvalid, "step %d is not a step of stage %d", step.ID, stageID)
		}
	}
	return nil
}

// nullTime is t, or NULL when t is zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}
