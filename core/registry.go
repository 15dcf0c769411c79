package core

import (
	"context"
	"time"
)

// Registry is a container registry's credential, given to the engines of
// a repository's stages (or, with RepoID 0, of every repository of the
// owner Namespace) to pull images from Address. The password is stored
// encrypted and never leaves the server except to a runner running a
// stage.
type Registry struct {
	ID        int64     `json:"id"`
	RepoID    int64     `json:"repo_id,omitempty"`
	Namespace string    `json:"namespace,omitempty"` // owner, for organisation credentials
	Address   string    `json:"address"`             // registry host, e.g. ghcr.io or registry.example.com:5000
	Username  string    `json:"username"`
	Password  string    `json:"-"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
}

// RegistryAuth is the credential an engine uses to pull images whose
// registry host is Address.
type RegistryAuth struct {
	Address  string `json:"address"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// RegistryStore persists registry credentials, encrypted at rest. Safe
// for concurrent use.
type RegistryStore interface {
	// List returns the repository's credentials and its owner's
	// (namespace), passwords included, ordered by address (the
	// repository's first for the same address).
	List(ctx context.Context, repoID int64, namespace string) ([]*Registry, error)
	// Create inserts r; a duplicate address in its scope is ErrConflict.
	Create(ctx context.Context, r *Registry) error
	// Update replaces the username and password of r (by id and scope).
	Update(ctx context.Context, r *Registry) error
	// Delete removes the credential with the id.
	Delete(ctx context.Context, id int64) error
}
