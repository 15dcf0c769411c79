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
	bin := binDir(t, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := workspaceWith(t, map[string]string{".drone.yml": longStep})
			root := t.TempDir()
			cmd := osexec.Command(filepath.Join(bin, "drover"), "exec", "--trusted", "--grace", "2s", "--plugin-dir", bin,
				"--engine-opt", "local.root="+root)
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
			running := testenv.ProcessesIn(root)
			if len(running) == 0 {
				_ = cmd.Process.Kill()
				t.Fatalf("the step is not running under %s; output:\n%s%s", root, out, errb.String())
			}
			target := cmd.Process.Pid
			if tt.group {
				target = -target
			}
			if err := syscall.Kill(target, tt.sig); err != nil {
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
				t.Fatalf("drover exec did not end after %s; output:\n%s%s", tt.sig, out, errb.String())
			}
			var exit *osexec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("exit: %v, want status 1", err)
			}
			all := out.String() + errb.String()
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
