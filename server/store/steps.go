package store

import (
	"context"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

type stepStore struct{ s *Store }

func (ss stepStore) Find(ctx context.Context, id int64) (*core.Step, error) {
	row := new(tables.Step)
	if err := ss.s.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "step")
	}
	return row.Core(), nil
}

func (ss stepStore) Update(ctx context.Context, s *core.Step) error {
	res, err := ss.s.db.NewUpdate().Model(tables.FromStep(s)).
		ExcludeColumn("id", "stage_id", "number", "version").
		Set("version = version + 1").
		Where("id = ? AND version = ?", s.ID, s.Version).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "step")
	}
	n, err := dbutil.Affected(res)
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
