package exec

import (
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/internal/testenv"
)

// threeSteps is a DAG: waiter and b run at once after a (waiter waits
// for a file b makes: run one after the other, waiter would fail), and c
// after both.
const threeSteps = `kind: pipeline
type: exec
name: build
steps:
- name: a
  commands:
  - echo "a ran on $DRONE_BRANCH for $DRONE_BUILD_EVENT"
  when:
    event: [push, tag, pull_request]
    branch: [main, dev]
- name: waiter
  depends_on: [a]
  commands:
  - for i in $(seq 300); do test -f flag && break; sleep 0.1; done
  - test -f flag && echo "b made the flag"
- name: b
  depends_on: [a]
  commands:
  - echo "b ran, version=$VERSION, subst=${VERSION}, env=$FROM_ENV_FILE"
  - cat message.txt
  - touch flag
- name: c
  depends_on: [waiter, b]
  commands:
  - echo "c ran, token $TOKEN"
  environment:
    TOKEN: {from_secret: token}
- name: tags-only
  depends_on: [c]
  commands: [echo tagged]
  when:
    event: [tag]
`

// stages are two pipelines, the second depending on the first, and a
// third that runs only when one of them failed.
const stages = `kind: pipeline
type: exec
name: first
steps:
- name: one
  commands: ["echo one; exit ${CODE=0}"]
---
kind: pipeline
type: exec
name: second
depends_on: [first]
steps:
- name: two
  commands: [echo two]
---
kind: pipeline
type: exec
name: notify
depends_on: [first, second]
trigger:
  status: [failure]
steps:
- name: tell
  commands: [echo something failed]
`

