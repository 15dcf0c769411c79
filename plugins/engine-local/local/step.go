package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/enginekit"
)

// markerVar is set in every step process to the stage id, so that Destroy
// finds the stage's processes even from another engine process.
const markerVar = "DROVER_LOCAL_STAGE"

// Start starts the step as a process group in the stage's workspace.
func (e *Engine) Start(ctx context.Context, stageID string, step *core.SpecStep) error {
	if step == nil || step.Name == "" {
		return core.Errorf(core.CodeInvalid, "start: a step needs a name")
	}
	dir, err := e.stageDir(stageID)
	if err != nil {
		return err
	}
	ws := filepath.Join(dir, "workspace")
	if _, err := os.Stat(ws); err != nil {
		return core.Errorf(core.CodeNotFound, "start step %q: stage %s is not set up", step.Name, stageID)
	}
	if err := e.steps.Reserve(stageID, step.Name); err != nil {
		return err
	}
	argv, err := e.argv(dir, step)
	if err != nil {
		return err
	}
	argv = supervised(argv)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = workingDir(e.spec(stageID), ws, step)
	cmd.Env = append(e.baseEnv(), enginekit.EnvList(enginekit.Env(e.spec(stageID), step))...)
	cmd.Env = append(cmd.Env, "CI_WORKSPACE="+ws, markerVar+"="+stageID)
	cmd.SysProcAttr = groupAttr()
	sum := sha256.Sum256([]byte(step.Name))
	p, err := enginekit.NewProc(filepath.Join(dir, "logs", hex.EncodeToString(sum[:8])+".log"))
	if err != nil {
		return fmt.Errorf("start step %q: %w", step.Name, err)
	}
	cmd.Stdout, cmd.Stderr = p.Log(), p.Log()
	if err := cmd.Start(); err != nil {
		p.CloseLog()
		return core.Errorf(core.CodeInvalid, "start step %q: %w", step.Name, err)
	}
	pgid := cmd.Process.Pid
	p.Stop = func(ctx context.Context, grace time.Duration) error { return stopGroup(ctx, p, pgid, grace) }
	if err := e.steps.Add(stageID, step.Name, p); err != nil {
		_ = signalGroup(pgid, syscall.SIGKILL)
		_ = cmd.Wait()
		p.CloseLog()
		return err
	}
	go func() {
		err := cmd.Wait()
		// The step is over: what it left running in its group goes too, so
		// that its output ends.
		_ = signalGroup(pgid, syscall.SIGKILL)
		p.CloseLog()
		p.Finish(exitState(cmd.ProcessState, err))
	}()
	return nil
}

// argv returns the command line of the step: its shell with the script
// written into the stage's directory, or its entrypoint and command.
func (e *Engine) argv(stageDir string, step *core.SpecStep) ([]string, error) {
	if script := enginekit.Script(step); script != "" {
		sum := sha256.Sum256([]byte(step.Name))
		file := filepath.Join(stageDir, "scripts", hex.EncodeToString(sum[:8])+".sh")
		if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
			return nil, fmt.Errorf("start step %q: write script: %w", step.Name, err)
		}
		return []string{enginekit.Shell(step), file}, nil
	}
	argv := append(append([]string{}, step.Entrypoint...), step.Command...)
	if len(argv) == 0 {
		return nil, core.Errorf(core.CodeInvalid, "start step %q: nothing to run (no commands, entrypoint or command)", step.Name)
	}
	return argv, nil
}

// workingDir maps the step's working directory onto the stage's workspace.
func workingDir(spec *core.Spec, ws string, step *core.SpecStep) string {
	logical := ""
	if spec != nil {
		logical = spec.Workspace.Path
	}
	return filepath.FromSlash(enginekit.WorkDir(logical, filepath.ToSlash(ws), step.WorkingDir))
}

func (e *Engine) baseEnv() []string {
	if e.cfg.InheritEnv {
		return os.Environ()
	}
	var env []string
	for _, k := range []string{"PATH", "HOME", "USER", "LANG", "TMPDIR", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// exitState turns how a process ended into a step state; a process killed
// by a signal exits 128+signal, as in a shell.
func exitState(ps *os.ProcessState, err error) *core.StepState {
	if ps == nil {
		return &core.StepState{ExitCode: 255, Error: fmt.Sprint(err)}
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return &core.StepState{ExitCode: 128 + int(ws.Signal())}
	}
	return &core.StepState{ExitCode: ps.ExitCode()}
}

// Tail returns the step's combined output until it exits.
func (e *Engine) Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error) {
	return e.steps.Tail(ctx, stageID, step)
}

// Wait returns how the step ended, waiting for it.
func (e *Engine) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	return e.steps.Wait(ctx, stageID, step)
}

// Stop sends SIGTERM to the step's process group and SIGKILL when grace has
// passed.
func (e *Engine) Stop(ctx context.Context, stageID, step string, grace time.Duration) error {
	p, err := e.steps.Get(stageID, step)
	if err != nil {
		return err
	}
	return p.Stop(ctx, grace)
}

func stopGroup(ctx context.Context, p *enginekit.Proc, pgid int, grace time.Duration) error {
	select {
	case <-p.Done():
		return nil
	default:
	}
	if grace > 0 {
		if err := signalGroup(pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("stop process group %d: %w", pgid, err)
		}
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-p.Done():
			return nil
		case <-t.C:
		case <-ctx.Done():
		}
	}
	if err := signalGroup(pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill process group %d: %w", pgid, err)
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}
