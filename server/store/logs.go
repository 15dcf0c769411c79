package store

import (
	"context"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

type logStore struct{ s *Store }

// Append inserts the lines, skipping numbers already stored, so a batch
// retried after a lost answer is not stored twice.
func (ls logStore) Append(ctx context.Context, stepID int64, lines []*core.LogLine) error {
	if len(lines) == 0 {
		return nil
	}
	rows := make([]*tables.Log, len(lines))
	for i, l := range lines {
		rows[i] = &tables.Log{StepID: stepID, Number: l.Number, Time: l.Time, Text: l.Text}
	}
	_, err := ls.s.db.NewInsert().Model(&rows).On("CONFLICT (step_id, number) DO NOTHING").Exec(ctx)
	return dbutil.MapErr(err, "log")
}

func (ls logStore) Read(ctx context.Context, stepID int64, offset int64, limit int) ([]*core.LogLine, error) {
	var rows []*tables.Log
	err := ls.s.db.NewSelect().Model(&rows).Where("step_id = ? AND number >= ?", stepID, offset).
		Order("number").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbutil.MapErr(err, "log")
	}
	out := make([]*core.LogLine, len(rows))
	for i, r := range rows {
		out[i] = &core.LogLine{Number: r.Number, Time: r.Time, Text: r.Text}
	}
	return out, nil
}

// ReadAttempt reads the lines an earlier attempt of the step left, kept in
// log_attempts when its stage was requeued.
func (ls logStore) ReadAttempt(ctx context.Context, stepID int64, attempt int, offset int64, limit int) ([]*core.LogLine, error) {
	var rows []*tables.Log
	err := ls.s.db.NewSelect().TableExpr("log_attempts").Column("step_id", "number", "time", "text").
		Where("step_id = ? AND attempt = ? AND number >= ?", stepID, attempt, offset).
		Order("number").Limit(int64(limit)).Scan(ctx, &rows)
	if err != nil {
		return nil, dbutil.MapErr(err, "log")
	}
	out := make([]*core.LogLine, len(rows))
	for i, r := range rows {
		out[i] = &core.LogLine{Number: r.Number, Time: r.Time, Text: r.Text}
	}
	return out, nil
}
