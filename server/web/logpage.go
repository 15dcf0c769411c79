package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// logData is the log viewer page's content; the lines themselves are
// fetched by static/js/log.js from the API, page by page.
type logData struct {
	Rights *api.Rights
	Build  *core.Build
	Stage  *core.Stage
	Step   *core.Step
	Lines  int64  // lines stored when the page was drawn
	API    string // GET …/logs/{stage}/{step} (pages of lines)
	Stream string // GET …/logs/{stage}/{step}/stream (server-sent events)
	Raw    string // GET …/logs/{stage}/{step}/raw (the log as text, a download)
	Live   bool   // the step may still write lines: follow them
}

// logPage is GET /{owner}/{name}/{number}/{stage}/{step}: the step's log
// viewer.
func (w *Web) logPage(c *gin.Context) {
	v, rights, ok := w.repoFor(c, "")
	if !ok {
		return
	}
	b, ok := w.pathBuild(c, rights.Repo)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	stage, step, err := w.findStep(ctx, b, c.Param("stage"), c.Param("step"))
	if err != nil {
		w.fail(c, err)
		return
	}
	n, err := countLines(ctx, w.store.Logs(), step.ID)
	if err != nil {
		w.fail(c, err)
		return
	}
	base := fmt.Sprintf("/api/repos/%s/%s/builds/%d/logs/%d/%d", rights.Repo.Owner, rights.Repo.Name, b.Number, stage.Number, step.Number)
	q := ""
	if r := c.Query("remote"); r != "" {
		q = "?remote=" + url.QueryEscape(r)
	}
	v.Title = fmt.Sprintf("%s · %s #%d", step.Name, rights.Repo.Slug, b.Number)
	v.Data = &logData{Rights: rights, Build: b, Stage: stage, Step: step, Lines: n, API: base + q, Stream: base + "/stream" + q, Raw: base + "/raw" + q,
		Live: !finished(step.Status) || !finished(stage.Status)}
	w.render(c, 200, "log", v)
}

// findStep finds the build's stage and step of the path's numbers.
func (w *Web) findStep(ctx context.Context, b *core.Build, stageN, stepN string) (*core.Stage, *core.Step, error) {
	stages, err := w.store.Stages().ListBuild(ctx, b.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range stages {
		if strconv.Itoa(st.Number) != stageN {
			continue
		}
		for _, step := range st.Steps {
			if strconv.Itoa(step.Number) == stepN {
				return st, step, nil
			}
		}
	}
	return nil, nil, core.Errorf(core.CodeNotFound, "build %d has no step %s.%s", b.Number, stageN, stepN)
}

// lineReader reads a step's lines (core.LogStore).
type lineReader interface {
	Read(ctx context.Context, stepID int64, offset int64, limit int) ([]*core.LogLine, error)
}

// countLines is how many lines the step has stored: one past the last
// line's number, found by doubling and then halving the offset read
// (about 2·log₂ n reads of one line each, on the store's index), since
// lines are numbered from 0 without gaps.
func countLines(ctx context.Context, logs lineReader, stepID int64) (int64, error) {
	has := func(off int64) (bool, error) {
		lines, err := logs.Read(ctx, stepID, off, 1)
		return len(lines) > 0, err
	}
	ok, err := has(0)
	if err != nil || !ok {
		return 0, err
	}
	lo, hi := int64(0), int64(1) // a line at lo; is there one at hi?
	for {
		ok, err := has(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 { // a line at lo, none at hi
		mid := lo + (hi-lo)/2
		ok, err := has(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, nil
}
