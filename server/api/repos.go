package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/syncer"
)

// repoRoutes serves the user's repositories and their sync.
func (s *Server) repoRoutes() {
	s.handle(route{method: "GET", path: "/api/user/repos", summary: "List your repositories", access: accessUser, paged: true,
		doc: "The active repositories you can see, or with `all=true` every one (activate one with POST /api/repos/{owner}/{name}). " +
			"They are synced from the remote first when the last sync is old, or with `flush=true`.",
		query: []param{
			queryBoolean("all", "also the repositories that are not active"),
			queryBoolean("flush", "sync from the remote first, however recent the last sync"),
		},
		answers: []answer{answerOK([]*core.Repo{})}, handlers: []gin.HandlerFunc{s.listUserRepos}})
	s.handle(route{method: "POST", path: "/api/user/repos", summary: "Sync your repositories from the remote now", access: accessUser,
		doc:     "With `async=true` the sync starts and the answer is 202 at once; its outcome then shows at GET /api/user/sync.",
		query:   []param{queryBoolean("async", "start the sync and answer at once")},
		answers: []answer{answerOK(&core.SyncOutcome{}), {status: http.StatusAccepted, body: syncingView{}}}, handlers: []gin.HandlerFunc{s.syncUserRepos}})
	s.handle(route{method: "GET", path: "/api/user/sync", summary: "Your latest repository sync", access: accessUser,
		answers: []answer{answerOK(syncView{})}, handlers: []gin.HandlerFunc{s.userSync}})
	s.handle(route{method: "GET", path: "/api/users/:login/sync", summary: "A user's latest repository sync", access: accessSysAdmin,
		query:   []param{queryString("remote", "the user's remote, when users of several remotes share the login")},
		answers: []answer{answerOK(syncView{})}, handlers: []gin.HandlerFunc{s.adminUserSync}})
	s.repoListRoute()
	s.repoSettingsRoutes()
}

// syncingView answers a sync started in the background.
type syncingView struct {
	Status string `json:"status"`
}

// queryBool reads a boolean query parameter; absent is false.
func queryBool(c *gin.Context, name string) (bool, error) {
	v, ok := c.GetQuery(name)
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, core.Errorf(core.CodeInvalid, "%s: %q is not true or false", name, v)
	}
	return b, nil
}

// listUserRepos is GET /api/user/repos[?all=true][&flush=true]: the
// repositories the user can see (all) or the active ones, synced from the
// remote first when the last sync is older than the configured age or
// flush is asked.
func (s *Server) listUserRepos(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	all, err := queryBool(c, "all")
	if err != nil {
		s.fail(c, err)
		return
	}
	flush, err := queryBool(c, "flush")
	if err != nil {
		s.fail(c, err)
		return
	}
	user, ctx := currentUser(c), c.Request.Context()
	var repos []*core.Repo
	if s.syncer != nil {
		repos, err = s.syncer.List(ctx, user, all, flush)
	} else {
		repos, err = s.store.Repos().ListUser(ctx, user.ID, !all)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageSlice(c, p, repos))
}

// syncUserRepos is POST /api/user/repos[?async=true]: sync now and answer
// the outcome, or with async start it and answer 202 at once (the outcome
// then shows at GET /api/user/sync).
func (s *Server) syncUserRepos(c *gin.Context) {
	async, err := queryBool(c, "async")
	if err != nil {
		s.fail(c, err)
		return
	}
	user := currentUser(c)
	if s.syncer == nil {
		s.fail(c, core.Errorf(core.CodeUnavailable, "repository sync is not enabled on this server"))
		return
	}
	if user.Remote == "" {
		s.fail(c, core.Errorf(core.CodeInvalid, "user %s did not log in through a remote: there is nothing to sync", user.Login))
		return
	}
	if async {
		s.syncer.SyncAsync(user, syncer.CauseRequest)
		c.JSON(http.StatusAccepted, syncingView{Status: "syncing"})
		return
	}
	o, err := s.syncer.Sync(c.Request.Context(), user, syncer.CauseRequest)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// userSync is GET /api/user/sync: the outcome of the user's latest sync.
func (s *Server) userSync(c *gin.Context) {
	s.syncOutcome(c, currentUser(c))
}

// adminUserSync is GET /api/users/{login}/sync[?remote=name] (admins): the
// outcome of a user's latest sync. remote picks among users of several
// remotes with the same login.
func (s *Server) adminUserSync(c *gin.Context) {
	u, err := s.pathUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.syncOutcome(c, u)
}

// syncView is a user's sync state: when the last sync started, and what
// the latest one did.
type syncView struct {
	Login   string            `json:"login"`
	Remote  string            `json:"remote"`
	Synced  time.Time         `json:"synced,omitzero"`
	Outcome *core.SyncOutcome `json:"outcome"`
}

func (s *Server) syncOutcome(c *gin.Context, u *core.User) {
	v := syncView{Login: u.Login, Remote: u.Remote}
	if fresh, err := s.store.Users().Find(c.Request.Context(), u.ID); err == nil && !fresh.Synced.IsZero() {
		v.Synced = fresh.Synced
	}
	o, err := s.store.Syncs().Outcome(c.Request.Context(), u.ID)
	switch {
	case errors.Is(err, core.ErrNotFound):
	case err != nil:
		s.fail(c, err)
		return
	default:
		v.Outcome = o
	}
	c.JSON(http.StatusOK, v)
}
