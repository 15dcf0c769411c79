package tables

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// Repo is a row of the repos table.
type Repo struct {
	bun.BaseModel `bun:"table:repos,alias:repo_row"`

	ID          int64     `bun:"id,pk,autoincrement"`
	Remote      string    `bun:"remote"`
	RemoteID    string    `bun:"remote_id"`
	Owner       string    `bun:"owner"`
	Name        string    `bun:"name"`
	Slug        string    `bun:"slug"`
	CloneURL    string    `bun:"clone_url"`
	HTMLURL     string    `bun:"html_url"`
	Branch      string    `bun:"branch"`
	Private     bool      `bun:"private"`
	Visibility  string    `bun:"visibility"`
	Active      bool      `bun:"active"`
	Gone        bool      `bun:"gone"`
	Trusted     bool      `bun:"trusted"`
	Approval    string    `bun:"approval"`
	ForkSecrets bool      `bun:"fork_secrets"`
	ConfigPath  string    `bun:"config_path"`
	Timeout     int       `bun:"timeout"`
	Protected   bool      `bun:"protected"`
	CancelPrev  bool      `bun:"cancel_previous"`
	IgnoreForks bool      `bun:"ignore_forks"`
	IgnorePulls bool      `bun:"ignore_pulls"`
	HookSecret  string    `bun:"hook_secret"`
	UserID      int64     `bun:"user_id"`
	Counter     int64     `bun:"counter"`
	Version     int64     `bun:"version"`
	Created     time.Time `bun:"created"`
	Updated     time.Time `bun:"updated"`
}

// Core returns the row as core sees it.
func (r *Repo) Core() *core.Repo {
	return &core.Repo{
		ID: r.ID, Remote: r.Remote, RemoteID: r.RemoteID, Owner: r.Owner, Name: r.Name, Slug: r.Slug,
		CloneURL: r.CloneURL, HTMLURL: r.HTMLURL, Branch: r.Branch, Private: r.Private,
		Visibility: r.Visibility, Active: r.Active, Gone: r.Gone, Trusted: r.Trusted,
		Approval: r.Approval, ForkSecrets: r.ForkSecrets, ConfigPath: r.ConfigPath,
		Timeout: r.Timeout, HookSecret: r.HookSecret, UserID: r.UserID, Counter: r.Counter,
		Protected: r.Protected, CancelPrevious: r.CancelPrev, IgnoreForks: r.IgnoreForks, IgnorePulls: r.IgnorePulls,
		Version: r.Version, Created: r.Created, Updated: r.Updated,
	}
}

// FromRepo returns the row of a repo.
func FromRepo(r *core.Repo) *Repo {
	return &Repo{
		ID: r.ID, Remote: r.Remote, RemoteID: r.RemoteID, Owner: r.Owner, Name: r.Name, Slug: r.Slug,
		CloneURL: r.CloneURL, HTMLURL: r.HTMLURL, Branch: r.Branch, Private: r.Private,
		Visibility: r.Visibility, Active: r.Active, Gone: r.Gone, Trusted: r.Trusted,
		Approval: r.Approval, ForkSecrets: r.ForkSecrets, ConfigPath: r.ConfigPath,
		Timeout: r.Timeout, HookSecret: r.HookSecret, UserID: r.UserID, Counter: r.Counter,
		Protected: r.Protected, CancelPrev: r.CancelPrevious, IgnoreForks: r.IgnoreForks, IgnorePulls: r.IgnorePulls,
		Version: r.Version, Created: r.Created, Updated: r.Updated,
	}
}
