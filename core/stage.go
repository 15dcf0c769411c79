package core

import (
	"context"
	"time"
)

// Stage is one pipeline of a build: the unit a runner claims and runs.
type Stage struct {
	ID        int64             `json:"id"`
	BuildID   int64             `json:"build_id"`
	RepoID    int64             `json:"repo_id"`
	Number    int               `json:"number"` // 1-based position in the build
	Name      string            `json:"name"`
	Type      string            `json:"type"` // engine instance that runs it
	OS        string            `json:"os"`
	Arch      string            `json:"arch"`
	Labels    map[string]string `json:"labels,omitempty"`
	DependsOn []string          `json:"depends_on,omitempty"`
	Limit     int               `json:"limit,omitempty"`      // concurrency.limit; 0: none
	RunPolicy RunPolicy         `json:"run_policy,omitempty"` // when it runs after its dependencies (see Spec.RunPolicy)
	Status    Status            `json:"status"`
	Error     string            `json:"error,omitempty"`
	ExitCode  int               `json:"exit_code"`
	RunnerID  int64             `json:"runner_id,omitempty"`
	Machine   string            `json:"machine,omitempty"`
	Attempts  int               `json:"attempts"`
	LeaseEnds time.Time         `json:"lease_expires,omitempty"`
	Spec      []byte            `json:"-"` // compiled Spec as JSON
	Started   time.Time         `json:"started,omitempty"`
	Finished  time.Time         `json:"finished,omitempty"`
	Created   time.Time         `json:"created"`
	Updated   time.Time         `json:"updated"`
	Version   int64             `json:"version"` // optimistic concurrency
	Steps     []*Step           `json:"steps,omitempty"`
}

// StageStore persists stages. Safe for concurrent use.
type StageStore interface {
	// Find returns the stage with the id, or ErrNotFound.
	Find(ctx context.Context, id int64) (*Stage, error)
	// ListBuild returns the build's stages ordered by number, with their steps.
	ListBuild(ctx context.Context, buildID int64) ([]*Stage, error)
	// Update saves s (not its steps) if its Version still matches the stored
	// one, and then increments s.Version. A stale s is ErrConflict and
	// changes nothing.
	Update(ctx context.Context, s *Stage) error
}
