package tables

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// Stage is a row of the stages table.
type Stage struct {
	bun.BaseModel `bun:"table:stages,alias:stage_row"`

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

// Core returns the row as core sees it.
func (r *Stage) Core() *core.Stage {
	return &core.Stage{
		ID: r.ID, BuildID: r.BuildID, RepoID: r.RepoID, Number: r.Number, Name: r.Name,
		Type: r.Type, OS: r.OS, Arch: r.Arch, Labels: r.Labels, DependsOn: r.DependsOn,
		Limit: r.Limit, RunPolicy: r.RunPolicy, Status: r.Status, Error: r.Error, ExitCode: r.ExitCode,
		RunnerID: r.RunnerID, Machine: r.Machine, Attempts: r.Attempts, LeaseEnds: r.LeaseEnds,
		Spec: r.Spec, Started: r.Started, Finished: r.Finished, Created: r.Created,
		Updated: r.Updated, Version: r.Version,
	}
}

// FromStage returns the row of a stage.
func FromStage(s *core.Stage) *Stage {
	return &Stage{
		ID: s.ID, BuildID: s.BuildID, RepoID: s.RepoID, Number: s.Number, Name: s.Name,
		Type: s.Type, OS: s.OS, Arch: s.Arch, Labels: s.Labels, DependsOn: s.DependsOn,
		Limit: s.Limit, RunPolicy: s.RunPolicy, Status: s.Status, Error: s.Error, ExitCode: s.ExitCode,
		RunnerID: s.RunnerID, Machine: s.Machine, Attempts: s.Attempts, LeaseEnds: s.LeaseEnds,
		Spec: s.Spec, Started: s.Started, Finished: s.Finished, Created: s.Created,
		Updated: s.Updated, Version: s.Version,
	}
}

// StagesCore converts rows to core's stages, in their order.
func StagesCore(rows []*Stage) []*core.Stage {
	out := make([]*core.Stage, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out
}
