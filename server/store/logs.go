package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

type logRow struct {
	bun.BaseModel `bun:"table:logs"`

	StepID int64  `bun:"step_id,pk"`
	Number int64  `bun:"number,pk"`
	Time   int64  `bun:"time"`
	Text   string `bun:"text"`
}

type logStore struct{ s *Store }

// Append inserts the lines, skipping numbers already stored, so a batch
// retried after a lost answer is not stored twice.
func (ls logStore) Append(ctx context.Context, stepID int64, lines []*core.LogLine) error {
	if len(lines) == 0 {
		return nil
	}
	rows := make([]*logRow, len(lines))
	for i, l := range lines {
		rows[i] = &logRow{StepID: stepID, Number: l.Number, Time: l.Time, Text: l.Text}
	}
	_, err := ls.s.db.NewInsert().Model(&rows).On("CONFLICT (step_id, number) DO NOTHING").Exec(ctx)
	return mapErr(err, "log")
}

func (ls logStore) Read(ctx context.Context, stepID int64, offset int64, limit int) ([]*core.LogLine, error) {
	var rows []*logRow
	err := ls.s.db.NewSelect().Model(&rows).Where("step_id = ? AND number >= ?", stepID, offset).
		Order("number").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "log")
	}
	out := make([]*core.LogLine, len(rows))
	for i, r := range rows {
		out[i] = &core.LogLine{Number: r.Number, Time: r.Time, Text: r.Text}
	}
	return out, nil
}