// TestExecLocal runs real pipelines through the local engine plugin.
func TestExecLocal(t *testing.T) {
	dir := workspaceWith(t, map[string]string{
		".drone.yml":  threeSteps,
		"stages.yml":  stages,
		"message.txt": "from the workspace\n",
		"secrets":     "# a comment\ntoken=\"s3cr3t-value\"\n",
		"env":         "export FROM_ENV_FILE=yes\n",
		"bad-secrets": "this is not a pair\n",
		"docker.yml":  "kind: pipeline\ntype: docker\nname: d\nsteps:\n- name: s\n  image: busybox\n  commands: [echo on the host]\n",
	})
	in := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name     string
		args     []string
		code     int
		want     []string // in stdout and stderr, in order
		unwanted []string
	}{
		{"depends_on order, param, secret masked, env file",
			[]string{"--trusted", "--param", "VERSION=9", "--secret-file", in("secrets"), "--env-file", in("env"), "--branch", "dev"}, 0,
			[]string{"[a] a ran on dev for push", "[a] ✓ success", "[waiter] b made the flag", "[c] c ran, token ********", "[c] ✓ success", "drover exec: success"},
			[]string{"s3cr3t-value", "tagged"}},
		{"the steps see the workspace, params and --env-file", []string{"--trusted", "--param", "VERSION=9", "--env-file", in("env"), "--exclude", "waiter"}, 0,
			[]string{"[b] b ran, version=9, subst=9, env=yes", "[b] from the workspace", "[b] ✓ success"}, nil},
		{"when: a step for other branches is skipped", []string{"--trusted", "--branch", "feature"}, 0,
			[]string{"[a] - skipped", "[c] ✓ success"}, []string{"a ran"}},
		{"when: a tag step runs for a tag", []string{"--trusted", "--event", "tag", "--ref", "refs/tags/v1", "--branch", "main"}, 0,
			[]string{"[a] ✓ success", "[tags-only] tagged"}, nil},
		{"when: not for a tag step on a push", []string{"--trusted", "--branch", "main"}, 0,
			[]string{"[a] ✓ success", "[tags-only] - skipped"}, []string{"tagged"}},
		{"exclude", []string{"--trusted", "--exclude", "c", "--exclude", "tags-*"}, 0,
			[]string{"[a] ✓ success", "[c] - skipped"}, []string{"c ran", "tagged"}},
		{"include", []string{"--trusted", "--include", "a"}, 0,
			[]string{"[a] ✓ success"}, []string{"b ran", "c ran", "[waiter] ✓"}},
		{"stages in dependency order", []string{"--trusted", in("stages.yml")}, 0,
			[]string{"[first/one] one", "pipeline first: success", "[second/two] two", "pipeline second: success", "pipeline notify: skipped"}, nil},
		{"failing stage: exit 1, dependants skipped, on-failure runs", []string{"--trusted", in("stages.yml"), "--param", "CODE=3"}, 1,
			[]string{"[first/one] ✗ failure: exit code 3", "pipeline second: skipped: a stage it depends on failed", "[notify/tell] something failed", "drover exec: failure"},
			[]string{"[second/two] two"}},
		{"--pipeline picks one", []string{"--trusted", in("stages.yml"), "--pipeline", "second"}, 0,
			[]string{"[two] two"}, []string{"one"}},
		{"the local engine needs --trusted", nil, 2,
			[]string{`type: exec runs commands on the runner's host and needs a trusted repository (--trusted`}, []string{"a ran"}},
		{"--engine local needs --trusted too", []string{"--engine", "local", in("docker.yml")}, 2,
			[]string{`pipeline "d" runs on the local engine, whose steps run on this host unconfined: pass --trusted`}, nil},
		{"--engine local runs a docker pipeline", []string{"--engine", "local", in("docker.yml"), "--trusted"}, 0,
			[]string{"[s] on the host"}, nil},
		{"unknown pipeline", []string{"--trusted", "--pipeline", "nope"}, 2, []string{`no pipeline named "nope" (the file has build)`}, nil},
		{"unknown step", []string{"--trusted", "--include", "zz"}, 2, []string{`no step matches "zz" (the steps are a, waiter, b, c, tags-only)`}, nil},
		{"bad secret file", []string{"--trusted", "--secret-file", in("bad-secrets")}, 2, []string{"bad-secrets:1: want KEY=VALUE"}, []string{"not a pair"}},
		{"missing engine plugin", []string{"--trusted", "--engine", "nonesuch"}, 2, []string{"needs the engine plugin drover-engine-nonesuch, which is not in"}, nil},
		{"bad flag", []string{"--nope"}, 2, []string{"drover exec: unknown flag: --nope"}, nil},
		{"missing file", []string{in("none.yml")}, 2, []string{"no such file"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			r := execIn(t, dir, root, tt.args...)
			all := r.out + r.errOut
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, all)
			}
			last := 0
			for _, w := range tt.want {
				i := strings.Index(all[last:], w)
				if i < 0 {
					t.Errorf("output lacks %q after offset %d:\n%s", w, last, all)
					continue
				}
				last += i + len(w)
			}
			for _, u := range tt.unwanted {
				if strings.Contains(all, u) {
					t.Errorf("output has %q:\n%s", u, all)
				}
			}
			if left, _ := os.ReadDir(root); len(left) > 0 {
				t.Errorf("the engine left %d stage directories in its root", len(left))
			}
		})
	}
}

// TestColours: colours only when asked for (a terminal without NO_COLOR).
func TestColours(t *testing.T) {
	for _, color := range []bool{false, true} {
		p := newPrinter(&strings.Builder{}, color, nil, 1)
		got := p.prefix("", "build")
		if has := strings.Contains(got, "\x1b["); has != color {
			t.Errorf("colour %v: prefix %q", color, got)
		}
	}
}

// TestClone: --clone runs the committed tree of the workspace's
// repository, not the working copy.
func TestClone(t *testing.T) {
	testenv.NeedProgram(t, "git", "install git")
	dir := workspaceWith(t, map[string]string{
		".drone.yml":  "kind: pipeline\ntype: exec\nname: default\nsteps:\n- name: show\n  commands: [cat message.txt, git rev-parse HEAD, echo branch=$DRONE_BRANCH sha=$DRONE_COMMIT_SHA]\n",
		"message.txt": "committed\n",
	})
	git := func(args ...string) string {
		cmd := osexec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "work")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	sha := git("rev-parse", "HEAD")
	if err := os.WriteFile(filepath.Join(dir, "message.txt"), []byte("not committed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"the working copy", nil, []string{"[show] not committed", "[show] branch=work sha=" + sha}},
		{"a clone of the commit", []string{"--clone"}, []string{"[clone] + git fetch", "[clone] + git checkout -q --force " + sha, "[show] committed", "[show] " + sha}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := execIn(t, dir, t.TempDir(), append([]string{"--trusted"}, tt.args...)...)
			all := r.out + r.errOut
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
}
