package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// insertStages inserts a new build's stages and their steps.
func insertStages(ctx context.Context, tx bun.Tx, buildID, repoID int64, stages []*core.Stage, now time.Time) error {
	if len(stages) == 0 {
		return nil
	}
	rows := make([]*tables.Stage, len(stages))
	for i, s := range stages {
		s.BuildID, s.RepoID, s.Created, s.Updated, s.Version = buildID, repoID, now, now, 1
		if s.Number == 0 {
			s.Number = i + 1
		}
		rows[i] = tables.FromStage(s)
		rows[i].ID = 0
	}
	if _, err := tx.NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "stage")
	}
	var steps []*tables.Step
	for i, s := range stages {
		s.ID = rows[i].ID
		for j, st := range s.Steps {
			st.StageID, st.Version = s.ID, 1
			if st.Number == 0 {
				st.Number = j + 1
			}
			steps = append(steps, tables.FromStep(st))
		}
	}
	if len(steps) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&steps).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "step")
	}
	k := 0
	for _, s := range stages {
		for _, st := range s.Steps {
			st.ID = steps[k].ID
			k++
		}
	}
	return nil
}

type stageStore struct{ s *Store }

func (ss stageStore) Find(ctx context.Context, id int64) (*core.Stage, error) {
	row := new(tables.Stage)
	if err := ss.s.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "stage")
	}
	return row.Core(), nil
}

func (ss stageStore) ListBuild(ctx context.Context, buildID int64) ([]*core.Stage, error) {
	var rows []*tables.Stage
	if err := ss.s.db.NewSelect().Model(&rows).Where("build_id = ?", buildID).Order("number").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "stages")
	}
	out := make([]*core.Stage, len(rows))
	byID := make(map[int64]*core.Stage, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
		byID[r.ID] = out[i]
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var steps []*tables.Step
	if err := ss.s.db.NewSelect().Model(&steps).Where("stage_id IN (?)", bun.List(ids)).Order("stage_id", "number").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "steps")
	}
	for _, st := range steps {
		s := byID[st.StageID]
		s.Steps = append(s.Steps, st.Core())
	}
	return out, nil
}

func (ss stageStore) Update(ctx context.Context, s *core.Stage) error {
	s.Updated = time.Now().UTC()
	res, err := ss.s.db.NewUpdate().Model(tables.FromStage(s)).
		ExcludeColumn("id", "build_id", "repo_id", "number", "created", "version").
		Set("version = version + 1").
		Where("id = ? AND version = ?", s.ID, s.Version).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "stage")
	}
	n, err := dbutil.Affected(res)
	if err != nil {
		return err
	}
	if n == 0 {
		if _, err := ss.Find(ctx, s.ID); err != nil {
			return err
		}
		return core.Errorf(core.CodeConflict, "stage %d was changed by someone else; reload and retry", s.ID)
	}
	s.Version++
	return nil
}
