package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
	"github.com/drover-ci/drover/server/trigger"
)

// Builder creates builds: manual triggers and restarts.
type Builder interface {
	Trigger(ctx context.Context, repo *core.Repo, tmpl *core.Build) (*core.Build, error)
}

// StageBuilder is a Builder that also reruns some stages of a build
// (trigger.Trigger is one): restarting one stage (?stage=) needs it.
type StageBuilder interface {
	Builder
	// TriggerStages is Trigger keeping only the named stages; their
	// dependencies on the others count as satisfied.
	TriggerStages(ctx context.Context, repo *core.Repo, tmpl *core.Build, only []string) (*core.Build, error)
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
	if d.Access != nil {
		s.access = d.Access
	}
	const repo, build = "/api/repos/:owner/:name", "/api/repos/:owner/:name/builds/:number"
	remote := queryString("remote", "the remote of the repository (default: the caller's)")
	for _, r := range []route{
		{method: "GET", path: repo, summary: "Get a repository", access: accessPull,
			answers: []answer{answerOK(&core.Repo{})}, handlers: []gin.HandlerFunc{h.getRepo}},
		{method: "GET", path: repo + "/builds", summary: "List the repository's builds, newest first", access: accessPull, paged: true,
			doc:     "The filters match exactly and combine: `?branch=main&status=failure` lists main's failed builds.",
			query:   buildFilterParams,
			answers: []answer{answerOK([]*core.Build{})}, handlers: []gin.HandlerFunc{h.list}},
		{method: "POST", path: repo + "/builds", summary: "Start a build of a branch or commit", access: accessPush,
			doc: "Without `branch`, the repository's default branch; without `commit`, the branch's head. " +
				"Parameters reach every step as environment variables: names as [A-Za-z_][A-Za-z0-9_]*, not DRONE_*, DROVER_* or CI_* (Drover sets those), " +
				"at most 64 of them and 64 KiB in all. The answer is 200 with `skipped` when the pipeline's conditions skip the build.",
			body: manualRequest{Branch: "main", Params: map[string]string{"DEPLOY": "staging"}}, bodyOptional: true,
			answers: []answer{answerCreated(&core.Build{}), answerOK(skippedView{})}, handlers: []gin.HandlerFunc{h.create}},
		{method: "GET", path: build, summary: "Get a build with its stages and steps", access: accessPull,
			answers: []answer{answerOK(&buildView{})}, handlers: []gin.HandlerFunc{h.get}},
		{method: "POST", path: build, summary: "Restart a build (a new build of the same commit and parameters)", access: accessPush,
			doc: "The new build has the next number and `parent` set to the restarted one's. " +
				"With `stage`, it runs only that stage (pipeline) of the build, under its number; " +
				"the stage's `depends_on` on stages not rerun counts as satisfied, so it is queued at once.",
			query:   []param{queryString("stage", "rerun only this stage: its name, or its number in the build")},
			answers: []answer{answerCreated(&core.Build{}), answerOK(skippedView{})}, handlers: []gin.HandlerFunc{h.restart}},
		{method: "DELETE", path: build, summary: "Cancel a build (as POST …/cancel)", access: accessPush,
			answers: []answer{answerOK(&core.Build{}), answerNoContent()}, handlers: []gin.HandlerFunc{h.cancel}},
		{method: "POST", path: build + "/cancel", summary: "Cancel a build", access: accessPush,
			answers: []answer{answerOK(&core.Build{}), answerNoContent()}, handlers: []gin.HandlerFunc{h.cancel}},
		{method: "POST", path: build + "/approve", summary: "Approve a build waiting for approval", access: accessPush,
			answers: []answer{answerOK(&core.Build{}), answerNoContent()}, handlers: []gin.HandlerFunc{h.approve}},
		{method: "POST", path: build + "/decline", summary: "Decline a build waiting for approval", access: accessPush,
			answers: []answer{answerOK(&core.Build{}), answerNoContent()}, handlers: []gin.HandlerFunc{h.decline}},
		{method: "GET", path: build + "/logs/:stage/:step", summary: "Read a step's log lines", access: accessPull,
			doc: "A page holds at most `limit` lines (10000) and 1 MiB of text; when it was cut, `X-Next-Offset` is the next page's `offset`. " +
				"A stage requeued after its runner was lost runs again; `attempt` reads the lines of an earlier attempt. " +
				"410 (code `purged`) once the build's logs were purged.",
			query: []param{queryInteger("offset", "the first line number to return (default 0)"),
				queryInteger("limit", "the most lines to return (default and maximum 10000)"),
				queryInteger("attempt", "the attempt of the stage whose lines to read, from 1 (default: the latest)")},
			answers: []answer{answerOK([]*core.LogLine{})}, handlers: []gin.HandlerFunc{h.logs}},
		{method: "GET", path: build + "/logs/:stage/:step/stream", summary: "Follow a step's log lines (server-sent events)", access: accessPull,
			doc: "Each line is a `line` event with the line's JSON and its number as id, then an `end` event once the step finished. " +
				"`Last-Event-ID` (or `?offset=`) resumes after a reconnect. 410 (code `purged`) once the build's logs were purged.",
			query:   []param{queryInteger("offset", "the first line number to send (default 0)")},
			header:  []param{{name: "Last-Event-ID", typ: "integer", doc: "the number of the last line received: resume after it"}},
			answers: []answer{{status: http.StatusOK, contentType: "text/event-stream"}}, handlers: []gin.HandlerFunc{h.stream}},
		h.promoteRoute(build),
		h.rawRoute(build),
		h.purgeRoute(build),
	} {
		r.query = append(r.query, remote)
		s.handle(r)
	}
	h.settingsRoutes()
}

