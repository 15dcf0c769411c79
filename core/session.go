package core

import (
	"context"
	"time"
)

// Session is a user's browser session as stored: only a hash of its
// secret is kept, so that a copy of the database opens no session.
type Session struct {
	ID       int64
	UserID   int64
	Hash     string
	Expires  time.Time
	Created  time.Time
	LastUsed time.Time
}

// SessionStore persists browser sessions, so that logout and deactivation
// end them at once on every replica. Safe for concurrent use.
type SessionStore interface {
	// Create inserts s and sets its ID.
	Create(ctx context.Context, s *Session) error
	// FindHash returns the session whose secret hashes to hash, or
	// ErrNotFound (expired sessions are found until pruned).
	FindHash(ctx context.Context, hash string) (*Session, error)
	// Touch records the session's last use.
	Touch(ctx context.Context, id int64, at time.Time) error
	// DeleteHash removes the session whose secret hashes to hash; an
	// unknown one is no error.
	DeleteHash(ctx context.Context, hash string) error
	// DeleteUser removes every session of the user.
	DeleteUser(ctx context.Context, userID int64) error
	// Prune removes the sessions that expired before t and returns how
	// many.
	Prune(ctx context.Context, t time.Time) (int64, error)
}
