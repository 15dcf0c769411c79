package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
	"github.com/drover-ci/drover/server/trigger"
)

// Access answers what a user may do with a repository (the syncer's
// permission check, which refreshes stale permissions from the remote).
type Access interface {
	Perm(ctx context.Context, user *core.User, repo *core.Repo) (*core.Perm, error)
}

// Builder creates builds: manual triggers and restarts.
type Builder interface {
	Trigger(ctx context.Context, repo *core.Repo, tmpl *core.Build) (*core.Build, error)
}

// Queue is the part of the scheduler the build routes use.
type Queue interface {
	Cancel(ctx context.Context, buildID int64) error
	Approve(ctx context.Context, buildID int64) error
	Decline(ctx context.Context, buildID int64) error
	TailLogs(ctx context.Context, stepID, offset int64, fn func([]*core.LogLine) error) error
}

// BuildDeps are what the build routes need.
type BuildDeps struct {
	Access  Access
	Builder Builder
	Queue   Queue
	Runners RunnerLister // optional: says when no runner can take a pending stage
}

// AddBuilds serves the repository's builds, steps and logs. Call it once,
// before serving.
func (s *Server) AddBuilds(d BuildDeps) {
	h := &buildHandlers{s: s, d: d}
	g := s.router.Group("/api/repos/:owner/:name", s.authenticate())
	g.GET("", h.repo(core.CodeNotFound, pullAccess), h.getRepo)
	g.GET("/builds", h.repo(core.CodeNotFound, pullAccess), h.list)
	g.POST("/builds", h.repo(core.CodeForbidden, pushAccess), h.create)
	g.GET("/builds/:number", h.repo(core.CodeNotFound, pullAccess), h.get)
	g.POST("/builds/:number", h.repo(core.CodeForbidden, pushAccess), h.restart)
	g.DELETE("/builds/:number", h.repo(core.CodeForbidden, pushAccess), h.cancel)
	g.POST("/builds/:number/cancel", h.repo(core.CodeForbidden, pushAccess), h.cancel)
	g.POST("/builds/:number/approve", h.repo(core.CodeForbidden, pushAccess), h.approve)
	g.POST("/builds/:number/decline", h.repo(core.CodeForbidden, pushAccess), h.decline)
	g.GET("/builds/:number/logs/:stage/:step", h.repo(core.CodeNotFound, pullAccess), h.logs)
	g.GET("/builds/:number/logs/:stage/:step/stream", h.repo(core.CodeNotFound, pullAccess), h.stream)
}

type buildHandlers struct {
	s *Server
	d BuildDeps
}

type accessLevel func(*core.Perm) bool

func pullAccess(p *core.Perm) bool { return p.Pull || p.Push || p.Admin }
func pushAccess(p *core.Perm) bool { return p.Push || p.Admin }

const repoKey = "drover.repo"

// pathRepo finds the repository the path names (owner/name) on the
// remote the query names (by default the caller's); it also returns the
// slug and the remote's name.
func (s *Server) pathRepo(c *gin.Context) (*core.Repo, string, string, error) {
	slug := c.Param("owner") + "/" + c.Param("name")
	remote := c.Query("remote")
	if remote == "" {
		remote = currentUser(c).Remote
	}
	repo, err := s.store.Repos().FindSlug(c.Request.Context(), remote, slug)
	return repo, slug, remote, err
}

// repo loads the repository named in the path (of the user's remote, or
// ?remote=) and checks the user's access; without it, private
// repositories are reported missing (so their names do not leak) and
// writes are forbidden.
func (h *buildHandlers) repo(deny core.Code, allowed accessLevel) gin.HandlerFunc {
	return func(c *gin.Context) {
		user := currentUser(c)
		ctx := c.Request.Context()
		repo, slug, _, err := h.s.pathRepo(c)
		if err != nil {
			h.s.fail(c, err)
			return
		}
		if !user.Admin {
			perm, err := h.perm(ctx, user, repo)
			if err != nil {
				h.s.fail(c, err)
				return
			}
			if !allowed(perm) {
				if deny == core.CodeNotFound || !pullAccess(perm) {
					h.s.fail(c, core.Errorf(core.CodeNotFound, "repository %s not found", slug))
				} else {
					h.s.fail(c, core.Errorf(core.CodeForbidden, "you need push access to %s for this", slug))
				}
				return
			}
		}
		c.Set(repoKey, repo)
		c.Next()
	}
}

func (h *buildHandlers) perm(ctx context.Context, user *core.User, repo *core.Repo) (*core.Perm, error) {
	if h.d.Access != nil {
		return h.d.Access.Perm(ctx, user, repo)
	}
	p, err := h.s.store.Perms().Find(ctx, user.ID, repo.ID)
	if errors.Is(err, core.ErrNotFound) {
		return &core.Perm{}, nil
	}
	return p, err
}

func repoOf(c *gin.Context) *core.Repo {
	r, _ := c.Get(repoKey)
	return r.(*core.Repo)
}

func (h *buildHandlers) getRepo(c *gin.Context) { c.JSON(http.StatusOK, repoOf(c)) }

// build loads the build named by the path's number.
func (h *buildHandlers) build(c *gin.Context) (*core.Build, bool) {
	n, err := httpreq.PathID(c, "number")
	if err != nil {
		h.s.fail(c, err)
		return nil, false
	}
	b, err := h.s.store.Builds().FindNumber(c.Request.Context(), repoOf(c).ID, n)
	if err != nil {
		h.s.fail(c, err)
		return nil, false
	}
	return b, true
}

