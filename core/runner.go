package core

import (
	"context"
	"time"
)

// Runner is an agent registered with the server. Its token is stored hashed.
type Runner struct {
	ID        int64             `json:"id"`
	Name      string            `json:"name"`
	TokenHash string            `json:"-"`
	Labels    map[string]string `json:"labels,omitempty"`
	Engines   []string          `json:"engines,omitempty"` // engine instance names it offers
	OS        string            `json:"os"`
	Arch      string            `json:"arch"`
	Capacity  int               `json:"capacity"`
	Version   string            `json:"version,omitempty"`
	Local     bool              `json:"local"` // the server's in-process runner
	LastSeen  time.Time         `json:"last_seen,omitempty"`
	Created   time.Time         `json:"created"`
}

// RunnerStore persists runners (their registration tokens are in
// RunnerTokenStore). Safe for concurrent use.
type RunnerStore interface {
	// Find returns the runner with the id, or ErrNotFound.
	Find(ctx context.Context, id int64) (*Runner, error)
	// FindToken returns the runner whose token hashes to hash, or
	// ErrNotFound (a revoked runner is deleted, so it is not found).
	FindToken(ctx context.Context, hash string) (*Runner, error)
	// FindLocal returns the server's in-process runner of that name, or ErrNotFound.
	FindLocal(ctx context.Context, name string) (*Runner, error)
	// List returns every runner ordered by id.
	List(ctx context.Context) ([]*Runner, error)
	// Create inserts r and sets its ID; a duplicate token hash is ErrConflict.
	Create(ctx context.Context, r *Runner) error
	// Update saves what a runner reports about itself (name, labels,
	// engines, os, arch, capacity, version); a missing runner is ErrNotFound.
	Update(ctx context.Context, r *Runner) error
	// Touch records the runner's last contact.
	Touch(ctx context.Context, id int64, at time.Time) error
	// Delete revokes the runner: its token stops working and the stages
	// it holds go back to the queue. ErrNotFound when there is none.
	Delete(ctx context.Context, id int64) error
}
