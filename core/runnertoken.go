package core

import (
	"context"
	"time"
)

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

// RunnerTokenStore persists registration tokens and exchanges them for
// runners. Safe for concurrent use.
type RunnerTokenStore interface {
	// Create inserts a registration token and sets its ID.
	Create(ctx context.Context, t *RunnerToken) error
	// List returns the registration tokens ordered by id.
	List(ctx context.Context) ([]*RunnerToken, error)
	// Delete removes a registration token; ErrNotFound when there is none.
	Delete(ctx context.Context, id int64) error
	// Register inserts the runner r if the registration token hashing to
	// tokenHash is usable, counting the use, in one transaction: of
	// concurrent registrations with a token of limited uses, no more than
	// its uses succeed. An unknown, expired or used-up token is
	// ErrUnauthenticated and creates nothing.
	Register(ctx context.Context, tokenHash string, r *Runner) error
}
