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

// RunnerToken is a registration token: an admin creates it, and a runner
// exchanges it for its own runner token when it registers. Only a hash of
// its secret is stored.
type RunnerToken struct {
	ID       int64     `json:"id"`
	Hash     string    `json:"-"`
	Prefix   string    `json:"prefix"`             // first characters of the secret, to tell tokens apart
	Note     string    `json:"note,omitempty"`     // what the admin wrote about it
	MaxUses  int       `json:"max_uses,omitempty"` // 0: any number of runners may register with it
	Uses     int       `json:"uses"`
	Expires  time.Time `json:"expires,omitempty"` // zero: never
	Creator  int64     `json:"creator_id,omitempty"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitempty"`
}

// Usable reports whether a runner may still register with the token.
func (t *RunnerToken) Usable(now time.Time) bool {
	if !t.Expires.IsZero() && now.After(t.Expires) {
		return false
	}
	return t.MaxUses == 0 || t.Uses < t.MaxUses
}

// RunnerStore persists runners and registration tokens. Safe for
// concurrent use.
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
	// Register inserts r if the registration token hashing to tokenHash is
	// usable, counting the use, in one transaction. An unknown, expired or
	// used-up token is ErrUnauthenticated and creates nothing.
	Register(ctx context.Context, tokenHash string, r *Runner) error
	// Update saves what a runner reports about itself (name, labels,
	// engines, os, arch, capacity, version); a missing runner is ErrNotFound.
	Update(ctx context.Context, r *Runner) error
	// Touch records the runner's last contact.
	Touch(ctx context.Context, id int64, at time.Time) error
	// Delete revokes the runner: its token stops working and the stages
	// it holds go back to the queue. ErrNotFound when there is none.
	Delete(ctx context.Context, id int64) error

	// CreateToken inserts a registration token and sets its ID.
	CreateToken(ctx context.Context, t *RunnerToken) error
	// ListTokens returns the registration tokens ordered by id.
	ListTokens(ctx context.Context) ([]*RunnerToken, error)
	// DeleteToken removes a registration token; ErrNotFound when there is none.
	DeleteToken(ctx context.Context, id int64) error
}
