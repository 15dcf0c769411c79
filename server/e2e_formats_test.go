package server_test

import (
	"context"
	"fmt"

	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/server/config"
)

// A Drone 0.8 file: a custom clone step (so the clone is off), steps in
// map order, a service and a two-row matrix whose variable the commands
// use; Drone's converter makes one docker pipeline per row.
const legacyE2E = `
clone:
  prepare:
    image: alpine
    commands:
      - echo custom clone step
pipeline:
  greet:
    image: alpine
    commands:
      - echo "hello from 0.8 with ${FLAVOUR}"
  after:
    image: alpine
    commands:
      - echo "after $DRONE_BRANCH"
  skipped:
    image: alpine
    commands:
      - echo "never printed"
    when:
      event: tag
matrix:
  FLAVOUR:
    - vanilla
    - chocolate
`

const jsonnetE2E = `
local step(name, cmd) = { name: name, commands: [cmd] };
[
  {
    kind: 'pipeline',
    type: 'exec',
    name: 'from-jsonnet-' + n,
    clone: { disable: true },
    steps: [
      step('greet', 'echo "jsonnet ' + n + ' on ' + std.extVar('build.branch') + ' of ' + std.extVar('repo.slug') + '"'),
      step('after', 'echo "after ' + n + '"'),
    ],
  }
  for n in ['x', 'y']
]
`

const starlarkE2E = `
def step(name, cmd):
    return {"name": name, "commands": [cmd]}

def main(ctx):
    return {
        "kind": "pipeline",
        "type": "exec",
        "name": "from-starlark",
        "clone": {"disable": True},
        "steps": [
            step("greet", "echo 'starlark on %s of %s by %s'" % (ctx.build.branch, ctx.repo.slug, ctx.build.event)),
            step("after", "echo after-star"),
        ],
    }
`

// programsOn enables Jsonnet and Starlark; docker-type stages (Drone 0.8
// files convert to them) run on the local engine, so the test needs no
// daemon.
func programsOn(c *config.Config) {
	c.JsonnetEnabled, c.StarlarkEnabled = true, true
	c.Engines = append(c.Engines, host.Instance{Kind: host.KindEngine, Name: "docker", Plugin: "drover-engine-local"})
}

// TestPipelineFormatsEndToEnd: a 0.8 file, a Jsonnet program and a
// Starlark program each go trigger → build → steps on the local engine,
// with their output in the logs.
func TestPipelineFormatsEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name, path, file string
		stages           []string
		steps            []string            // per stage
		logs             map[string][]string // "stage/step" → lines
	}{
		{"drone 0.8", ".drone.yml", legacyE2E, []string{"matrix-1", "matrix-2"}, []string{"prepare,greet,after,skipped", "prepare,greet,after,skipped"},
			map[string][]string{
				"matrix-1/prepare": {"custom clone step"},
				"matrix-1/greet":   {"hello from 0.8 with vanilla"},
				"matrix-2/greet":   {"hello from 0.8 with chocolate"},
				"matrix-2/after":   {"after main"},
			}},
		{"jsonnet", ".drone.jsonnet", jsonnetE2E, []string{"from-jsonnet-x", "from-jsonnet-y"}, []string{"greet,after", "greet,after"},
			map[string][]string{
				"from-jsonnet-x/greet": {"jsonnet x on main of acme/app"},
				"from-jsonnet-y/after": {"after y"},
			}},
		{"starlark", ".drone.star", starlarkE2E, []string{"from-starlark"}, []string{"greet,after"},
			map[string][]string{
				"from-starlark/greet": {"starlark on main of acme/app by custom"},
				"from-starlark/after": {"after-star"},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, programsOn)
			repo := h.repo(t, "acme/app", tc.file)
			if tc.path != ".drone.yml" {
				h.remote.SetFile("acme/app", "refs/heads/main", "0123456789abcdef", tc.path, []byte(tc.file))
				repo.ConfigPath = tc.path
				if err := h.app.Store.Repos().Update(context.Background(), repo); err != nil {
					t.Fatal(err)
				}
			}
			var created core.Build
			if code := h.call(t, "POST", "/api/repos/acme/app/builds?remote=fake", `{"branch":"main"}`, &created); code != 201 {
				t.Fatalf("trigger = %d", code)
			}
			b := h.waitBuild(t, "acme/app", created.Number)
			if b.Status != core.StatusSuccess {
				t.Fatalf("build = %s (%s)", b.Status, b.Error)
			}
			var names []string
			logs := map[string]string{}
			for i, st := range b.Stages {
				names = append(names, st.Name)
				var steps []string
				for _, step := range st.Steps {
					steps = append(steps, step.Name)
					logs[st.Name+"/"+step.Name] = h.stepLog(t, "acme/app", b.Number, st.Number, step.Number)
				}
				if i < len(tc.steps) && strings.Join(steps, ",") != tc.steps[i] {
					t.Errorf("stage %s steps = %v, want %s", st.Name, steps, tc.steps[i])
				}
			}
			if strings.Join(names, ",") != strings.Join(tc.stages, ",") {
				t.Fatalf("stages = %v, want %v", names, tc.stages)
			}
			for key, want := range tc.logs {
				for _, w := range want {
					if !strings.Contains(logs[key], w) {
						t.Errorf("log of %s lacks %q:\n%s", key, w, logs[key])
					}
				}
			}
			for key, text := range logs {
				if strings.Contains(text, "never printed") {
					t.Errorf("%s ran although its when.event is tag", key)
				}
			}
			if tc.name == "drone 0.8" {
				for _, st := range b.Stages {
					if s := st.Steps[len(st.Steps)-1]; s.Status != core.StatusSkipped {
						t.Errorf("%s/%s = %s, want skipped", st.Name, s.Name, s.Status)
					}
				}
			}
		})
	}
}

// TestRunawayProgramsFailTheBuild: an endless Starlark loop and a Jsonnet
// recursion without end stop at their bounds; the build is an error
// whose message names the file, line and column.
func TestRunawayProgramsFailTheBuild(t *testing.T) {
	h := newHarness(t, programsOn)
	for i, tc := range []struct {
		path, file, want string
	}{
		{".drone.star", "def main(ctx):\n    for i in range(1 << 60):\n        pass\n", ".drone.star: 2:5: starlark: Starlark computation cancelled: too many steps"},
		{".drone.jsonnet", "local f(n) = f(n + 1) + 1;\n{a: f(0)}\n", ".drone.jsonnet: 1:14: jsonnet: max stack frames exceeded"},
	} {
		slug := fmt.Sprintf("acme/runaway-%d", i)
		repo := h.repo(t, slug, "")
		h.remote.SetFile(slug, "refs/heads/main", "0123456789abcdef", tc.path, []byte(tc.file))
		repo.ConfigPath = tc.path
		if err := h.app.Store.Repos().Update(context.Background(), repo); err != nil {
			t.Fatal(err)
		}
		var created core.Build
		if code := h.call(t, "POST", "/api/repos/"+slug+"/builds?remote=fake", `{"branch":"main"}`, &created); code != 201 {
			t.Fatalf("trigger = %d", code)
		}
		b := h.waitBuild(t, slug, created.Number)
		if b.Status != core.StatusError || !strings.Contains(b.Error, tc.want) {
			t.Errorf("%s: build %s (%q), want an error with %q", tc.path, b.Status, b.Error, tc.want)
		}
	}
}