type buildHandlers struct {
	s *Server
	d BuildDeps
}

func (h *buildHandlers) getRepo(c *gin.Context) { c.JSON(http.StatusOK, repoOf(c)) }

// skippedView answers a trigger the pipeline's conditions skipped.
type skippedView struct {
	Skipped string `json:"skipped"`
}

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
	p, err := pageOf(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	f, err := buildFilterOf(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	list, err := h.s.store.Builds().ListFilter(c.Request.Context(), repoOf(c).ID, f, p.PerPage+1, p.Offset())
	if err != nil {
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageQueried(c, p, list))
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
	Branch string            `json:"branch,omitempty"`
	Commit string            `json:"commit,omitempty"`
	Params map[string]string `json:"params,omitempty"`
	Deploy string            `json:"deploy_to,omitempty"`
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
	if req.Commit != "" && !commitSHA.MatchString(req.Commit) {
		h.s.fail(c, core.Errorf(core.CodeInvalid, "commit: %.80q is not a commit id (7 to 64 hexadecimal digits)", req.Commit))
		return
	}
	if err := validateParams(req.Params); err != nil {
		h.s.fail(c, err)
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
	var only []string
	if v, set := c.GetQuery("stage"); set {
		name, err := h.stageName(c, b, v)
		if err != nil {
			h.s.fail(c, err)
			return
		}
		only = []string{name}
	}
	h.trigger(c, repoOf(c), rerunOf(b, currentUser(c).Login), only...)
}

func (h *buildHandlers) trigger(c *gin.Context, repo *core.Repo, tmpl *core.Build, only ...string) {
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
	var b *core.Build
	var err error
	if only == nil {
		b, err = h.d.Builder.Trigger(c.Request.Context(), repo, tmpl)
	} else if sb, ok := h.d.Builder.(StageBuilder); ok {
		b, err = sb.TriggerStages(c.Request.Context(), repo, tmpl, only)
	} else {
		err = core.Errorf(core.CodeUnavailable, "this server cannot rerun single stages")
	}
	if err != nil {
		if errors.Is(err, trigger.ErrSkipped) {
			c.JSON(http.StatusOK, skippedView{Skipped: err.Error()})
			return
		}
		h.s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, b)
}
