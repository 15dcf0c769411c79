package pipeline

import (
	"errors"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

func TestProblemsAreInvalidAndPositioned(t *testing.T) {
	_, err := Parse([]byte("kind: pipeline\nsteps:\n- name: a\n  detach: maybe\n"))
	if !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("errors.Is(%v, ErrInvalid) = false", err)
	}
	ps := AsProblems(err)
	if len(ps) != 1 || ps[0].Line != 4 || ps[0].Column != 11 || !strings.Contains(ps[0].Message, `"maybe"`) {
		t.Errorf("problems = %v, want one at 4:11 naming maybe", ps)
	}
}

func TestConditionMatch(t *testing.T) {
	tests := []struct {
		c    Condition
		v    string
		want bool
	}{
		{Condition{}, "anything", true},
		{Condition{Include: []string{"main"}}, "main", true},
		{Condition{Include: []string{"main"}}, "dev", false},
		{Condition{Include: []string{"release/*"}}, "release/1.0", true},
		{Condition{Include: []string{"release/*"}}, "release/1.0/x", false},
		{Condition{Include: []string{"refs/tags/**"}}, "refs/tags/v1/rc", true},
		{Condition{Exclude: []string{"feature/*"}}, "feature/a", false},
		{Condition{Exclude: []string{"feature/*"}}, "main", true},
		{Condition{Include: []string{"*"}, Exclude: []string{"dev"}}, "dev", false},
		{Condition{Include: []string{"v{1,2}.*"}}, "v2.0", true},
	}
	for _, tt := range tests {
		if got := tt.c.Match(tt.v); got != tt.want {
			t.Errorf("%+v.Match(%q) = %v, want %v", tt.c, tt.v, got, tt.want)
		}
	}
}

func TestStatusPolicies(t *testing.T) {
	tests := []struct {
		c           Condition
		step, stage core.RunPolicy
	}{
		{Condition{}, core.RunOnSuccess, core.RunOnSuccess},
		{Condition{Include: []string{"failure"}}, core.RunOnFailure, core.RunOnFailure},
		{Condition{Include: []string{"success", "failure"}}, core.RunAlways, core.RunAlways},
		{Condition{Exclude: []string{"success"}}, core.RunOnFailure, core.RunOnFailure},
		{Condition{Include: []string{"success"}}, core.RunOnSuccess, core.RunOnSuccess},
		// Values that match no outcome: Drone's runners run the step on
		// success, Drone's trigger never runs the stage.
		{Condition{Include: []string{"changed"}}, core.RunOnSuccess, core.RunNever},
		{Condition{Include: []string{"changed", "failure"}}, core.RunOnFailure, core.RunOnFailure},
		{Condition{Exclude: []string{"success", "failure"}}, core.RunOnSuccess, core.RunNever},
	}
	for _, tt := range tests {
		if got := stepPolicy(tt.c); got != tt.step {
			t.Errorf("stepPolicy(%+v) = %s, want %s", tt.c, got, tt.step)
		}
		if got := stagePolicy(tt.c); got != tt.stage {
			t.Errorf("stagePolicy(%+v) = %s, want %s", tt.c, got, tt.stage)
		}
	}
}

