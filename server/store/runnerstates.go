package store

import (
	"context"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// RunnerStates returns the store of runners' pauses and running stages.
func (s *Store) RunnerStates() core.RunnerStateStore { return runnerStateStore{s} }

type runnerStateStore struct{ s *Store }

func (rs runnerStateStore) Pause(ctx context.Context, runnerID, by int64) error {
	res, err := rs.s.db.NewRaw("INSERT INTO paused_runners (runner_id, paused_by, created) "+
		"SELECT id, ?, ? FROM runners WHERE id = ? ON CONFLICT (runner_id) DO NOTHING",
		by, time.Now().UTC(), runnerID).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "runner pause")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 1 {
		return err
	}
	// Nothing inserted: paused already, or no such runner.
	n, err := rs.s.db.NewSelect().Table("runners").Where("id = ?", runnerID).Count(ctx)
	if err != nil {
		return dbutil.MapErr(err, "runner")
	}
	if n == 0 {
		return core.Errorf(core.CodeNotFound, "runner %d not found", runnerID)
	}
	return nil
}

func (rs runnerStateStore) Resume(ctx context.Context, runnerID int64) error {
	if _, err := rs.s.db.NewDelete().Table("paused_runners").Where("runner_id = ?", runnerID).Exec(ctx); err != nil {
		return dbutil.MapErr(err, "runner pause")
	}
	return nil
}

func (rs runnerStateStore) Paused(ctx context.Context, runnerID int64) (bool, error) {
	n, err := rs.s.db.NewSelect().Table("paused_runners").Where("runner_id = ?", runnerID).Count(ctx)
	if err != nil {
		return false, dbutil.MapErr(err, "runner pause")
	}
	return n > 0, nil
}

// runningRow is a running stage and the runner holding it.
type runningRow struct {
	RunnerID int64     `bun:"runner_id"`
	ID       int64     `bun:"id"`
	BuildID  int64     `bun:"build_id"`
	RepoID   int64     `bun:"repo_id"`
	Name     string    `bun:"name"`
	Started  time.Time `bun:"started,nullzero"`
}

func (rs runnerStateStore) States(ctx context.Context) (map[int64]*core.RunnerState, error) {
	out := map[int64]*core.RunnerState{}
	state := func(id int64) *core.RunnerState {
		if out[id] == nil {
			out[id] = &core.RunnerState{Running: []*core.RunningStage{}}
		}
		return out[id]
	}
	var paused []int64
	if err := rs.s.db.NewSelect().Table("paused_runners").Column("runner_id").Scan(ctx, &paused); err != nil {
		return nil, dbutil.MapErr(err, "runner pauses")
	}
	for _, id := range paused {
		state(id).Paused = true
	}
	var running []runningRow
	if err := rs.s.db.NewSelect().Table("stages").Column("runner_id", "id", "build_id", "repo_id", "name", "started").
		Where("status = ? AND runner_id <> 0", core.StatusRunning).Order("id").Scan(ctx, &running); err != nil {
		return nil, dbutil.MapErr(err, "running stages")
	}
	for _, r := range running {
		st := state(r.RunnerID)
		st.Running = append(st.Running, &core.RunningStage{ID: r.ID, BuildID: r.BuildID, RepoID: r.RepoID, Name: r.Name, Started: r.Started})
	}
	return out, nil
}
