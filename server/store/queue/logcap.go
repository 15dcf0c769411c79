package queue

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// storedLog is what a step's log holds: the number after its last line
// and the bytes of text counted against the cap (past limits.Bytes once
// the log was cut).
type storedLog struct {
	next  int64
	bytes int64
}

// readStoredLog reads what the step's log holds when a byte cap needs it;
// lock (Postgres) keeps the step's row until the transaction ends, so two
// batches of one step do not both count from the same figure.
func readStoredLog(ctx context.Context, db bun.IDB, stepID int64, limits core.LogLimits, lock bool) (storedLog, error) {
	var sl storedLog
	if limits.Bytes <= 0 {
		return sl, nil
	}
	query := "SELECT log_bytes, (SELECT COALESCE(MAX(number) + 1, 0) FROM logs WHERE step_id = ?) FROM steps WHERE id = ?"
	if lock {
		query += " FOR UPDATE"
	}
	err := db.NewRaw(query, stepID, stepID).Scan(ctx, &sl.bytes, &sl.next)
	if err != nil {
		return sl, dbutil.MapErr(err, "step")
	}
	return sl, nil
}

// capLines returns the lines to store after what the log holds, within
// limits, and the bytes the log then holds. Lines numbered before
// sl.next are kept as they are (the insert skips those already stored)
// and not counted again; a long line is cut; the first line past a cap
// becomes its marker and later ones are dropped. lines is not changed.
func capLines(lines []*core.LogLine, sl storedLog, limits core.LogLimits) ([]*core.LogLine, int64) {
	out := make([]*core.LogLine, 0, len(lines))
	bytes := sl.bytes
	cut := limits.Bytes > 0 && bytes > limits.Bytes
	for _, l := range lines {
		line := *l
		line.Text = core.CutLine(line.Text, limits.LineBytes)
		switch {
		case limits.Lines > 0 && line.Number > limits.Lines:
			continue
		case limits.Lines > 0 && line.Number == limits.Lines:
			line.Text = core.TruncatedMarker(limits.Lines)
		case line.Number < sl.next:
			// stored already, or a gap filled late: not counted
		case cut:
			continue
		case limits.Bytes > 0 && bytes+int64(len(line.Text)) > limits.Bytes:
			line.Text = core.BytesMarker(limits.Bytes)
			bytes, cut = limits.Bytes+1, true
		default:
			bytes += int64(len(line.Text))
		}
		out = append(out, &line)
	}
	return out, bytes
}

// countLogBytes records the bytes the step's log holds after an insert.
func countLogBytes(ctx context.Context, db bun.IDB, stepID, before, after int64) error {
	if after == before {
		return nil
	}
	_, err := db.NewRaw("UPDATE steps SET log_bytes = ? WHERE id = ?", after, stepID).Exec(ctx)
	return dbutil.MapErr(err, "step")
}

// storeFinalLogs stores the lines a step's final report carries, capped,
// in the transaction that ends its stage.
func storeFinalLogs(ctx context.Context, tx bun.Tx, step *core.Step, limits core.LogLimits) error {
	sl, err := readStoredLog(ctx, tx, step.ID, limits, false)
	if err != nil {
		return err
	}
	capped, after := capLines(step.Logs, sl, limits)
	ins, ok := insertLogs(step.ID, capped, sqlPart{"TRUE", nil})
	if !ok {
		return nil
	}
	if _, err := tx.NewRaw(ins.sql, ins.args...).Exec(ctx); err != nil {
		return dbutil.MapErr(err, "log")
	}
	return countLogBytes(ctx, tx, step.ID, sl.bytes, after)
}
