package core

import (
	"context"
	"time"
)

// User is a person (or the bootstrap admin) known to Drover. A user logged in
// through a remote records which remote, and carries that remote's OAuth2
// credentials so that calls on the user's behalf can be made.
type User struct {
	ID        int64     `json:"id"`
	Remote    string    `json:"remote,omitempty"`    // name of the remote instance ("" for local users)
	RemoteID  string    `json:"remote_id,omitempty"` // the user's id on that remote
	Login     string    `json:"login"`
	Email     string    `json:"email,omitempty"`
	Avatar    string    `json:"avatar_url,omitempty"`
	Admin     bool      `json:"admin"`
	Active    bool      `json:"active"`
	Creds     Creds     `json:"-"`
	Synced    time.Time `json:"synced,omitempty"` // start of the last repository sync
	LastLogin time.Time `json:"last_login,omitempty"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
}

// Creds are a user's credentials on a remote. They travel with every remote
// call that acts for the user; plugins keep none of them.
type Creds struct {
	Token   string    `json:"-"`
	Refresh string    `json:"-"`
	Expiry  time.Time `json:"-"`
}

// Expired reports whether the access token expires within skew of now.
func (c Creds) Expired(now time.Time, skew time.Duration) bool {
	return !c.Expiry.IsZero() && now.Add(skew).After(c.Expiry)
}

// UserStore persists users. Safe for concurrent use.
type UserStore interface {
	// Find returns the user with the id, or ErrNotFound.
	Find(ctx context.Context, id int64) (*User, error)
	// FindLogin returns the user of the remote with the login, or ErrNotFound.
	FindLogin(ctx context.Context, remote, login string) (*User, error)
	// List returns every user ordered by id.
	List(ctx context.Context) ([]*User, error)
	// ListPage returns at most limit users ordered by id, from offset.
	ListPage(ctx context.Context, limit, offset int) ([]*User, error)
	// Count returns the number of users.
	Count(ctx context.Context) (int, error)
	// Create inserts u and sets its ID; a duplicate (remote, login) is ErrConflict.
	Create(ctx context.Context, u *User) error
	// Update saves u; a missing user is ErrNotFound.
	Update(ctx context.Context, u *User) error
	// Delete removes the user and everything it owns (tokens, perms).
	Delete(ctx context.Context, id int64) error
}
