package queue

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// heldStep is the condition that the runner holds the step's stage.
func heldStep(runnerID, stepID int64) sqlPart {
	return sqlPart{"EXISTS (SELECT 1 FROM steps JOIN stages ON stages.id = steps.stage_id " +
		"WHERE steps.id = ? AND stages.runner_id = ? AND stages.status = ?)",
		[]any{stepID, runnerID, core.StatusRunning}}
}

// AppendLogs stores lines of a step of a stage the runner holds, checking
// the hold in the statement that inserts: lines already stored (by
// number) are skipped, so a retried batch is harmless. The lines are
// capped by limits (see capLines); without a byte cap it is one
// statement, with one it reads and updates the step's byte count in the
// same transaction.
func (s reports) AppendLogs(ctx context.Context, runnerID, stepID int64, lines []*core.LogLine, limits core.LogLimits) error {
	if limits.Bytes <= 0 {
		capped, _ := capLines(lines, storedLog{}, limits)
		ins, ok := insertLogs(stepID, capped, heldStep(runnerID, stepID))
		if !ok {
			// Nothing to store past the cap; still refuse a runner that
			// does not hold the step.
			_, err := heldStepStage(ctx, s.db, runnerID, stepID)
			return err
		}
		return s.write(ctx, func(ctx context.Context, db bun.IDB) error {
			return s.insertHeld(ctx, db, ins, runnerID, stepID)
		})
	}
	return s.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		sl, err := readStoredLog(ctx, tx, stepID, limits, s.postgres)
		if core.ErrorCode(err) == core.CodeNotFound {
			_, err = heldStepStage(ctx, tx, runnerID, stepID) // no such step: not the runner's
		}
		if err != nil {
			return err
		}
		capped, after := capLines(lines, sl, limits)
		ins, ok := insertLogs(stepID, capped, heldStep(runnerID, stepID))
		if !ok {
			_, err := heldStepStage(ctx, tx, runnerID, stepID)
			return err
		}
		if err := s.insertHeld(ctx, tx, ins, runnerID, stepID); err != nil {
			return err
		}
		return countLogBytes(ctx, tx, stepID, sl.bytes, after)
	})
}

// insertHeld runs an insert of insertLogs conditioned on the hold: when
// it stores nothing, the lines were there already or the step is not
// the runner's, and only the second is an error.
func (s reports) insertHeld(ctx context.Context, db bun.IDB, ins sqlPart, runnerID, stepID int64) error {
	res, err := db.NewRaw(ins.sql, ins.args...).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "log")
	}
	if n, err := dbutil.Affected(res); err != nil || n > 0 {
		return err
	}
	_, err = heldStepStage(ctx, db, runnerID, stepID)
	return err
}

// insertLogs is the statement storing lines (already capped) of a step
// when cond holds; lines already stored (by number) are skipped. ok is
// false when there is no line to store.
func insertLogs(stepID int64, lines []*core.LogLine, cond sqlPart) (ins sqlPart, ok bool) {
	if len(lines) == 0 {
		return sqlPart{}, false
	}
	var values strings.Builder
	args := make([]any, 0, 4*len(lines)+len(cond.args))
	for i, l := range lines {
		if i > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(?, ?, ?, ?)")
		args = append(args, stepID, l.Number, l.Time, l.Text)
	}
	query := "INSERT INTO logs (step_id, number, time, text) " +
		"SELECT column1, column2, column3, column4 FROM (VALUES " + values.String() + ") AS v " +
		"WHERE " + cond.sql + " ON CONFLICT (step_id, number) DO NOTHING"
	return sqlPart{query, append(args, cond.args...)}, true
}
