package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

type stageRow struct {
	bun.BaseModel `bun:"table:stages"`

	ID        int64             `bun:"id,pk,autoincrement"`
	BuildID   int64             `bun:"build_id"`
	RepoID    int64             `bun:"repo_id"`
	Number    int               `bun:"number"`
	Name      string            `bun:"name"`
	Type      string            `bun:"type"`
	OS        string            `bun:"os"`
	Arch      string            `bun:"arch"`
	Labels    map[string]string `bun:"labels"`
	DependsOn []string          `bun:"depends_on"`
	Limit     int               `bun:"lim"`
	RunPolicy core.RunPolicy    `bun:"run_policy"`
	Status    core.Status       `bun:"status"`
	Error     string            `bun:"error"`
	ExitCode  int               `bun:"exit_code"`
	RunnerID  int64             `bun:"runner_id"`
	Machine   string            `bun:"machine"`
	Attempts  int               `bun:"attempts"`
	LeaseEnds time.Time         `bun:"lease_expires,nullzero"`
	Spec      []byte            `bun:"spec"`
	Started   time.Time         `bun:"started,nullzero"`
	Finished  time.Time         `bun:"finished,nullzero"`
	Created   time.Time         `bun:"created"`
	Updated   time.Time         `bun:"updated"`
	Version   int64             `bun:"version"`
}

func (r *stageRow) core() *core.Stage {
	return &core.Stage{
		ID: r.ID, BuildID: r.BuildID, RepoID: r.RepoID, Number: r.Number, Name: r.Name,
		Type: r.Type, OS: r.OS, Arch: r.Arch, Labels: r.Labels, DependsOn: r.DependsOn,
		Limit: r.Limit, RunPolicy: r.RunPolicy, Status: r.Status, Error: r.Error, ExitCode: r.ExitCode,
		RunnerID: r.RunnerID, Machine: r.Machine, Attempts: r.Attempts, LeaseEnds: r.LeaseEnds,
		Spec: r.Spec, Started: r.Started, Finished: r.Finished, Created: r.Created,
		Updated: r.Updated, Version: r.Version,
	}
}

func toStageRow(s *core.Stage) *stageRow {
	return &stageRow{
		ID: s.ID, BuildID: s.BuildID, RepoID: s.RepoID, Number: s.Number, Name: s.Name,
		Type: s.Type, OS: s.OS, Arch: s.Arch, Labels: s.Labels, DependsOn: s.DependsOn,
		Limit: s.Limit, RunPolicy: s.RunPolicy, Status: s.Status, Error: s.Error, ExitCode: s.ExitCode,
		RunnerID: s.RunnerID, Machine: s.Machine, Attempts: s.Attempts, LeaseEnds: s.LeaseEnds,
		Spec: s.Spec, Started: s.Started, Finished: s.Finished, Created: s.Created,
		Updated: s.Updated, Version: s.Version,
	}
}

// insertStages inserts a new build's stages and their steps.
func insertStages(ctx context.Context, tx bun.Tx, buildID, repoID int64, stages []*core.Stage, now time.Time) error {
	if len(stages) == 0 {
		return nil
	}
	rows := make([]*stageRow, len(stages))
	for i, s := range stages {
		s.BuildID, s.RepoID, s.Created, s.Updated, s.Version = buildID, repoID, now, now, 1
		if s.Number == 0 {
			s.Number = i + 1
		}
		rows[i] = toStageRow(s)
		rows[i].ID = 0
	}
	if _, err := tx.NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
		return mapErr(err, "stage")
	}
	var steps []*stepRow
	for i, s := range stages {
		s.ID = rows[i].ID
		for j, st := range s.Steps {
			st.StageID, st.Version = s.ID, 1
			if st.Number == 0 {
				st.Number = j + 1
			}
			steps = append(steps, toStepRow(st))
		}
	}
	if len(steps) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&steps).Returning("id").Exec(ctx); err != nil {
		return mapErr(err, "step")
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
	row := new(stageRow)
	if err := ss.s.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, mapErr(err, "stage")
	}
	return row.core(), nil
}

func (ss stageStore) ListBuild(ctx context.Context, buildID int64) ([]*core.Stage, error) {
	var rows []*stageRow
	if err := ss.s.db.NewSelect().Model(&rows).Where("build_id = ?", buildID).Order("number").Scan(ctx); err != nil {
		return nil, mapErr(err, "stages")
	}
	out := make([]*core.Stage, len(rows))
	byID := make(map[int64]*core.Stage, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.core()
		byID[r.ID] = out[i]
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var steps []*stepRow
	if err := ss.s.db.NewSelect().Model(&steps).Where("stage_id IN (?)", bun.List(ids)).Order("stage_id", "number").Scan(ctx); err != nil {
		return nil, mapErr(err, "steps")
	}
	for _, st := range steps {
		s := byID[st.StageID]
		s.Steps = append(s.Steps, st.core())
	}
	return out, nil
}

func (ss stageStore) Update(ctx context.Context, s *core.Stage) error {
	s.Updated = time.Now().UTC()
	res, err := ss.s.db.NewUpdate().Model(toStageRow(s)).
		ExcludeColumn("id", "build_id", "repo_id", "number", "created", "version").
		Set("version = version + 1").
		Where("id = ? AND version = ?", s.ID, s.Version).Exec(ctx)
	if err != nil {
		return mapErr(err, "stage")
	}
	n, err := affected(res)
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