func (h *buildHandlers) list(c *gin.Context) {
	limit, offset := 25, 0
	if v := c.Query("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			h.s.fail(c, core.Errorf(core.CodeInvalid, "per_page must be 1 to 100"))
			return
		}
		limit = n
	}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			h.s.fail(c, core.Errorf(core.CodeInvalid, "page must be a positive number"))
			return
		}
		offset = (n - 1) * limit
	}
	list, err := h.s.store.Builds().List(c.Request.Context(), repoOf(c).ID, limit, offset)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// buildView is a build with its stages and steps, and for pending stages
// no runner can take, why.
type buildView struct {
	*core.Build
	Stages []*stageView `json:"stages"`
}

type stageView struct {
	*core.Stage
	Unmatched string `json:"unmatched,omitempty"`
}

func (h *buildHandlers) get(c *gin.Context) {
	b, ok := h.build(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	stages, err := h.s.store.Stages().ListBuild(ctx, b.ID)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	view := &buildView{Build: b, Stages: make([]*stageView, len(stages))}
	var runners []*core.Runner
	listed, listErr := false, error(nil) // the runners are read once, and only for a pending stage
	for i, st := range stages {
		view.Stages[i] = &stageView{Stage: st}
		if st.Status != core.StatusPending || h.d.Runners == nil {
			continue
		}
		if !listed {
			runners, listErr = h.d.Runners.List(ctx)
			listed = true
		}
		if listErr == nil {
			view.Stages[i].Unmatched = unmatched(runners, st)
		}
	}
	c.JSON(http.StatusOK, view)
}

// manualRequest is the body of a manual trigger.
type manualRequest struct {
	Branch string            `json:"branch"`
	Commit string            `json:"commit"`
	Params map[string]string `json:"params"`
	Deploy string            `json:"deploy_to"`
}

func (h *buildHandlers) create(c *gin.Context) {
	var req manualRequest
	if c.Request.ContentLength != 0 {
		if err := httpreq.BindJSON(c, &req); err != nil {
			h.s.fail(c, err)
			return
		}
	}
	repo := repoOf(c)
	if req.Branch == "" {
		req.Branch = repo.Branch
	}
	if req.Branch == "" || strings.ContainsAny(req.Branch, " \t\n~^:?*[\\") {
		h.s.fail(c, core.Errorf(core.CodeInvalid, "branch %q is not a branch name", req.Branch))
		return
	}
	user := currentUser(c)
	tmpl := &core.Build{
		Event: core.EventCustom, Ref: "refs/heads/" + req.Branch, Target: req.Branch, Source: req.Branch,
		After: req.Commit, Params: req.Params, Sender: user.Login, Deploy: req.Deploy,
	}
	h.trigger(c, repo, tmpl)
}

func (h *buildHandlers) restart(c *gin.Context) {
	b, ok := h.build(c)
	if !ok {
		return
	}
	tmpl := *b
	tmpl.ID, tmpl.Number, tmpl.Parent, tmpl.Delivery = 0, 0, b.Number, ""
	tmpl.Status, tmpl.Error, tmpl.Sender = "", "", currentUser(c).Login
	tmpl.Started, tmpl.Finished = time.Time{}, time.Time{}
	h.trigger(c, repoOf(c), &tmpl)
}

func (h *buildHandlers) trigger(c *gin.Context, repo *core.Repo, tmpl *core.Build) {
	if h.d.Builder == nil {
		h.s.fail(c, core.Errorf(core.CodeUnavailable, "builds cannot be started: no remote is configured"))
		return
	}
	// As pushes are: an inactive repository has no webhook and no owner
	// whose credentials read its files and report its statuses.
	if !repo.Active {
		h.s.fail(c, core.Errorf(core.CodeConflict, "repository %s is not active in Drover: activate it (POST /api/repos/%s) before starting builds", repo.Slug, repo.Slug))
		return
	}
	b, err := h.d.Builder.Trigger(c.Request.Context(), repo, tmpl)
	if err != nil {
		if errors.Is(err, trigger.ErrSkipped) {
			c.JSON(http.StatusOK, gin.H{"skipped": err.Error()})
			return
		}
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, b)
}

func (h *buildHandlers) cancel(c *gin.Context) {
	h.act(c, func(ctx context.Context, id int64) error { return h.d.Queue.Cancel(ctx, id) })
}

func (h *buildHandlers) approve(c *gin.Context) {
	h.act(c, func(ctx context.Context, id int64) error { return h.d.Queue.Approve(ctx, id) })
}

func (h *buildHandlers) decline(c *gin.Context) {
	h.act(c, func(ctx context.Context, id int64) error { return h.d.Queue.Decline(ctx, id) })
}

// act runs a state change on the build and answers with the build.
func (h *buildHandlers) act(c *gin.Context, fn func(ctx context.Context, buildID int64) error) {
	b, ok := h.build(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if err := fn(ctx, b.ID); err != nil {
		h.s.fail(c, err)
		return
	}
	if b, err := h.s.store.Builds().Find(ctx, b.ID); err == nil {
		c.JSON(http.StatusOK, b)
		return
	}
	c.Status(http.StatusNoContent)
}
