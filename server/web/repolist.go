package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// reposPerPage is the repositories page's page size.
const reposPerPage = 25

// syncWatch bounds how long after pressing Synchronize the page waits
// for the sync to show (a sync that never started stops being awaited).
const syncWatch = time.Minute

// syncStale is how long a sync that started and never finished counts
// as running (a server that stopped during one).
const syncStale = 10 * time.Minute

// repoItem is a repository of the list, with whether the user may
// (de)activate it.
type repoItem struct {
	*core.Repo
	Admin bool
}

// syncState is GET /api/user/sync's answer, and what the page makes of it.
type syncState struct {
	Synced  time.Time         `json:"synced"`
	Outcome *core.SyncOutcome `json:"outcome"`
	// Awaited is when Synchronize was pressed (the ?since= of the
	// redirect), zero otherwise.
	Awaited time.Time `json:"-"`
}

// Running reports whether a sync is under way: one claimed and not yet
// finished, or one asked for that has not shown yet.
func (s *syncState) Running() bool {
	now := time.Now()
	if !s.Synced.IsZero() && now.Sub(s.Synced) < syncStale && (s.Outcome == nil || s.Synced.Sub(s.Outcome.Started) > time.Millisecond) {
		return true
	}
	return !s.Awaited.IsZero() && now.Sub(s.Awaited) < syncWatch &&
		(s.Outcome == nil || s.Outcome.Started.Before(s.Awaited.Add(-time.Second)))
}

// reposData is the repositories page's content.
type reposData struct {
	Repos  []repoItem
	Name   string
	Active string // "", "true" or "false"
	List   *listPage
	Sync   *syncState
	Remote string // the user's remote, the one Synchronize reads
}

// reposPage is GET /repos[?name=][&active=][&page=]: the repositories the
// user can read (GET /api/repos), searched by name and state, with
// activate / deactivate for their admins and the Synchronize button
// with the sync's state.
func (w *Web) reposPage(c *gin.Context) {
	v, ok := w.viewFor(c, "Repositories", "repos")
	if !ok {
		return
	}
	d := &reposData{Name: strings.TrimSpace(c.Query("name")), Active: c.Query("active"), Remote: v.User.Remote}
	q := url.Values{}
	if d.Name != "" {
		q.Set("name", d.Name)
	}
	if d.Active != "" {
		q.Set("active", d.Active)
	}
	var repos []*core.Repo
	if d.List, ok = w.listAPI(c, "/api/repos", q, "repositories", reposPerPage, &repos); !ok {
		return
	}
	ctx := c.Request.Context()
	for _, r := range repos {
		item := repoItem{Repo: r}
		if rights, err := w.api.RepoRights(ctx, v.User, r.Remote, r.Owner, r.Name); err == nil {
			item.Admin = rights.Admin
		}
		d.Repos = append(d.Repos, item)
	}
	d.Sync = &syncState{}
	if rec := w.callAPI(c, http.MethodGet, "/api/user/sync", "", nil); rec.Code == http.StatusOK {
		_ = json.Unmarshal(rec.Body.Bytes(), d.Sync)
	}
	if ms, err := strconv.ParseInt(c.Query("since"), 10, 64); err == nil {
		d.Sync.Awaited = time.UnixMilli(ms)
	}
	v.Data = d
	w.render(c, 200, "repos", v)
}

// syncRepos is POST /repos/sync, the Synchronize button: the sync starts
// in the background (POST /api/user/repos?async=true) and the page comes
// back showing its progress.
func (w *Web) syncRepos(c *gin.Context) {
	rec := w.callAPI(c, http.MethodPost, "/api/user/repos?async=true", c.PostForm("csrf_token"), nil)
	if rec.Code >= 300 {
		w.failAPI(c, rec)
		return
	}
	c.Redirect(http.StatusSeeOther, "/repos?since="+strconv.FormatInt(time.Now().UnixMilli(), 10))
}

// repoSwitch is POST /{owner}/{name}/activate and …/deactivate: served by
// POST and DELETE /api/repos/{owner}/{name}, then back to the form's
// next (a local path) or the repository.
func (w *Web) repoSwitch(method string) gin.HandlerFunc {
	return func(c *gin.Context) {
		rec := w.callAPI(c, method, repoAPI(c, "", nil), c.PostForm("csrf_token"), nil)
		if rec.Code >= 300 {
			w.failAPI(c, rec)
			return
		}
		next := repoPage(c, "", nil)
		if n := c.PostForm("next"); n != "" {
			next = api.LocalPath(n)
		}
		c.Redirect(http.StatusSeeOther, next)
	}
}
