package core

import (
	"context"
	"errors"
	"time"
)

// ErrNumberTaken is wrapped in the conflict BuildStore.Create returns when
// the number a build was compiled with is no longer the repository's next
// one (another build took it first): compile again with the next number.
var ErrNumberTaken = errors.New("build number already taken")

// Build is one run of a repository's pipelines for one event. Number is
// unique and gapless per repository.
type Build struct {
	ID      int64             `json:"id"`
	RepoID  int64             `json:"repo_id"`
	Number  int64             `json:"number"`
	Parent  int64             `json:"parent,omitempty"` // number of the build this one restarts
	Status  Status            `json:"status"`
	Error   string            `json:"error,omitempty"`
	Event   string            `json:"event"` // push, tag, pull_request, custom, cron, promote, mirror
	Action  string            `json:"action,omitempty"`
	Link    string            `json:"link,omitempty"`
	Message string            `json:"message"`
	Before  string            `json:"before,omitempty"`
	After   string            `json:"after"` // commit sha
	Ref     string            `json:"ref"`
	Source  string            `json:"source_branch,omitempty"` // pull request head branch
	Target  string            `json:"target_branch"`           // branch the commit lands on
	Fork    string            `json:"fork,omitempty"`          // slug of the fork a pull request comes from
	Author  string            `json:"author_login"`
	Email   string            `json:"author_email,omitempty"`
	Sender  string            `json:"sender"`
	Deploy  string            `json:"deploy_to,omitempty"`
	Cron    string            `json:"cron,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
	// Warnings are what the pipeline file holds that has no effect or is
	// probably a mistake; the build runs all the same.
	Warnings []Warning `json:"warnings,omitempty"`
	Delivery string    `json:"-"` // webhook delivery id; unique per repo
	// LogsPurged is when the logs of the build's steps were deleted
	// (LogStore.PurgeBuild); zero while they are kept.
	LogsPurged time.Time `json:"logs_purged,omitempty"`
	Started    time.Time `json:"started,omitempty"`
	Finished   time.Time `json:"finished,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
	Version    int64     `json:"version"` // optimistic concurrency
}

// Warning is one warning about a build's pipeline file, at a position.
type Warning struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// BuildFilter narrows a list of builds to those whose fields equal the
// filter's (exact matches); an empty field matches every build.
type BuildFilter struct {
	Branch string // Target: the branch pushed to, or a pull request's base
	Event  string
	Status Status
	Author string // the commit author's login
}

// BuildStore persists builds. Safe for concurrent use.
type BuildStore interface {
	// Find returns the build with the id, or ErrNotFound.
	Find(ctx context.Context, id int64) (*Build, error)
	// FindNumber returns the repository's build with the number, or ErrNotFound.
	FindNumber(ctx context.Context, repoID, number int64) (*Build, error)
	// List returns the repository's builds, newest first, at most limit from offset.
	List(ctx context.Context, repoID int64, limit, offset int) ([]*Build, error)
	// ListFilter is List of the builds that match f; none (an empty
	// slice) when no build does.
	ListFilter(ctx context.Context, repoID int64, f BuildFilter, limit, offset int) ([]*Build, error)
	// Create numbers b with the repository's next build number and inserts
	// it with its stages (and their steps) in one transaction. Concurrent
	// calls for one repository get distinct, gapless numbers. When b.Number
	// is set (the pipeline was compiled with it), it must be the next
	// number, else the conflict wraps ErrNumberTaken. A duplicate delivery
	// id for the repository is ErrConflict and creates nothing.
	Create(ctx context.Context, b *Build, stages []*Stage) error
	// Update saves b if its Version still matches the stored one, and then
	// increments b.Version. A stale b is ErrConflict and changes nothing.
	Update(ctx context.Context, b *Build) error
	// ListRef returns the repository's builds of the git ref, newest
	// first: only those in one of statuses (all when empty), at most limit
	// (all when 0).
	ListRef(ctx context.Context, repoID int64, ref string, statuses []Status, limit int) ([]*Build, error)
}
