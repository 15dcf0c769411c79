package sshengine

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// fixture is a loopback sshd and the engine settings that reach it.
type fixture struct {
	sshd       *testenv.SSHD
	remoteRoot string
	stateDir   string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return &fixture{sshd: testenv.StartSSHD(t), remoteRoot: t.TempDir(), stateDir: t.TempDir()}
}

func (f *fixture) config() Config {
	return Config{KnownHosts: f.sshd.KnownHosts, RemoteRoot: f.remoteRoot, StateDir: f.stateDir, RetryDelay: 10 * time.Millisecond}
}

func (f *fixture) server() map[string]any {
	return map[string]any{"host": f.sshd.Host, "port": f.sshd.Port, "user": f.sshd.User, "ssh_key": string(f.sshd.ClientKey)}
}

// spec returns a stage on the fixture's server whose clone holds README.
func (f *fixture) spec(t testing.TB, id string) *core.Spec {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hello from the clone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &core.Spec{StageID: id, Workspace: core.Workspace{HostDir: dir, Path: "/drover/src"},
		Environment: map[string]string{"STAGE_VAR": "stage"}, Options: map[string]any{"server": f.server()}}
}

func (f *fixture) setup(t testing.TB, e *Engine, spec *core.Spec) {
	t.Helper()
	if err := e.Setup(context.Background(), spec); err != nil {
		t.Fatalf("setup: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Destroy(context.Background(), spec.StageID); err != nil {
			t.Errorf("destroy: %v", err)
		}
		f.assertNothingLeft(t, spec.StageID)
	})
}

// leftovers lists what is left of a stage: the remote directory, the local
// state, and processes whose working directory is in the remote directory
// (the sshd is on this machine).
func (f *fixture) leftovers(stageID string) []string {
	var left []string
	dir := filepath.Join(f.remoteRoot, stageID)
	if _, err := os.Stat(dir); err == nil {
		left = append(left, "remote directory "+dir)
	}
	if _, err := os.Stat(filepath.Join(f.stateDir, stageID)); err == nil {
		left = append(left, "state directory")
	}
	for _, pid := range testenv.ProcessesIn(dir) {
		left = append(left, "process "+strconv.Itoa(pid))
	}
	return left
}

func (f *fixture) assertNothingLeft(t testing.TB, stageID string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := f.leftovers(stageID)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("stage %s left %v", stageID, left)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func run(t testing.TB, e *Engine, stageID string, step *core.SpecStep) (string, *core.StepState) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.Start(ctx, stageID, step); err != nil {
		t.Fatalf("start %s: %v", step.Name, err)
	}
	rc, err := e.Tail(ctx, stageID, step.Name)
	if err != nil {
		t.Fatalf("tail %s: %v", step.Name, err)
	}
	out, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatalf("read %s: %v", step.Name, err)
	}
	st, err := e.Wait(ctx, stageID, step.Name)
	if err != nil {
		t.Fatalf("wait %s: %v", step.Name, err)
	}
	return string(out), st
}
