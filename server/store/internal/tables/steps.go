package tables

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// Step is a row of the steps table.
type Step struct {
	bun.BaseModel `bun:"table:steps,alias:step_row"`

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
	LogBytes  int64       `bun:"log_bytes"` // bytes of text its log stores (the cap's count)
}

// Core returns the row as core sees it.
func (r *Step) Core() *core.Step {
	return &core.Step{ID: r.ID, StageID: r.StageID, Number: r.Number, Name: r.Name, Status: r.Status,
		Error: r.Error, ExitCode: r.ExitCode, Detached: r.Detached, DependsOn: r.DependsOn,
		Started: r.Started, Finished: r.Finished, Version: r.Version}
}

// FromStep returns the row of a step.
func FromStep(s *core.Step) *Step {
	return &Step{ID: s.ID, StageID: s.StageID, Number: s.Number, Name: s.Name, Status: s.Status,
		Error: s.Error, ExitCode: s.ExitCode, Detached: s.Detached, DependsOn: s.DependsOn,
		Started: s.Started, Finished: s.Finished, Version: s.Version}
}
