package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const valid = "kind: pipeline\nsteps:\n- name: build\n  image: golang\n  privileged: true\n  commands: [go build]\n  when: {event: [tag]}\n"

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	ok := write(t, dir, "ok.yml", valid)
	bad := write(t, dir, "bad.yml", "kind: pipeline\nsteps:\n- name: a\n  image: x\n  depends_on: [nope]\n")
	syntax := write(t, dir, "syntax.yml", "kind: pipeline\nsteps:\n- name: a\n  image: golang: 1\n")
	warn := write(t, dir, "warn.yml", "kind: pipeline\nsteps:\n- name: a\n  image: x\n  detatch: true\n")
	both := write(t, dir, "both.yml", "kind: pipeline\nsteps:\n- name: a\n  image: x\n  detatch: true\n  depends_on: [nope]\n")
	runCases(t, []cliCase{
		{"no args", nil, "", 2, "usage: drover", ""},
		{"unknown group", []string{"nope"}, "", 2, `unknown command "nope"`, ""},
		{"lint valid", []string{"pipeline", "lint", ok}, "", 0, "", ""},
		{"lint untrusted flag after file", []string{"pipeline", "lint", ok, "--untrusted"}, "", 1, ok + ":5:3: step \"build\": privileged needs a trusted repository (Drone: untrusted repositories cannot enable privileged mode)\n", ""},
		{"lint missing dependency", []string{"pipeline", "lint", bad}, "", 1, bad + `:5:16: step "a" depends on "nope", which is not a service or step defined before it`, ""},
		{"lint warnings only", []string{"pipeline", "lint", warn}, "", 0, warn + `:5:3: warning: step a: unknown key "detatch" is ignored`, ""},
		{"lint strict", []string{"pipeline", "lint", "--strict", warn}, "", 1, warn + `:5:3: warning: step a: unknown key "detatch"`, ""},
		{"lint error and warning", []string{"pipeline", "lint", both}, "", 1, both + ":5:3: warning: step a: unknown key \"detatch\" is ignored (did you mean detach?)\n" + both + `:6:16: step "a" depends on "nope"`, ""},
		{"compile prints warnings", []string{"pipeline", "compile", warn}, "", 0, warn + ":5:3: warning:", `"name": "a"`},
		{"lint syntax", []string{"pipeline", "lint", syntax}, "", 1, syntax + ":4:", ""},
		{"lint stdin", []string{"pipeline", "lint", "-"}, valid, 0, "", ""},
		{"lint missing file", []string{"pipeline", "lint", filepath.Join(dir, "none.yml")}, "", 2, "no such file", ""},
		{"compile", []string{"pipeline", "compile", ok, "--tag", "v1.0.0"}, "", 0, "", `"run_policy": "on-success"`},
		{"compile push skips the tag step", []string{"pipeline", "compile", "--event", "push", ok}, "", 0, "", `"run_policy": "never"`},
		{"compile invalid", []string{"pipeline", "compile", bad}, "", 1, bad + ":5:16:", ""},
	})
}

func TestCompileJSONAndDefaultFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".drone.yml", "kind: pipeline\nname: p\nsteps:\n- name: s\n  image: alpine\n  commands: [\"echo ${DRONE_BRANCH} ${VERSION}\"]\n")
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Chdir(wd) }()
	var out, errb bytes.Buffer
	if code := run([]string{"pipeline", "compile", "--branch", "dev", "--param", "VERSION=9"}, &cliEnv{stdout: &out, stderr: &errb}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var specs []*core.Spec
	if err := json.Unmarshal(out.Bytes(), &specs); err != nil {
		t.Fatalf("output is not JSON specs: %v", err)
	}
	if len(specs) != 1 || specs[0].Steps[0].Commands[0] != "echo dev 9" {
		t.Errorf("specs = %+v", specs)
	}
}

// cliCase is one run of the drover command: its arguments and standard
// input, and what its exit code and output must be (outputs contain).
type cliCase struct {
	name       string
	args       []string
	stdin      string
	wantCode   int
	wantStderr string
	wantStdout string
}

func runCases(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			record(tt.args)
			code := run(tt.args, &cliEnv{stdin: strings.NewReader(tt.stdin), stdout: &out, stderr: &errb})
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want it to contain %q", errb.String(), tt.wantStderr)
			}
			if !strings.Contains(out.String(), tt.wantStdout) {
				t.Errorf("stdout %q, want it to contain %q", out.String(), tt.wantStdout)
			}
		})
	}
}
