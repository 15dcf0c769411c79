package exec

import (
	"bufio"
	"errors"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/internal/testenv"
)

const longStep = `kind: pipeline
type: exec
name: default
steps:
- name: long
  commands:
  - echo started
  - sleep 300
- name: after
  commands: [echo never]
`

// TestInterrupt runs the drover binary on a step that sleeps for five
// minutes, signals it once the step has started, and checks that the
// build ends as killed (exit 1), that the step's processes are gone and
// that the engine removed the stage's directory.
func TestInterrupt(t *testing.T) {
	tests := []struct {
		name  string
		sig   syscall.Signal
		group bool // to drover's process group, as a terminal's Ctrl-C
	}{
		{"Ctrl-C: SIGINT to the process group", syscall.SIGINT, true},
		{"SIGTERM to drover", syscall.SIGTERM, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := workspaceWith(t, map[string]string{".drone.yml": longStep})
			root := t.TempDir()
			var running []int
			code, all := interrupt(t, dir, tt.sig, tt.group, func() string {
				if running = testenv.ProcessesIn(root); len(running) == 0 {
					return "the step is not running under " + root
				}
				return ""
			}, "--trusted", "--engine-opt", "local.root="+root)
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			for _, want := range []string{"[long] ✗ killed", "[after] - skipped", "drover exec: killed"} {
				if !strings.Contains(all, want) {
					t.Errorf("output lacks %q:\n%s", want, all)
				}
			}
			for _, pid := range running {
				if cl := testenv.CommandLine(pid); cl != "" {
					t.Errorf("process %d (%s) is still running", pid, cl)
				}
			}
			if left := testenv.ProcessesIn(root); len(left) > 0 {
				t.Errorf("processes left in the stage's directory: %v", left)
			}
			if entries, _ := os.ReadDir(root); len(entries) > 0 {
				t.Errorf("the engine left %d stage directories", len(entries))
			}
		})
	}
}

// interrupt runs the drover binary's exec in dir with args until the
// step "long" prints "started", checks with running (a message when
// something is wrong) that it runs, signals it and returns its exit
// status and output.
func interrupt(t *testing.T, dir string, sig syscall.Signal, group bool, running func() string, args ...string) (int, string) {
	t.Helper()
	bin := binDir(t, false)
	cmd := osexec.Command(filepath.Join(bin, "drover"), append([]string{"exec", "--grace", "2s", "--plugin-dir", bin}, args...)...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := &strings.Builder{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "[long] started") {
		out.WriteString(sc.Text() + "\n")
	}
	if msg := running(); msg != "" {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		t.Fatalf("%s; output:\n%s%s", msg, out, errb.String())
	}
	target := cmd.Process.Pid
	if group {
		target = -target
	}
	if err := syscall.Kill(target, sig); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	out.Write(rest)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute): // a bound for a hung run, not a measurement
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("drover exec did not end after %s; output:\n%s%s", sig, out, errb.String())
	}
	var exit *osexec.ExitError
	switch {
	case err == nil:
		return 0, out.String() + errb.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String() + errb.String()
	}
	t.Fatalf("wait: %v", err)
	return 0, ""
}
