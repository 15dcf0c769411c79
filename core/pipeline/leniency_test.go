package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// TestAcceptedAsDroneAcceptsThem: what Drone runs, Drover runs, with a
// warning where a key or value has no effect, and with Drone's effect.
func TestAcceptedAsDroneAcceptsThem(t *testing.T) {
	step := "kind: pipeline\nname: p\nsteps:\n- name: a\n  image: alpine\n"
	tests := []struct {
		name, file string
		warn       string // "" when none is expected
		check      func(*core.Spec) string
	}{
		{"unknown step key", step + "  detatch: true\n", `unknown key "detatch" is ignored`, nil},
		{"leftover 0.8 secrets list", step + "  secrets: [token]\n", `unknown key "secrets" is ignored`, nil},
		{"pipeline-level pull", step + "pull: always\n", `pipeline: unknown key "pull" is ignored`, nil},
		{"unknown when key", step + "  when:\n    branches: [main]\n", `unknown condition "branches" is ignored`, nil},
		{"unknown trigger key", step + "trigger:\n  evnt: [push]\n", `unknown condition "evnt" is ignored`, nil},
		{"unknown clone key", step + "clone:\n  dept: 1\n", `clone: unknown key "dept" is ignored`, nil},
		{"unknown platform key", step + "platform:\n  kernel: 5\n", `platform: unknown key "kernel" is ignored`, nil},
		{"pull: true", step + "  pull: true\n", "pull: true is Drone 0.8's form", func(s *core.Spec) string {
			return want(s.Steps[0].Pull == "", "pull %q, want the default", s.Steps[0].Pull)
		}},
		{"pull: Always", step + "  pull: Always\n", "", func(s *core.Spec) string {
			return want(s.Steps[0].Pull == "always", "pull %q, want always", s.Steps[0].Pull)
		}},
		{"failure: never", step + "  failure: never\n", `failure: "never" has no effect`, func(s *core.Spec) string {
			return want(!s.Steps[0].IgnoreFailure, "the failure is ignored")
		}},
		{"when.status changed", step + "  when:\n    status: [changed]\n", `value "changed" never matches`, func(s *core.Spec) string {
			return want(s.Steps[0].RunPolicy == core.RunOnSuccess, "run policy %s, want on-success as Drone", s.Steps[0].RunPolicy)
		}},
		{"when.status changed and failure", step + "  when:\n    status: [changed, failure]\n", "never matches", func(s *core.Spec) string {
			return want(s.Steps[0].RunPolicy == core.RunOnFailure, "run policy %s, want on-failure", s.Steps[0].RunPolicy)
		}},
		{"depends_on clone", step + "- name: b\n  image: alpine\n  depends_on: [clone]\n", "", func(s *core.Spec) string {
			return want(len(s.Steps[1].DependsOn) == 1, "depends_on %v, want [clone] kept (graph mode)", s.Steps[1].DependsOn)
		}},
		{"ports kept", "kind: pipeline\ntype: docker\nname: p\nservices:\n- name: db\n  image: redis\n  ports: [6379]\nsteps:\n- name: a\n  image: alpine\n",
			"ports has no effect on a docker pipeline", func(s *core.Spec) string {
				return want(s.Steps[0].Options["ports"] != nil, "ports not passed to the engine: %v", s.Steps[0].Options)
			}},
		{"undeclared volume", step + "  volumes:\n  - name: cache\n    path: /cache\n", `volume "cache" is not declared`, func(s *core.Spec) string {
			return want(len(s.Steps[0].Volumes) == 0, "mounts %v, want the mount skipped", s.Steps[0].Volumes)
		}},
		{"empty steps", "kind: pipeline\nname: p\nsteps: []\n", "has no steps", func(s *core.Spec) string {
			return want(len(s.Steps) == 0, "%d steps", len(s.Steps))
		}},
		{"cron and registry kinds", step + "---\nkind: cron\nname: nightly\nspec:\n  schedule: '@daily'\n---\nkind: registry\ntype: docker\n",
			"kind: cron documents are skipped", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			warnings, err := Check(m, LintOptions{})
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if tt.warn == "" && len(warnings) > 0 {
				t.Errorf("warnings %v, want none", warnings)
			}
			if tt.warn != "" && (len(warnings) == 0 || !strings.Contains(warnings.Error(), tt.warn)) {
				t.Errorf("warnings %v, want one saying %q", warnings, tt.warn)
			}
			for _, w := range warnings {
				if !w.Warning || !strings.Contains(w.Error(), ": warning: ") {
					t.Errorf("%v is not marked a warning", w)
				}
			}
			specs, err := Compile(m, testMetadata())
			if err != nil || len(specs) != 1 {
				t.Fatalf("compile: %d specs, %v", len(specs), err)
			}
			if tt.check != nil {
				if msg := tt.check(specs[0]); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

// want returns the message when ok is false.
func want(ok bool, format string, args ...any) string {
	if ok {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

// TestRejectedAsDroneRejectsThem: what Drone's linters refuse fails, with
// Drone's words in the message and the position of the offending key.
func TestRejectedAsDroneRejectsThem(t *testing.T) {
	step := "kind: pipeline\nname: p\nsteps:\n- name: a\n  image: alpine\n"
	tests := []struct {
		name, file string
		trusted    bool
		line       int
		drone      string
	}{
		{"mount at /run/drone", step + "  volumes:\n  - name: v\n    path: /run/drone/env\nvolumes:\n- name: v\n  temp: {}\n", true, 7, "cannot mount volume at /run/drone"},
		{"reserved volume name", step + "volumes:\n- name: _workspace\n  temp: {}\n", true, 7, "invalid volume name: _workspace"},
		{"reserved mount name", step + "  volumes:\n  - name: _docker_socket\n    path: /x\n", true, 7, "invalid volume name: _docker_socket"},
		{"os a docker pipeline cannot run", step + "platform:\n  os: darwin\n", true, 6, "unsupported os: darwin"},
		{"arch a docker pipeline cannot run", step + "platform:\n  arch: riscv64\n", true, 6, "unsupported architecture: riscv64"},
		{"depends_on a later pipeline", "kind: pipeline\nname: a\ndepends_on: [b]\nsteps:\n- name: s\n  image: x\n---\nkind: pipeline\nname: b\nsteps:\n- name: s\n  image: x\n", true, 3, "invalid or unknown pipeline dependency"},
		{"depends_on a later step", step + "  depends_on: [b]\n- name: b\n  image: x\n", true, 6, "unknown step dependency detected: a references b"},
		{"depends_on clone when disabled", step + "  depends_on: [clone]\nclone:\n  disable: true\n", true, 6, "unknown step dependency detected: a references clone"},
		{"in-memory volume untrusted", step + "volumes:\n- name: v\n  temp:\n    medium: memory\n", false, 7, "untrusted repositories cannot mount in-memory volumes"},
		{"host port untrusted", step + "  ports:\n  - port: 80\n    host: 8080\n", false, 7, "untrusted repositories cannot map to a host port"},
		{"shm_size untrusted", step + "  shm_size: 1g\n", false, 6, "untrusted repositories cannot configure shm_size"},
		{"privileged untrusted", step + "  privileged: true\n", false, 6, "untrusted repositories cannot enable privileged mode"},
		{"long step name", strings.Replace(step, "name: a", "name: "+strings.Repeat("x", 101), 1), true, 4, "step name cannot exceed 100 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			ps := AsProblems(Lint(m, LintOptions{Trusted: tt.trusted}))
			if len(ps) == 0 {
				t.Fatal("accepted")
			}
			if ps[0].Line != tt.line || !strings.Contains(ps[0].Message, "Drone: "+tt.drone) {
				t.Errorf("got %v, want line %d quoting Drone's %q", ps, tt.line, tt.drone)
			}
			if tt.trusted {
				return
			}
			if err := Lint(m, LintOptions{Trusted: true}); err != nil {
				t.Errorf("trusted: %v", err)
			}
		})
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct{ key, want string }{
		{"detatch", " (did you mean detach?)"},
		{"comands", " (did you mean commands?)"},
		{"dependson", " (did you mean depends_on?)"},
		{"secrets", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := didYouMean(tt.key, stepKeys); got != tt.want {
			t.Errorf("didYouMean(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := didYouMean("branches", conditionKeys); got != " (did you mean branch?)" {
		t.Errorf("branches: %q", got)
	}
}
