package core

import (
	"context"
	"time"
)

// Cron is a repository schedule: a build of Branch whenever Expr is due.
type Cron struct {
	ID       int64     `json:"id"`
	RepoID   int64     `json:"repo_id"`
	Name     string    `json:"name"`
	Expr     string    `json:"expr"` // standard cron expression or @hourly, @every 10m, ...
	Branch   string    `json:"branch"`
	Next     time.Time `json:"next"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// CronStore persists schedules. Safe for concurrent use by several server
// replicas: Advance lets exactly one of them fire each due time.
type CronStore interface {
	// List returns the repository's schedules ordered by name.
	List(ctx context.Context, repoID int64) ([]*Cron, error)
	// Create inserts c; a duplicate name in the repository is ErrConflict.
	Create(ctx context.Context, c *Cron) error
	// Update saves c's expression, branch, next time and whether it is
	// disabled (by id, in its repository); a missing one is ErrNotFound.
	Update(ctx context.Context, c *Cron) error
	// Delete removes the schedule.
	Delete(ctx context.Context, id int64) error
	// Due returns enabled schedules whose next time is not after now.
	Due(ctx context.Context, now time.Time, limit int) ([]*Cron, error)
	// Advance moves c's next time from c.Next to next, and reports whether
	// this caller did it (false: another replica fired it first).
	Advance(ctx context.Context, c *Cron, next time.Time) (bool, error)
}
