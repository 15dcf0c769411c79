package core

import (
	"context"
	"time"
)

// Repo is a repository known to Drover, identified by (Remote, RemoteID) so
// that a rename on the remote keeps its builds.
type Repo struct {
	ID         int64  `json:"id"`
	Remote     string `json:"remote"`
	RemoteID   string `json:"remote_id"`
	Owner      string `json:"owner"`
	Name       string `json:"name"`
	Slug       string `json:"slug"` // owner/name
	CloneURL   string `json:"clone_url"`
	HTMLURL    string `json:"html_url,omitempty"`
	Branch     string `json:"default_branch"`
	Private    bool   `json:"private"`
	Visibility string `json:"visibility,omitempty"`
	Active     bool   `json:"active"`  // webhook installed, builds run
	Gone       bool   `json:"gone"`    // deleted on the remote; builds kept
	Trusted    bool   `json:"trusted"` // may use privileged options and the local engine; set by system admins
	// Protected makes every build (but manual ones and promotions) wait
	// for approval by someone with push access.
	Protected bool `json:"protected"`
	// Approval is the approval policy for pull requests: "" or
	// ApprovalForks (those from forks wait), ApprovalPulls (every pull
	// request waits), ApprovalNone (none waits); "all" (every event, the
	// former spelling of Protected) is still honoured.
	Approval    string `json:"approval,omitempty"`
	ForkSecrets bool   `json:"fork_secrets"` // resolve secrets for pull requests from forks
	ConfigPath  string `json:"config_path"`  // pipeline file; empty means .drover.yml then .drone.yml
	Timeout     int    `json:"timeout"`      // minutes per stage; 0 means the default
	// CancelPrevious: a new push or pull request update cancels the
	// pending, blocked and running builds of the same branch or pull request.
	CancelPrevious bool      `json:"cancel_previous"`
	IgnoreForks    bool      `json:"ignore_forks"` // pull requests from forks create no build
	IgnorePulls    bool      `json:"ignore_pulls"` // pull requests create no build
	HookSecret     string    `json:"-"`            // webhook signing secret
	UserID         int64     `json:"user_id"`      // who activated it; whose credentials drive it
	Counter        int64     `json:"counter"`      // last build number
	Version        int64     `json:"version"`
	Created        time.Time `json:"created"`
	Updated        time.Time `json:"updated"`
}

// Restricted reports whether reading the repository needs a permission on
// it: it is private on the remote, or an admin set its visibility to
// private. A setting can hide a repository, never open a private one.
func (r *Repo) Restricted() bool { return r.Private || r.Visibility == "private" }

// Approval policies for pull requests (Repo.Approval).
const (
	ApprovalForks = "forks"
	ApprovalPulls = "pull_requests"
	ApprovalNone  = "none"
)

// RepoStore persists repositories. Safe for concurrent use.
type RepoStore interface {
	// Find returns the repository with the id, or ErrNotFound.
	Find(ctx context.Context, id int64) (*Repo, error)
	// FindSlug returns the repository of the remote named owner/name, or ErrNotFound.
	FindSlug(ctx context.Context, remote, slug string) (*Repo, error)
	// FindRemoteID returns the repository with the remote's id, or ErrNotFound.
	FindRemoteID(ctx context.Context, remote, remoteID string) (*Repo, error)
	// Create inserts r and sets its ID; a duplicate (remote, remote id) is ErrConflict.
	Create(ctx context.Context, r *Repo) error
	// Update saves r; a missing repository is ErrNotFound.
	Update(ctx context.Context, r *Repo) error
	// ListUser returns the repositories the user holds a permission on,
	// ordered by slug; activeOnly keeps the active ones.
	ListUser(ctx context.Context, userID int64, activeOnly bool) ([]*Repo, error)
	// List returns the repositories the filter keeps (never gone ones),
	// ordered by slug then remote, from f.Offset and at most f.Limit of
	// them (0: all), with how many the filter keeps in all. Nothing
	// matching is an empty list, not an error.
	List(ctx context.Context, f RepoFilter) ([]*Repo, int, error)
}

// RepoFilter selects repositories for RepoStore.List; its zero value
// keeps every one.
type RepoFilter struct {
	// ReaderID, when not 0, keeps the repositories that user may read:
	// those they hold a permission on, and those that are not private.
	ReaderID int64
	// Name keeps the slugs (owner/name) containing it, ignoring case.
	Name string
	// Slug keeps the repositories named exactly owner/name (of any remote).
	Slug string
	// Active, when set, keeps the active (true) or inactive repositories.
	Active *bool
	// Limit and Offset page the list.
	Limit, Offset int
}
