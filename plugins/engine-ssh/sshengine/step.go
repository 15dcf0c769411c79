package sshengine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/enginekit"
)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// stepFile is the base name of a step's files (script, pid, log).
func stepFile(step string) string {
	sum := sha256.Sum256([]byte(step))
	return hex.EncodeToString(sum[:8])
}

// remoteScript is what the step's session receives on stdin: its
// environment as exports, then its script (or its entrypoint and command).
func remoteScript(st *stage, step *core.SpecStep) (string, error) {
	var b strings.Builder
	env := enginekit.Env(st.spec, step)
	env["CI_WORKSPACE"] = st.dir + "/workspace"
	for _, kv := range enginekit.EnvList(env) {
		k, v, _ := strings.Cut(kv, "=")
		if !envName.MatchString(k) {
			return "", core.Errorf(core.CodeInvalid, "step %q: %q is not a valid variable name", step.Name, k)
		}
		fmt.Fprintf(&b, "export %s=%s\n", k, enginekit.Quote(v))
	}
	if script := enginekit.Script(step); script != "" {
		b.WriteString(script)
		return b.String(), nil
	}
	argv := append(append([]string{}, step.Entrypoint...), step.Command...)
	if len(argv) == 0 {
		return "", core.Errorf(core.CodeInvalid, "step %q: nothing to run (no commands, entrypoint or command)", step.Name)
	}
	b.WriteString("exec")
	for _, a := range argv {
		b.WriteString(" " + enginekit.Quote(a))
	}
	b.WriteString("\n")
	return b.String(), nil
}

// Start sends the step's script over a new session's stdin into the stage
// directory, records the session's process group and runs the script in
// the step's working directory.
func (e *Engine) Start(ctx context.Context, stageID string, step *core.SpecStep) error {
	if step == nil || step.Name == "" {
		return core.Errorf(core.CodeInvalid, "start: a step needs a name")
	}
	st := e.stage(stageID)
	if st == nil {
		return core.Errorf(core.CodeNotFound, "start step %q: stage %s is not set up", step.Name, stageID)
	}
	if err := e.steps.Reserve(stageID, step.Name); err != nil {
		return err
	}
	script, err := remoteScript(st, step)
	if err != nil {
		return err
	}
	name := stepFile(step.Name)
	q := enginekit.Quote
	scriptPath, pidPath := st.dir+"/scripts/"+name+".sh", st.dir+"/pids/"+name
	wd := enginekit.WorkDir(st.spec.Workspace.Path, st.dir+"/workspace", step.WorkingDir)
	// The session's command runs as the leader of its own session and
	// process group (sshd calls setsid), so $$ is the group to signal.
	cmd := fmt.Sprintf("cat > %s && echo $$ > %s && cd %s && exec %s %s </dev/null",
		q(scriptPath), q(pidPath), q(wd), q(enginekit.Shell(step)), q(scriptPath))
	p, err := enginekit.NewProc(filepath.Join(e.stateDir(stageID), "logs", name+".log"))
	if err != nil {
		return fmt.Errorf("start step %q: %w", step.Name, err)
	}
	sess, err := st.client.NewSession()
	if err != nil {
		p.CloseLog()
		return core.Errorf(core.CodeUnavailable, "start step %q on %s: new session: %w", step.Name, st.server.Addr(), err)
	}
	sess.Stdin = strings.NewReader(script)
	sess.Stdout, sess.Stderr = p.Log(), p.Log()
	if err := sess.Start(cmd); err != nil {
		sess.Close()
		p.CloseLog()
		return core.Errorf(core.CodeUnavailable, "start step %q on %s: %w", step.Name, st.server.Addr(), err)
	}
	p.Stop = func(ctx context.Context, grace time.Duration) error {
		return e.stopStep(ctx, st, p, sess, pidPath, grace)
	}
	if err := e.steps.Add(stageID, step.Name, p); err != nil {
		sess.Close()
		p.CloseLog()
		return err
	}
	go func() {
		err := sess.Wait()
		sess.Close()
		p.CloseLog()
		p.Finish(exitState(err))
	}()
	return nil
}

// exitState turns a session's end into a step state; a process killed by
// a signal exits 128+signal, as in a shell.
func exitState(err error) *core.StepState {
	var ee *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return &core.StepState{}
	case errors.As(err, &ee):
		if sig := ee.Signal(); sig != "" {
			return &core.StepState{ExitCode: 128 + signalNumber(sig)}
		}
		return &core.StepState{ExitCode: ee.ExitStatus()}
	case errors.As(err, &missing):
		return &core.StepState{ExitCode: 255, Error: "the remote command ended without an exit status (connection closed)"}
	}
	return &core.StepState{ExitCode: 255, Error: err.Error()}
}

// signals are the remote host's signal numbers by name, as on Linux (the
// hosts steps run on), whatever the runner's own platform numbers them.
var signals = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "ABRT": 6, "FPE": 8, "KILL": 9, "USR1": 10,
	"SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
}

func signalNumber(name string) int {
	if s, ok := signals[strings.TrimPrefix(name, "SIG")]; ok {
		return s
	}
	return 1
}

// stopStep signals the step's remote process group with SIGTERM, then
// SIGKILL when grace has passed, and closes its session.
func (e *Engine) stopStep(ctx context.Context, st *stage, p *enginekit.Proc, sess *ssh.Session, pidPath string, grace time.Duration) error {
	select {
	case <-p.Done():
		return nil
	default:
	}
	kill := func(sig string) {
		cmd := fmt.Sprintf(`pid=$(cat %s 2>/dev/null) && kill -%s -- "-$pid" 2>/dev/null`, enginekit.Quote(pidPath), sig)
		_, _ = runRemote(ctx, st.client, cmd, nil)
	}
	if grace > 0 {
		kill("TERM")
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-p.Done():
			return nil
		case <-t.C:
		case <-ctx.Done():
		}
	}
	kill("KILL")
	_ = sess.Signal(ssh.SIGKILL)
	select {
	case <-p.Done():
		return nil
	case <-time.After(5 * time.Second):
		// The group is gone or unreachable: closing the session ends the
		// step on our side.
		sess.Close()
	case <-ctx.Done():
		sess.Close()
		return ctx.Err()
	}
	return nil
}

// Tail returns the step's combined output until it exits.
func (e *Engine) Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error) {
	return e.steps.Tail(ctx, stageID, step)
}

// Wait returns how the step ended, waiting for it.
func (e *Engine) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	return e.steps.Wait(ctx, stageID, step)
}

// Stop ends the step: SIGTERM to its remote process group, SIGKILL after
// grace.
func (e *Engine) Stop(ctx context.Context, stageID, step string, grace time.Duration) error {
	p, err := e.steps.Get(stageID, step)
	if err != nil {
		return err
	}
	return p.Stop(ctx, grace)
}
