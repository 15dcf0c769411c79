package tables

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// Build is a row of the builds table.
type Build struct {
	bun.BaseModel `bun:"table:builds,alias:build_row"`

	ID       int64             `bun:"id,pk,autoincrement"`
	RepoID   int64             `bun:"repo_id"`
	Number   int64             `bun:"number"`
	Parent   int64             `bun:"parent"`
	Status   core.Status       `bun:"status"`
	Error    string            `bun:"error"`
	Event    string            `bun:"event"`
	Action   string            `bun:"action"`
	Link     string            `bun:"link"`
	Message  string            `bun:"message"`
	Before   string            `bun:"before"`
	After    string            `bun:"after"`
	Ref      string            `bun:"ref"`
	Source   string            `bun:"source"`
	Target   string            `bun:"target"`
	Fork     string            `bun:"fork"`
	Author   string            `bun:"author"`
	Email    string            `bun:"email"`
	Sender   string            `bun:"sender"`
	Deploy   string            `bun:"deploy"`
	Cron     string            `bun:"cron"`
	Params   map[string]string `bun:"params"`
	Warnings []core.Warning    `bun:"warnings,nullzero"`
	Delivery string            `bun:"delivery"`
	// LogsPurged is written by the log purge only (Update leaves it).
	LogsPurged time.Time `bun:"logs_purged,nullzero"`
	Started    time.Time `bun:"started,nullzero"`
	Finished   time.Time `bun:"finished,nullzero"`
	Created    time.Time `bun:"created"`
	Updated    time.Time `bun:"updated"`
	Version    int64     `bun:"version"`
}

// Core returns the row as core sees it.
func (r *Build) Core() *core.Build {
	return &core.Build{
		ID: r.ID, RepoID: r.RepoID, Number: r.Number, Parent: r.Parent, Status: r.Status,
		Error: r.Error, Event: r.Event, Action: r.Action, Link: r.Link, Message: r.Message,
		Before: r.Before, After: r.After, Ref: r.Ref, Source: r.Source, Target: r.Target,
		Fork: r.Fork, Author: r.Author, Email: r.Email, Sender: r.Sender, Deploy: r.Deploy,
		Cron: r.Cron, Params: r.Params, Warnings: r.Warnings, Delivery: r.Delivery, LogsPurged: r.LogsPurged, Started: r.Started,
		Finished: r.Finished, Created: r.Created, Updated: r.Updated, Version: r.Version,
	}
}

// FromBuild returns the row of a build.
func FromBuild(b *core.Build) *Build {
	return &Build{
		ID: b.ID, RepoID: b.RepoID, Number: b.Number, Parent: b.Parent, Status: b.Status,
		Error: b.Error, Event: b.Event, Action: b.Action, Link: b.Link, Message: b.Message,
		Before: b.Before, After: b.After, Ref: b.Ref, Source: b.Source, Target: b.Target,
		Fork: b.Fork, Author: b.Author, Email: b.Email, Sender: b.Sender, Deploy: b.Deploy,
		Cron: b.Cron, Params: b.Params, Warnings: b.Warnings, Delivery: b.Delivery, LogsPurged: b.LogsPurged, Started: b.Started,
		Finished: b.Finished, Created: b.Created, Updated: b.Updated, Version: b.Version,
	}
}
