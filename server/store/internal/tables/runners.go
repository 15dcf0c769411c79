package tables

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// Runner is a row of the runners table.
type Runner struct {
	bun.BaseModel `bun:"table:runners,alias:runner_row"`

	ID        int64             `bun:"id,pk,autoincrement"`
	Name      string            `bun:"name"`
	TokenHash string            `bun:"token_hash"`
	Labels    map[string]string `bun:"labels"`
	Engines   []string          `bun:"engines"`
	OS        string            `bun:"os"`
	Arch      string            `bun:"arch"`
	Capacity  int               `bun:"capacity"`
	Version   string            `bun:"version"`
	Local     bool              `bun:"local"`
	LastSeen  time.Time         `bun:"last_seen,nullzero"`
	Created   time.Time         `bun:"created"`
}

// Core returns the row as core sees it.
func (r *Runner) Core() *core.Runner {
	return &core.Runner{ID: r.ID, Name: r.Name, TokenHash: r.TokenHash, Labels: r.Labels, Engines: r.Engines,
		OS: r.OS, Arch: r.Arch, Capacity: r.Capacity, Version: r.Version, Local: r.Local,
		LastSeen: r.LastSeen, Created: r.Created}
}

// FromRunner returns the row of a runner.
func FromRunner(r *core.Runner) *Runner {
	row := &Runner{ID: r.ID, Name: r.Name, TokenHash: r.TokenHash, Labels: r.Labels, Engines: r.Engines,
		OS: r.OS, Arch: r.Arch, Capacity: r.Capacity, Version: r.Version, Local: r.Local,
		LastSeen: r.LastSeen, Created: r.Created}
	if row.Labels == nil {
		row.Labels = map[string]string{}
	}
	if row.Engines == nil {
		row.Engines = []string{}
	}
	return row
}
