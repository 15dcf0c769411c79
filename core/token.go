package core

import (
	"context"
	"time"
)

// Token is a personal API token. Only a hash of its secret is stored; the
// secret itself is shown once, when the token is created.
type Token struct {
	ID       int64     `json:"id"`
	UserID   int64     `json:"user_id"`
	Name     string    `json:"name"`
	Hash     string    `json:"-"`                 // sha256 of the secret, hex
	Prefix   string    `json:"prefix"`            // first characters of the secret, to tell tokens apart
	Expires  time.Time `json:"expires,omitempty"` // zero: never
	LastUsed time.Time `json:"last_used,omitempty"`
	Created  time.Time `json:"created"`
}

// Expired reports whether the token has an expiry that has passed.
func (t *Token) Expired(now time.Time) bool {
	return !t.Expires.IsZero() && now.After(t.Expires)
}

// TokenStore persists API tokens. Safe for concurrent use.
type TokenStore interface {
	// FindHash returns the token whose secret hashes to hash, or ErrNotFound.
	FindHash(ctx context.Context, hash string) (*Token, error)
	// List returns the user's tokens ordered by id.
	List(ctx context.Context, userID int64) ([]*Token, error)
	// Create inserts t and sets its ID; a duplicate name for the user is ErrConflict.
	Create(ctx context.Context, t *Token) error
	// CreateUser inserts the user u (a machine user) with its first token
	// t in one transaction, setting both IDs: a duplicate login or token
	// name creates neither (ErrConflict).
	CreateUser(ctx context.Context, u *User, t *Token) error
	// Touch records that the token was used at the given time.
	Touch(ctx context.Context, id int64, at time.Time) error
	// Delete removes the user's token; ErrNotFound when the user has no such token.
	Delete(ctx context.Context, userID, id int64) error
}
