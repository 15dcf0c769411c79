package shell

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/drover-ci/drover/core"
)

// run is one step's process.
type run struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	state   core.StepState
}

// Start implements core.StepRunner.
func (e *Engine) Start(_ context.Context, stageID string, step *core.SpecStep) error {
	st, _, err := e.find(stageID, "")
	if err != nil {
		return err
	}
	script := step.Script
	if script == "" {
		script = "set -e\n" + strings.Join(step.Commands, "\n") + "\n"
	}
	shell := step.Shell
	e.mu.Lock()
	if shell == "" {
		shell = e.shell
	}
	if _, ok := st.steps[step.Name]; ok {
		e.mu.Unlock()
		return core.Errorf(core.CodeConflict, "step %s already started", step.Name)
	}
	base := filepath.Join(st.dir, hex.EncodeToString([]byte(step.Name)))
	r := &run{logPath: base + ".log", done: make(chan struct{})}
	st.steps[step.Name] = r
	e.mu.Unlock()

	out, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return e.failStart(st, step.Name, err)
	}
	defer out.Close()
	cmd := exec.Command(shell, "-c", script)
	cmd.Dir = workDir(st.spec, step.WorkingDir)
	cmd.Env = os.Environ()
	for k, v := range st.spec.Environment {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range step.Environment {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return e.failStart(st, step.Name, err)
	}
	r.cmd = cmd
	_ = os.WriteFile(base+".pid", []byte(strconv.Itoa(cmd.Process.Pid)), 0o600)
	go func() {
		err := cmd.Wait()
		r.state.ExitCode = exitCode(cmd, err)
		_ = os.Remove(base + ".pid")
		close(r.done)
	}()
	return nil
}

func (e *Engine) failStart(st *stage, step string, err error) error {
	e.mu.Lock()
	delete(st.steps, step)
	e.mu.Unlock()
	return core.Errorf(core.CodeUnavailable, "start %s: %v", step, err)
}

// exitCode is the process's exit code, 128+signal when it was killed.
func exitCode(cmd *exec.Cmd, err error) int {
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return 255
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// Tail implements core.StepRunner: it follows the step's log file from its
// start until the step has exited and the file is read to its end.
func (e *Engine) Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error) {
	_, r, err := e.find(stageID, step)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(r.logPath)
	if err != nil {
		return nil, core.Errorf(core.CodeNotFound, "tail %s: %v", step, err)
	}
	return &follower{ctx: ctx, f: f, done: r.done}, nil
}

// Wait implements core.StepRunner.
func (e *Engine) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	_, r, err := e.find(stageID, step)
	if err != nil {
		return nil, err
	}
	select {
	case <-r.done:
		s := r.state
		return &s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Stop implements core.StepRunner: SIGTERM to the step's process group,
// SIGKILL when grace has passed.
func (e *Engine) Stop(ctx context.Context, stageID, step string, grace time.Duration) error {
	_, r, err := e.find(stageID, step)
	if err != nil {
		return err
	}
	if r.cmd == nil {
		return nil
	}
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-r.done:
		return nil
	case <-time.After(grace):
	case <-ctx.Done():
	}
	r.kill()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *run) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// killFromPidFiles kills the process groups of steps that still run in a
// stage directory, as a fresh process finds them.
func killFromPidFiles(dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.pid"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
}

// follower reads a growing file until its step is done.
type follower struct {
	ctx  context.Context
	f    *os.File
	done <-chan struct{}
}

func (fl *follower) Read(p []byte) (int, error) {
	for {
		n, err := fl.f.Read(p)
		if n > 0 {
			return n, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		select {
		case <-fl.done:
			// Exited: whatever is in the file now is all there is.
			n, err := fl.f.Read(p)
			if n > 0 {
				return n, nil
			}
			if err == nil {
				err = io.EOF
			}
			return 0, err
		case <-fl.ctx.Done():
			return 0, fl.ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (fl *follower) Close() error { return fl.f.Close() }
