package web

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// stageRow is a stage on the build page, with why it waits.
type stageRow struct {
	*core.Stage
	Reason string // why a pending, waiting or blocked stage does not run
	Graph  *graph // its steps' graph; nil when they run in order
}

// buildData is the build page's content.
type buildData struct {
	Rights *api.Rights
	Build  *core.Build
	Stages []stageRow
	Graph  *graph // the stages' graph; nil for one stage
	Done   bool   // the build finished
	// Manual and Promote are the forms for users with push access (nil
	// for others; Promote only for a finished build).
	Manual  *buildForm
	Promote *buildForm
	Skipped bool // a restart was skipped by the pipeline's conditions
}

// CanRestartStage says whether the stage may be rerun alone: by users
// with push access, once it has finished.
func (d *buildData) CanRestartStage(st *core.Stage) bool { return d.Rights.Push && finished(st.Status) }

// CanCancel, CanRestart and CanApprove say which actions the build page
// offers (the API checks again when they are used).
func (d *buildData) CanCancel() bool  { return d.Rights.Push && !d.Done }
func (d *buildData) CanRestart() bool { return d.Rights.Push && d.Done }
func (d *buildData) CanApprove() bool { return d.Rights.Push && d.Build.Status == core.StatusBlocked }

// branchOf is the branch a build ran on (a pull request's target).
func branchOf(b *core.Build) string {
	if br, ok := strings.CutPrefix(b.Ref, "refs/heads/"); ok {
		return br
	}
	return b.Target
}

// finished reports whether a build's status is final.
func finished(s core.Status) bool {
	switch s {
	case core.StatusPending, core.StatusRunning, core.StatusBlocked, core.StatusWaiting:
		return false
	}
	return true
}

// buildPage is GET /{owner}/{name}/{number}: the build's stages and
// steps with their status and durations, why a stage waits, the
// pipeline's lint warnings and the actions the user may take.
func (w *Web) buildPage(c *gin.Context) {
	v, rights, ok := w.repoFor(c, "")
	if !ok {
		return
	}
	b, ok := w.pathBuild(c, rights.Repo)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	stages, err := w.store.Stages().ListBuild(ctx, b.ID)
	if err != nil {
		w.fail(c, err)
		return
	}
	d := &buildData{Rights: rights, Build: b, Done: finished(b.Status), Graph: stageGraph(stages), Skipped: c.Query("skipped") != ""}
	if rights.Push && rights.Repo.Active {
		d.Manual = manualForm(c, v.CSRF, branchOf(b))
		if d.Done {
			d.Promote = promoteForm(c, v.CSRF, b)
		}
	}
	var runners []*core.Runner
	listed := false // the runners are read once, and only for a pending stage
	for _, st := range stages {
		row := stageRow{Stage: st, Graph: stepGraph(st)}
		switch st.Status {
		case core.StatusBlocked:
			row.Reason = "waits for approval by someone with push access"
		case core.StatusWaiting:
			row.Reason = "waits for " + strings.Join(st.DependsOn, ", ")
		case core.StatusPending:
			if !listed {
				listed = true
				if runners, err = w.store.Runners().List(ctx); err != nil {
					w.log.Warn("list runners for the build page", "err", err)
				}
			}
			row.Reason = api.Unmatched(runners, st)
			if row.Reason == "" {
				row.Reason = "queued: waits for a free runner"
			}
		}
		d.Stages = append(d.Stages, row)
	}
	v.Title = rights.Repo.Slug + " #" + strconv.FormatInt(b.Number, 10)
	v.Data = d
	w.render(c, 200, "build", v)
}

// pathBuild loads the build the path's number names.
func (w *Web) pathBuild(c *gin.Context, repo *core.Repo) (*core.Build, bool) {
	n, err := strconv.ParseInt(c.Param("number"), 10, 64)
	if err != nil || n < 1 {
		w.fail(c, core.Errorf(core.CodeNotFound, "there is no build %q of %s", c.Param("number"), repo.Slug))
		return nil, false
	}
	b, err := w.store.Builds().FindNumber(c.Request.Context(), repo.ID, n)
	if err != nil {
		w.fail(c, err)
		return nil, false
	}
	return b, true
}
