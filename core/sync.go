package core

import (
	"context"
	"time"
)

// RepoSync is one user's repositories as their remote listed them, ready to
// be stored in one go.
type RepoSync struct {
	// UserID is whose permissions the repositories carry; 0 stores the
	// repositories only (a repository event without a known user).
	UserID int64
	// Remote names the remote instance the repositories come from.
	Remote string
	// Repos carry the user's permission each; a nil Perm means pull only
	// (the remote listed it, so the user can see it).
	Repos []*RemoteRepo
	// Time stamps the permissions written.
	Time time.Time
	// Prune deletes the user's permissions stamped before Time. The syncer
	// never sets it when the remote returned an empty list.
	Prune bool
}

// SyncOutcome is what the latest repository sync of a user did.
type SyncOutcome struct {
	UserID   int64     `json:"user_id"`
	Cause    string    `json:"cause"` // list, flush, request, background
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitempty"`
	Listed   int       `json:"listed"`   // repositories the remote listed
	Repos    int       `json:"repos"`    // repositories stored, after the Limiter
	Requests int       `json:"requests"` // remote calls the sync took
	Error    string    `json:"error,omitempty"`
}

// SyncStore is the storage side of repository sync. Safe for concurrent
// use, also by several server processes sharing one database.
type SyncStore interface {
	// Claim sets the user's Synced to at when it is unset or before
	// staleBefore, and reports whether it did and what it was before: only
	// the caller that claims runs the sync, so concurrent requests do not
	// start duplicates.
	Claim(ctx context.Context, userID int64, at, staleBefore time.Time) (prev time.Time, claimed bool, err error)
	// Release sets the user's Synced back to prev if it still is at, so
	// that a failed sync is tried again at the next listing.
	Release(ctx context.Context, userID int64, at, prev time.Time) error
	// Apply stores a sync in one transaction: it upserts the repositories
	// by (remote, remote id) — keeping id, active, trusted and settings,
	// following renames and clearing gone — upserts the user's permissions
	// stamped with Time and, when Prune is set, deletes the user's
	// permissions stamped before Time. It returns the repositories' ids in
	// the order given.
	Apply(ctx context.Context, s *RepoSync) ([]int64, error)
	// Due returns at most limit active users of a remote who were seen
	// (logged in or used a token) at or after activeSince and whose last
	// sync started before syncedBefore, never-synced and oldest first.
	Due(ctx context.Context, activeSince, syncedBefore time.Time, limit int) ([]*User, error)
	// SaveOutcome records the user's latest sync outcome, replacing the
	// previous one.
	SaveOutcome(ctx context.Context, o *SyncOutcome) error
	// Outcome returns the user's latest sync outcome, or ErrNotFound.
	Outcome(ctx context.Context, userID int64) (*SyncOutcome, error)
}