func TestEnviron(t *testing.T) {
	tests := []struct {
		name  string
		build core.Build
		want  map[string]string
	}{
		{"push", core.Build{Event: "push", Ref: "refs/heads/main", Target: "main", After: "abc", Number: 7},
			map[string]string{"DRONE_BRANCH": "main", "DROVER_BRANCH": "main", "CI_COMMIT_BRANCH": "main", "DRONE_COMMIT_SHA": "abc",
				"DRONE_BUILD_NUMBER": "7", "CI_PIPELINE_NUMBER": "7", "DRONE_TAG": "", "DRONE_PULL_REQUEST": "", "DRONE_REPO": "octocat/hello-world",
				"DRONE_REPO_OWNER": "octocat", "DRONE_REPO_NAME": "hello-world", "CI": "true", "DRONE_BUILD_EVENT": "push"}},
		{"tag", core.Build{Event: "tag", Ref: "refs/tags/v1.2.3", Target: "main"},
			map[string]string{"DRONE_TAG": "v1.2.3", "CI_COMMIT_TAG": "v1.2.3", "DRONE_BRANCH": "", "DRONE_BUILD_EVENT": "tag",
				"DRONE_SEMVER": "1.2.3", "DRONE_SEMVER_MAJOR": "1", "DRONE_SEMVER_MINOR": "2", "DRONE_SEMVER_PATCH": "3", "DRONE_SEMVER_SHORT": "1.2.3"}},
		{"prerelease tag", core.Build{Event: "tag", Ref: "refs/tags/2.0.0-rc.1+b5"},
			map[string]string{"DRONE_SEMVER": "2.0.0-rc.1+b5", "DRONE_SEMVER_PRERELEASE": "rc.1", "DRONE_SEMVER_BUILD": "b5", "DRONE_SEMVER_SHORT": "2.0.0"}},
		{"not semver", core.Build{Event: "tag", Ref: "refs/tags/nightly"},
			map[string]string{"DRONE_SEMVER_ERROR": `"nightly" is not a semantic version`}},
		{"pull request", core.Build{Event: "pull_request", Ref: "refs/pull/12/head", Target: "main", Source: "fix"},
			map[string]string{"DRONE_PULL_REQUEST": "12", "CI_COMMIT_PULL_REQUEST": "12", "DRONE_SOURCE_BRANCH": "fix", "DRONE_TARGET_BRANCH": "main"}},
		{"gitlab merge request", core.Build{Event: "pull_request", Ref: "refs/merge-requests/5/head", Target: "main"},
			map[string]string{"DRONE_PULL_REQUEST": "5"}},
		{"promote", core.Build{Event: "promote", Deploy: "production", Params: map[string]string{"VERSION": "9"}},
			map[string]string{"DRONE_DEPLOY_TO": "production", "CI_PIPELINE_DEPLOY_TARGET": "production", "VERSION": "9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := testMetadata()
			md.Build = tt.build
			env := Environ(&md)
			for k, want := range tt.want {
				if got, ok := env[k]; !ok || got != want {
					t.Errorf("%s = %q (set %v), want %q", k, got, ok, want)
				}
			}
		})
	}
}

const threePipelines = `kind: pipeline
name: build
steps:
- name: b
  image: alpine
---
kind: pipeline
name: release
trigger:
  event: [tag]
steps:
- name: r
  image: alpine
---
kind: pipeline
name: notify
depends_on: [release, build]
steps:
- name: n
  image: alpine
`

func TestCompileLeavesOutUntriggeredAndPrunesDependencies(t *testing.T) {
	m, err := Parse([]byte(threePipelines))
	if err != nil {
		t.Fatal(err)
	}
	specs, err := Compile(m, testMetadata()) // a push: release is left out
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stageGraph(specs), "build<> notify<build>"; got != want {
		t.Errorf("specs = %s, want %s", got, want)
	}
	md := testMetadata()
	md.Build.Event, md.Build.Ref = "tag", "refs/tags/v1"
	specs, err = Compile(m, md)
	if err != nil || len(specs) != 3 || len(specs[2].DependsOn) != 2 {
		t.Errorf("tag build: %d specs, err %v", len(specs), err)
	}
}

// stageGraph writes specs as name<dependencies> in order.
func stageGraph(specs []*core.Spec) string {
	var names []string
	for _, s := range specs {
		names = append(names, s.Name+"<"+strings.Join(s.DependsOn, ",")+">")
	}
	return strings.Join(names, " ")
}

