package client

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
)

// Ref names a repository: owner/name.
type Ref struct{ Owner, Name string }

// ParseRef reads OWNER/NAME.
func ParseRef(s string) (Ref, error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return Ref{}, fmt.Errorf("%q is not a repository: want OWNER/NAME", s)
	}
	return Ref{owner, name}, nil
}

func (r Ref) String() string { return r.Owner + "/" + r.Name }

// path is the repository's API path.
func (r Ref) path() string { return "/api/repos/" + esc(r.Owner) + "/" + esc(r.Name) }

// Repos are the repository routes.
type Repos struct{ c *Client }

// RepoList selects repositories: only active ones unless All; Flush syncs
// from the remote first; Limit 0 is all.
type RepoList struct {
	All, Flush bool
	Limit      int
}

// List returns your repositories (GET /api/user/repos).
func (s *Repos) List(ctx context.Context, o RepoList) ([]*core.Repo, error) {
	q := s.c.repoQuery("all", strconv.FormatBool(o.All), "flush", strconv.FormatBool(o.Flush))
	q.Del("remote")
	return list[*core.Repo](ctx, s.c, "/api/user/repos", q, o.Limit)
}

// Get returns a repository.
func (s *Repos) Get(ctx context.Context, r Ref) (*core.Repo, error) {
	var out core.Repo
	return &out, s.c.get(ctx, r.path(), s.c.repoQuery(), &out)
}

// Activate installs the repository's webhook: builds run.
func (s *Repos) Activate(ctx context.Context, r Ref) (*core.Repo, error) {
	return s.repoCall(ctx, http.MethodPost, r, "", nil)
}

// Deactivate removes the webhook; the builds are kept.
func (s *Repos) Deactivate(ctx context.Context, r Ref) (*core.Repo, error) {
	return s.repoCall(ctx, http.MethodDelete, r, "", nil)
}

// RepoChange is a change of a repository's settings; nil fields are kept.
type RepoChange struct {
	Trusted        *bool   `json:"trusted,omitempty"`
	Protected      *bool   `json:"protected,omitempty"`
	Approval       *string `json:"approval,omitempty"`
	Visibility     *string `json:"visibility,omitempty"`
	Timeout        *int    `json:"timeout,omitempty"`
	ConfigPath     *string `json:"config_path,omitempty"`
	CancelPrevious *bool   `json:"cancel_previous,omitempty"`
	IgnoreForks    *bool   `json:"ignore_forks,omitempty"`
	IgnorePulls    *bool   `json:"ignore_pulls,omitempty"`
}

// Update changes the repository's settings (PATCH /api/repos/{owner}/{name}).
func (s *Repos) Update(ctx context.Context, r Ref, ch RepoChange) (*core.Repo, error) {
	return s.repoCall(ctx, http.MethodPatch, r, "", ch)
}

// Repair fetches the repository from the remote again, reinstalls its
// webhook and refreshes permissions.
func (s *Repos) Repair(ctx context.Context, r Ref) (*core.Repo, error) {
	var out struct {
		Repo *core.Repo `json:"repo"`
	}
	if err := s.c.call(ctx, request{method: http.MethodPost, path: r.path() + "/repair", query: s.c.repoQuery()}, &out); err != nil {
		return nil, err
	}
	if out.Repo == nil {
		return nil, fmt.Errorf("repair: the answer carries no repository")
	}
	return out.Repo, nil
}

// Chown makes you the repository's owner user (whose credentials drive it).
func (s *Repos) Chown(ctx context.Context, r Ref) (*core.Repo, error) {
	return s.repoCall(ctx, http.MethodPost, r, "/chown", nil)
}

func (s *Repos) repoCall(ctx context.Context, method string, r Ref, sub string, body any) (*core.Repo, error) {
	var out core.Repo
	return &out, s.c.call(ctx, request{method: method, path: r.path() + sub, query: s.c.repoQuery(), body: body}, &out)
}

// SyncView is your latest repository sync.
type SyncView struct {
	Login   string            `json:"login"`
	Remote  string            `json:"remote"`
	Synced  time.Time         `json:"synced,omitzero"`
	Outcome *core.SyncOutcome `json:"outcome"`
}

// Sync syncs your repositories from the remote and returns the outcome.
func (s *Repos) Sync(ctx context.Context) (*core.SyncOutcome, error) {
	var out core.SyncOutcome
	return &out, s.c.call(ctx, request{method: http.MethodPost, path: "/api/user/repos"}, &out)
}

// StartSync starts a sync and returns at once; see SyncStatus.
func (s *Repos) StartSync(ctx context.Context) error {
	q := s.c.repoQuery("async", "true")
	q.Del("remote")
	return s.c.call(ctx, request{method: http.MethodPost, path: "/api/user/repos", query: q}, nil)
}

// SyncStatus returns your latest sync.
func (s *Repos) SyncStatus(ctx context.Context) (*SyncView, error) {
	var out SyncView
	return &out, s.c.get(ctx, "/api/user/sync", nil, &out)
}
