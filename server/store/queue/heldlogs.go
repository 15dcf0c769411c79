package queue

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// AppendLogs stores lines of a step of a stage the runner holds, in
// one statement that checks the hold: lines already stored (by number)
// are skipped, so a retried batch is harmless. With maxLines > 0 a step
// keeps lines 0..maxLines-1, then one marker line saying the log was cut;
// later lines are dropped.
func (s reports) AppendLogs(ctx context.Context, runnerID, stepID int64, lines []*core.LogLine, maxLines int64) error {
	ins, ok := insertLogs(stepID, lines, maxLines, sqlPart{
		"EXISTS (SELECT 1 FROM steps JOIN stages ON stages.id = steps.stage_id " +
			"WHERE steps.id = ? AND stages.runner_id = ? AND stages.status = ?)",
		[]any{stepID, runnerID, core.StatusRunning}})
	if !ok {
		// Nothing to store past the cap; still refuse a runner that does
		// not hold the step.
		_, err := heldStepStage(ctx, s.db, runnerID, stepID)
		return err
	}
	return s.write(ctx, func(ctx context.Context, db bun.IDB) error {
		res, err := db.NewRaw(ins.sql, ins.args...).Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "log")
		}
		if n, err := dbutil.Affected(res); err != nil || n > 0 {
			return err
		}
		// Nothing stored: the lines were there already, or the step is
		// not the runner's; only the second is an error.
		_, err = heldStepStage(ctx, db, runnerID, stepID)
		return err
	})
}

// insertLogs is the statement storing lines of a step when cond holds:
// lines already stored (by number) are skipped, and with maxLines > 0 the
// step keeps lines 0..maxLines-1, then one marker line saying the log was
// cut. ok is false when no line is left to store.
func insertLogs(stepID int64, lines []*core.LogLine, maxLines int64, cond sqlPart) (ins sqlPart, ok bool) {
	var values strings.Builder
	args := make([]any, 0, 4*len(lines)+len(cond.args))
	for _, l := range lines {
		text := l.Text
		if maxLines > 0 && l.Number >= maxLines {
			if l.Number > maxLines {
				continue
			}
			text = core.TruncatedMarker(maxLines)
		}
		if values.Len() > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(?, ?, ?, ?)")
		args = append(args, stepID, l.Number, l.Time, text)
	}
	if len(args) == 0 {
		return sqlPart{}, false
	}
	query := "INSERT INTO logs (step_id, number, time, text) " +
		"SELECT column1, column2, column3, column4 FROM (VALUES " + values.String() + ") AS v " +
		"WHERE " + cond.sql + " ON CONFLICT (step_id, number) DO NOTHING"
	return sqlPart{query, append(args, cond.args...)}, true
}
