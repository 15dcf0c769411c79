package core

import (
	"context"
	"time"
)

// The statuses of a runner as the API shows them.
const (
	RunnerOnline  = "online"  // in contact, running nothing
	RunnerBusy    = "busy"    // in contact, running stages
	RunnerPaused  = "paused"  // an admin paused it: it takes no new stage
	RunnerOffline = "offline" // no contact for a while
)

// RunningStage is a stage a runner holds.
type RunningStage struct {
	ID      int64     `json:"id"`
	BuildID int64     `json:"build_id"`
	RepoID  int64     `json:"repo_id"`
	Name    string    `json:"name"`
	Started time.Time `json:"started,omitzero"`
}

// RunnerState is what the server knows of a runner beyond what the
// runner reports: whether an admin paused it, and the stages it runs.
type RunnerState struct {
	Paused  bool            `json:"paused"`
	Running []*RunningStage `json:"running"`
}

// RunnerStateStore persists runners' pauses and reads the stages they
// hold. Safe for concurrent use.
type RunnerStateStore interface {
	// Pause stops the runner from taking new stages (what it runs goes
	// on); pausing a paused runner is no change. ErrNotFound when there
	// is no such runner.
	Pause(ctx context.Context, runnerID, by int64) error
	// Resume lets the runner take stages again; resuming a runner that is
	// not paused is no change.
	Resume(ctx context.Context, runnerID int64) error
	// Paused reports whether the runner is paused.
	Paused(ctx context.Context, runnerID int64) (bool, error)
	// States returns the state of every runner that is paused or holds a
	// running stage, by runner id.
	States(ctx context.Context) (map[int64]*RunnerState, error)
}
