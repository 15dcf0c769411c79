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
