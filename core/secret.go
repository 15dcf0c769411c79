package core

import (
	"context"
	"time"
)

// Secret is a named value available to pipelines of a repository, or of
// every repository of an owner (organisation secrets have RepoID 0). Data is
// stored encrypted; it is plain text only in memory.
type Secret struct {
	ID        int64  `json:"id"`
	RepoID    int64  `json:"repo_id,omitempty"`
	Namespace string `json:"namespace,omitempty"` // owner, for organisation secrets
	Name      string `json:"name"`
	Data      string `json:"-"`
	// Events are the build events the secret is given to; empty means
	// every event but pull requests (unless PullRequest).
	Events []string `json:"events"`
	// PullRequest gives the secret to pull requests from the repository
	// itself; it is kept equal to Events containing pull_request.
	PullRequest bool `json:"pull_request"`
	// Fork lets pull requests from forks use the secret (it must be given
	// to pull_request as well).
	Fork    bool      `json:"fork"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// GivenTo reports whether the secret is given to builds of the event.
func (s *Secret) GivenTo(event string) bool {
	if len(s.Events) == 0 {
		return event != EventPullRequest || s.PullRequest
	}
	for _, e := range s.Events {
		if e == event {
			return true
		}
	}
	return false
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
