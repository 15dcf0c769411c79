package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

type stepRow struct {
	bun.BaseModel `bun:"table:steps"`

	ID        int64       `bun:"id,pk,autoincrement"`
	StageID   int64       `bun:"stage_id"`
	Number    int         `bun:"number"`
	Name      string      `bun:"name"`
	Status    core.Status `bun:"status"`
	Error     string      `bun:"error"`
	ExitCode  int         `bun:"exit_code"`
	Detached  bool        `bun:"detached"`
	DependsOn []string    `bun:"depends_on"`
	Started   time.Time   `bun:"started,nullzero"`
	Finished  time.Time   `bun:"finished,nullzero"`
	Version   int64       `bun:"version"`
}

func (r *stepRow) core() *core.Step {
	return &core.Step{ID: r.ID, StageID: r.StageID, Number: r.Number, Name: r.Name, Status: r.Status,
		Error: r.Error, ExitCode: r.ExitCode, Detached: r.Detached, DependsOn: r.DependsOn,
		Started: r.Started, Finished: r.Finished, Version: r.Version}
}

func toStepRow(s *core.Step) *stepRow {
	return &stepRow{ID: s.ID, StageID: s.StageID, Number: s.Number, Name: s.Name, Status: s.Status,
		Error: s.Error, ExitCode: s.ExitCode, Detached: s.Detached, DependsOn: s.DependsOn,
		Started: s.Started, Finished: s.Finished, Version: s.Version}
}

type stepStore struct{ s *Store }

func (ss stepStore) Find(ctx context.Context, id int64) (*core.Step, error) {
	row := new(stepRow)
	if err := ss.s.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, mapErr(err, "step")
	}
	return row.core(), nil
}

func (ss stepStore) Update(ctx context.Context, s *core.Step) error {
	res, err := ss.s.db.NewUpdate().Model(toStepRow(s)).
		ExcludeColumn("id", "stage_id", "number", "version").
		Set("version = version + 1").
		Where("id = ? AND version = ?", s.ID, s.Version).Exec(ctx)
	if err != nil {
		return mapErr(err, "step")
	}
	n, err := affected(res)
	if err != nil {
		return err
	}
	if n == 0 {
		if _, err := ss.Find(ctx, s.ID); err != nil {
			return err
		}
		return core.Errorf(core.CodeConflict, "step %d was changed by someone else; reload and retry", s.ID)
	}
	s.Version++
	return nil
}
