package core

import (
	"context"
	"path"
	"time"
)

// RemoteMirror is the Remote of the repositories Drover watches itself
// (mirrors): no plugin serves it, no webhook reaches it.
const RemoteMirror = "mirror"

// Mirror defaults and bounds.
const (
	// DefaultMirrorInterval is a mirror's poll interval when none is given.
	DefaultMirrorInterval = 60 * time.Second
	// DefaultMirrorMinInterval is the shortest interval a mirror may ask
	// for, unless the server's mirror_min_interval says otherwise.
	DefaultMirrorMinInterval = 10 * time.Second
	// MaxMirrorInterval is the longest poll interval.
	MaxMirrorInterval = 24 * time.Hour
	// DefaultMirrorTimeout is how long a runner may stay silent before the
	// mirrors it holds move to others.
	DefaultMirrorTimeout = 30 * time.Second
	// DefaultMirrorMaxFailures is how many fetches in a row may fail
	// before a mirror pauses until resumed.
	DefaultMirrorMaxFailures = 14
)

// Mirror is a git repository Drover watches without a webhook: a
// repository (RepoID, remote RemoteMirror, named Repo) whose upstream one
// runner (RunnerID, by lease) fetches every Interval, building new heads
// of the branches it watches.
type Mirror struct {
	ID     int64  `json:"id"`
	RepoID int64  `json:"repo_id"`
	Repo   string `json:"repo"` // owner/name under which its builds are listed
	URL    string `json:"url"`  // https://, ssh://, user@host:path, file:// or an absolute path
	// Username goes with a token credential over https (default
	// x-access-token); an SSH key's user is in the URL.
	Username string `json:"username,omitempty"`
	// Credential is a token or an SSH private key, sealed at rest and
	// never shown; HasCredential tells whether there is one.
	Credential    string `json:"-"`
	HasCredential bool   `json:"has_credential"`
	// Branches are the glob patterns (path.Match) of the branches built;
	// empty watches every branch.
	Branches   []string  `json:"branches"`
	Interval   int       `json:"interval"`    // seconds between fetches
	ConfigPath string    `json:"config_path"` // the repository's pipeline file; empty: the defaults
	Private    bool      `json:"private"`     // the repository's visibility
	RunnerID   int64     `json:"runner_id,omitempty"`
	LastFetch  time.Time `json:"last_fetch,omitzero"`
	LastError  string    `json:"last_error,omitempty"`
	Failures   int       `json:"failures"` // consecutive failed fetches
	Paused     bool      `json:"paused"`
	NextFetch  time.Time `json:"next_fetch,omitzero"`
	// Changed is when a watched head last moved (mirrors that changed
	// most recently are fetched first).
	Changed time.Time `json:"changed,omitzero"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Watches reports whether the mirror builds the branch.
func (m *Mirror) Watches(branch string) bool {
	return WatchesBranch(m.Branches, branch)
}

// WatchesBranch reports whether a branch matches one of the glob
// patterns (every branch when there is none).
func WatchesBranch(patterns []string, branch string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, branch); ok {
			return true
		}
	}
	return false
}

// MirrorHead is a branch's commit as a fetch found it; an empty Commit
// is a branch that is gone. Config is the pipeline file read at the
// commit (Path says which), sent by the runner for heads it has not
// reported before.
type MirrorHead struct {
	Branch  string `json:"branch"`
	Commit  string `json:"commit"`
	Message string `json:"message,omitempty"`
	Author  string `json:"author,omitempty"`
	Email   string `json:"email,omitempty"`
	Path    string `json:"path,omitempty"`
	Config  string `json:"config,omitempty"`
	// ConfigError says why no file was read (none at the commit, too big).
	ConfigError string `json:"config_error,omitempty"`
}

// MirrorFetch is one fetch's outcome as a runner reports it.
type MirrorFetch struct {
	At    time.Time `json:"at"`
	Error string    `json:"error,omitempty"` // empty: it worked
	// Next is when the runner fetches again (interval or backoff).
	Next  time.Time     `json:"next"`
	Heads []*MirrorHead `json:"heads,omitempty"` // the watched heads that moved since the last report
}

// MirrorRecord is what recording a fetch changed.
type MirrorRecord struct {
	Mirror *Mirror
	// Moved are the reported heads that differ from the stored ones
	// (none on the first fetch, which records the heads without building).
	Moved []*MirrorHead
	// Imported: this was the first successful fetch.
	Imported bool
	// Paused: this failure paused the mirror.
	Paused bool
}

// MirrorFilter selects mirrors for MirrorStore.List.
type MirrorFilter struct {
	// ReaderID, when not 0, keeps the mirrors whose repository that user
	// may read (a permission, or a repository that is not private).
	ReaderID int64
	// RepoID, when not 0, keeps the mirror of that repository.
	RepoID int64
	// Limit and Offset page the list (ordered by id).
	Limit, Offset int
}

// MirrorStore persists mirrors with their repositories. Safe for
// concurrent use, also by several replicas.
type MirrorStore interface {
	// Find returns the mirror with the id (its credential opened, its
	// runner from its lease), or ErrNotFound.
	Find(ctx context.Context, id int64) (*Mirror, error)
	// List returns the mirrors the filter keeps, ordered by id, with how
	// many it keeps in all. Nothing matching is an empty list.
	List(ctx context.Context, f MirrorFilter) ([]*Mirror, int, error)
	// Create stores m with its repository repo (remote RemoteMirror) in
	// one transaction, and gives the creator admin permission on it; a
	// URL mirrored already, or a name taken, is ErrConflict. A repository
	// of a deleted mirror of the same URL comes back, with its builds.
	Create(ctx context.Context, m *Mirror, repo *Repo, creatorID int64) error
	// Update saves m's settings (URL, username, credential, branches,
	// interval, config path, visibility, paused, failures, next fetch).
	// ErrNotFound when there is none.
	Update(ctx context.Context, m *Mirror) error
	// Delete removes the mirror (its lease and heads) and marks its
	// repository gone, keeping its builds. ErrNotFound when there is none.
	Delete(ctx context.Context, id int64) error
	// Record stores a fetch by the runner holding the mirror's lease
	// (ErrConflict for any other runner): its time, error, consecutive
	// failures (pausing at maxFailures), next fetch, and on the first
	// successful fetch the heads. A head that moved later is stored by
	// Claim; a branch that is gone is forgotten at once.
	Record(ctx context.Context, id, runnerID int64, f *MirrorFetch, maxFailures int) (*MirrorRecord, error)
	// Claim records that head's commit is built: once per mirror, branch
	// and commit (false when it was claimed before). Either way the
	// commit becomes the branch's stored head.
	Claim(ctx context.Context, id int64, head *MirrorHead) (bool, error)
	// Release undoes a Claim whose build could not be created (the claim
	// and the stored head go), so that the head counts as moved when it
	// is reported again.
	Release(ctx context.Context, id int64, head *MirrorHead) error
}
