package core

import (
	"context"
	"time"
)

// Perm is what one user may do with one repository, as the remote said at
// the time Synced.
type Perm struct {
	UserID int64     `json:"user_id"`
	RepoID int64     `json:"repo_id"`
	Pull   bool      `json:"pull"`
	Push   bool      `json:"push"`
	Admin  bool      `json:"admin"`
	Synced time.Time `json:"synced"`
}

// PermStore persists what users may do with repositories. Safe for
// concurrent use.
type PermStore interface {
	// Find returns the user's permission on the repository, or ErrNotFound.
	Find(ctx context.Context, userID, repoID int64) (*Perm, error)
	// Upsert creates or replaces the permission of p.UserID on p.RepoID.
	Upsert(ctx context.Context, p *Perm) error
	// Delete removes the user's permission on the repository; a missing
	// one is no error.
	Delete(ctx context.Context, userID, repoID int64) error
	// List returns the user's permissions ordered by repository id.
	List(ctx context.Context, userID int64) ([]*Perm, error)
	// Expire marks every permission on the repository as stale (Synced set
	// to the Unix epoch), so that the next check asks the remote again.
	Expire(ctx context.Context, repoID int64) error
}
