package core

import (
	"context"
	"time"
)

// Secret is a named value available to pipelines of a repository, or of
// every repository of an owner (organisation secrets have RepoID 0). Data is
// stored encrypted; it is plain text only in memory.
type Secret struct {
	ID          int64     `json:"id"`
	RepoID      int64     `json:"repo_id,omitempty"`
	Namespace   string    `json:"namespace,omitempty"` // owner, for organisation secrets
	Name        string    `json:"name"`
	Data        string    `json:"-"`
	PullRequest bool      `json:"pull_request"` // exposed to pull requests (not from forks)
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// SecretStore persists secrets, encrypted at rest. Safe for concurrent use.
type SecretStore interface {
	// List returns the repository's secrets and its owner's organisation
	// secrets (namespace), with their values, ordered by name.
	List(ctx context.Context, repoID int64, namespace string) ([]*Secret, error)
	// Create inserts s; a duplicate name in its scope is ErrConflict.
	Create(ctx context.Context, s *Secret) error
	// Update replaces the value and flags of s (by id).
	Update(ctx context.Context, s *Secret) error
	// Delete removes the secret with the id.
	Delete(ctx context.Context, id int64) error
}
