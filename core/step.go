package core

import (
	"context"
	"time"
)

// Step is one step of a stage as recorded for the user: its status, exit
// code and logs. The clone is shown as a stage's first step.
type Step struct {
	ID        int64     `json:"id"`
	StageID   int64     `json:"stage_id"`
	Number    int       `json:"number"`
	Name      string    `json:"name"`
	Status    Status    `json:"status"`
	Error     string    `json:"error,omitempty"`
	ExitCode  int       `json:"exit_code"`
	Detached  bool      `json:"detached,omitempty"`
	DependsOn []string  `json:"depends_on,omitempty"`
	Started   time.Time `json:"started,omitempty"`
	Finished  time.Time `json:"finished,omitempty"`
	Version   int64     `json:"version"`
	// Logs are the step's last log lines when a runner sends them with
	// its report of the step's final state (one call instead of two for
	// a short step). The store keeps them with the step's log, never
	// here: a step read back has none.
	Logs []*LogLine `json:"logs,omitempty"`
}

// StepStore persists steps. Safe for concurrent use.
type StepStore interface {
	// Find returns the step with the id, or ErrNotFound.
	Find(ctx context.Context, id int64) (*Step, error)
	// Update saves s if its Version still matches, then increments it;
	// a stale s is ErrConflict.
	Update(ctx context.Context, s *Step) error
}