// TestDroppedPipelinesKeepTheirEdges: a stage depending on a pipeline
// its trigger drops waits for that pipeline's own dependencies, however
// many pipelines are dropped in a row, as Drone's trigger does.
func TestDroppedPipelinesKeepTheirEdges(t *testing.T) {
	doc := func(name, event string, deps ...string) string {
		s := "kind: pipeline\nname: " + name + "\n"
		if event != "" {
			s += "trigger:\n  event: [" + event + "]\n"
		}
		if len(deps) > 0 {
			s += "depends_on: [" + strings.Join(deps, ", ") + "]\n"
		}
		return s + "steps:\n- name: s\n  image: alpine\n---\n"
	}
	tests := []struct {
		name, file, want string
	}{
		{"one dropped", doc("a", "") + doc("b", "tag", "a") + doc("c", "", "b"), "a<> c<a>"},
		{"two dropped in a row", doc("a", "") + doc("b", "tag", "a") + doc("c", "tag", "b") + doc("d", "", "c"), "a<> d<a>"},
		{"dropped root", doc("a", "tag") + doc("b", "", "a"), "b<>"},
		{"diamond", doc("a", "") + doc("x", "") + doc("b", "tag", "a", "x") + doc("c", "", "b", "a"), "a<> x<> c<a,x>"},
		{"nothing dropped", doc("a", "") + doc("b", "", "a"), "a<> b<a>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			specs, err := Compile(m, testMetadata())
			if err != nil {
				t.Fatal(err)
			}
			if got := stageGraph(specs); got != tt.want {
				t.Errorf("stages = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCompileDoesNotChangeTheManifest(t *testing.T) {
	m, err := Parse([]byte("kind: pipeline\nname: p-${DRONE_BUILD_NUMBER}\nsteps:\n- name: s\n  image: alpine:${DRONE_BUILD_NUMBER}\n"))
	if err != nil {
		t.Fatal(err)
	}
	specs, err := Compile(m, testMetadata())
	if err != nil {
		t.Fatal(err)
	}
	if specs[0].Name != "p-42" || specs[0].Steps[0].Image != "alpine:42" {
		t.Errorf("compiled %s / %s", specs[0].Name, specs[0].Steps[0].Image)
	}
	if m.Pipelines[0].Name != "p-${DRONE_BUILD_NUMBER}" {
		t.Errorf("manifest changed: %s", m.Pipelines[0].Name)
	}
}

func TestEncodeSetting(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"x", "x"},
		{int64(3), "3"},
		{true, "true"},
		{[]any{"a", int64(1)}, "a,1"},
		{map[string]any{"k": "v"}, `{"k":"v"}`},
		{[]any{map[string]any{"k": "v"}}, `[{"k":"v"}]`},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := encodeSetting(tt.v); got != tt.want {
			t.Errorf("encodeSetting(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := settingEnv("api-key.v2"); got != "PLUGIN_API_KEY_V2" {
		t.Errorf("settingEnv = %s", got)
	}
}

func TestStepRecords(t *testing.T) {
	spec := &core.Spec{Steps: []*core.SpecStep{
		{Name: "db", Detach: true, RunPolicy: core.RunOnSuccess},
		{Name: "skip", RunPolicy: core.RunNever},
	}}
	recs := StepRecords(spec)
	if len(recs) != 3 || recs[0].Name != "clone" || recs[1].Number != 2 || !recs[1].Detached || recs[2].Status != core.StatusSkipped {
		t.Errorf("records = %+v %+v %+v", recs[0], recs[1], recs[2])
	}
	spec.Clone.Disable = true
	if recs := StepRecords(spec); len(recs) != 2 || recs[0].Name != "db" || recs[0].Number != 1 {
		t.Errorf("with clone disabled: %+v", recs[0])
	}
}

func TestParseNeverPanicsOnOddInput(t *testing.T) {
	for _, in := range []string{"", "---", "[]", "kind: pipeline", "kind: [x]", "{", "kind: pipeline\nsteps: 5", "kind: pipeline\nsteps: [5]",
		"kind: pipeline\nsteps:\n- name: [a]\n", "\xff\xfe", "kind: pipeline\n<<: 5\n", "kind: pipeline\n? [a]\n: b\n"} {
		_, err := Parse([]byte(in))
		if err == nil {
			continue
		}
		for _, p := range AsProblems(err) {
			if p.Line < 1 {
				t.Errorf("Parse(%q): problem without position: %v", in, p)
			}
		}
		if AsProblems(err) == nil {
			t.Errorf("Parse(%q): unpositioned error %v", in, err)
		}
	}
}
