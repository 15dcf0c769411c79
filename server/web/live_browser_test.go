package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/scheduler"
)

// setStatus changes a build of acme/public (its build, stage 1 and every
// step) to the status in the store and tells the event hub, as the
// scheduler does.
func (f *fixture) setStatus(t *testing.T, number int64, status core.Status, stepOnly bool) {
	t.Helper()
	ctx := context.Background()
	b, err := f.store.Builds().FindNumber(ctx, f.repos["public"].ID, number)
	if err != nil {
		t.Fatal(err)
	}
	stages, err := f.store.Stages().ListBuild(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	step := stages[0].Steps[0]
	step.Status = status
	if err := f.store.Steps().Update(ctx, step); err != nil {
		t.Fatal(err)
	}
	f.hub.Change(scheduler.Change{RepoID: b.RepoID, BuildID: b.ID, StageID: stages[0].ID, StepID: step.ID, Status: status})
	if stepOnly {
		return
	}
	b.Status = status
	if err := f.store.Builds().Update(ctx, b); err != nil {
		t.Fatal(err)
	}
	f.hub.Change(scheduler.Change{RepoID: b.RepoID, BuildID: b.ID, Status: status})
}

// TestBrowserLive opens the build page, a repository's builds, a step's
// log and the dashboard of running build 3: a step's and the build's change reported
// on the event stream are drawn without a reload, and the keyboard focus
// stays where it was.
func TestBrowserLive(t *testing.T) {
	b := browser{t: t, ctx: newBrowser(t)}
	f := newFixture(t)
	srv := f.server(t)
	open := func(path string) {
		b.do(chromedp.Navigate(srv.URL+path), poll(`document.body.getAttribute("data-live-state") === "open"`),
			script(`(window.droverSamePage = true)`))
	}
	stepLi := `document.querySelector('#build .steps li')`

	b.do(setCookie(srv.URL, f.cookies["writer"]))
	open("/acme/public/3")
	b.check("the step runs", stepLi+`.classList.contains("st-running")`)
	b.do(chromedp.Focus(chromedp.CSS(`#build .steps li a`)))
	f.setStatus(t, 3, core.StatusSuccess, true)
	b.do(poll(stepLi + `.classList.contains("st-success")`))
	b.check("the page was not reloaded", `window.droverSamePage === true`)
	b.check("the focus stayed on the step's link", `document.activeElement === document.querySelector('#build .steps li a')`)

	f.setStatus(t, 3, core.StatusFailure, false)
	b.do(poll(`document.querySelector('#build .head .status').textContent.includes("failure")`),
		poll(`document.getElementById("live-announce").textContent === "Build #3 failure"`))
	b.check("the page was not reloaded", `window.droverSamePage === true`)

	open("/acme/public")
	f.setStatus(t, 3, core.StatusSuccess, false)
	b.do(poll(`document.querySelector('#builds li.build').classList.contains("st-success")`))
	b.check("the list was not reloaded", `window.droverSamePage === true`)

	open("/acme/public/3/1/1")
	f.setStatus(t, 3, core.StatusFailure, true)
	b.do(poll(`document.querySelector('#step-head .status').textContent.includes("failure")`))
	b.check("the log page was not reloaded", `window.droverSamePage === true`)

	open("/")
	b.check("build 3 is not running", `!document.querySelector('#running-heading').parentNode.textContent.includes("acme/public #3")`)
	f.setStatus(t, 3, core.StatusRunning, false)
	b.do(poll(`document.querySelector('#running-heading').parentNode.textContent.includes("acme/public #3")`))
	b.check("the dashboard was not reloaded", `window.droverSamePage === true`)
}
