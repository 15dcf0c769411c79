package server_test

import (
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// TestManualBuildParamsReachSteps: the parameters of a manual build are
// environment variables of its steps, run by the local runner.
func TestManualBuildParamsReachSteps(t *testing.T) {
	h := newHarness(t)
	h.repo(t, "acme/app", `
kind: pipeline
type: exec
name: default
clone:
  disable: true
steps:
- name: show
  commands:
  - echo "target=$DEPLOY_TARGET note=$NOTE"
`)
	var created core.Build
	body := `{"branch":"main","params":{"DEPLOY_TARGET":"staging","NOTE":"from the API"}}`
	if code := h.call(t, "POST", "/api/repos/acme/app/builds?remote=fake", body, &created); code != 201 {
		t.Fatalf("trigger = %d", code)
	}
	b := h.waitBuild(t, "acme/app", created.Number)
	if b.Status != core.StatusSuccess {
		t.Fatalf("build = %s (%s)", b.Status, b.Error)
	}
	if got := h.stepLog(t, "acme/app", b.Number, 1, 1); !strings.Contains(got, "target=staging note=from the API") {
		t.Fatalf("log of the step = %q; want the parameters in its environment", got)
	}
}

// TestRestartOneStageRunsOnlyIt: build 1 of a → b → c runs to the end;
// restarting stage b makes build 2 (parent 1) whose only stage, b, runs
// at once (not waiting for a) and prints the build's params, while
// build 1 stays as it was.
func TestRestartOneStageRunsOnlyIt(t *testing.T) {
	h := newHarness(t)
	stage := func(name, deps string) string {
		return `
kind: pipeline
type: exec
name: ` + name + `
clone:
  disable: true
depends_on: [` + deps + `]
steps:
- name: run
  commands:
  - echo "ran ` + name + ` of build $DRONE_BUILD_NUMBER with $K"
`
	}
	h.repo(t, "acme/app", stage("a", "")+"---"+stage("b", "a")+"---"+stage("c", "b"))
	var first core.Build
	if code := h.call(t, "POST", "/api/repos/acme/app/builds?remote=fake", `{"params":{"K":"V"}}`, &first); code != 201 {
		t.Fatalf("trigger = %d", code)
	}
	b1 := h.waitBuild(t, "acme/app", first.Number)
	if b1.Status != core.StatusSuccess || len(b1.Stages) != 3 {
		t.Fatalf("build 1 = %s with %d stages", b1.Status, len(b1.Stages))
	}
	var rerun core.Build
	if code := h.call(t, "POST", "/api/repos/acme/app/builds/1?remote=fake&stage=b", "", &rerun); code != 201 {
		t.Fatalf("restart stage b = %d", code)
	}
	b2 := h.waitBuild(t, "acme/app", rerun.Number)
	if b2.Status != core.StatusSuccess || b2.Parent != 1 || len(b2.Stages) != 1 {
		t.Fatalf("build 2 = %s, parent %d, %d stages; want success, parent 1, one stage", b2.Status, b2.Parent, len(b2.Stages))
	}
	if st := b2.Stages[0]; st.Name != "b" || st.Number != 2 || st.Status != core.StatusSuccess {
		t.Fatalf("build 2's stage = %d %s %s, want 2 b success", st.Number, st.Name, st.Status)
	}
	if got := h.stepLog(t, "acme/app", 2, 2, 1); !strings.Contains(got, "ran b of build 2 with V") {
		t.Fatalf("log of b in build 2 = %q", got)
	}
	again := h.waitBuild(t, "acme/app", 1)
	for i, st := range again.Stages {
		if st.Status != core.StatusSuccess || !st.Finished.Equal(b1.Stages[i].Finished) {
			t.Errorf("build 1's stage %s changed: %s finished %v (was %v)", st.Name, st.Status, st.Finished, b1.Stages[i].Finished)
		}
	}
}
