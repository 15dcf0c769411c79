package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

func newStage(t *testing.T, e *Engine, id string) *core.Spec {
	t.Helper()
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "README"), []byte("hello from the clone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := &core.Spec{
		StageID:     id,
		Workspace:   core.Workspace{HostDir: src, Path: "/drover/src"},
		Environment: map[string]string{"STAGE_VAR": "stage", "OVERRIDE": "stage"},
	}
	ctx := context.Background()
	if err := e.Setup(ctx, spec); err != nil {
		t.Fatalf("setup: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Destroy(context.Background(), id); err != nil {
			t.Errorf("destroy: %v", err)
		}
		assertNothingLeft(t, e, id)
	})
	return spec
}

func assertNothingLeft(t *testing.T, e *Engine, id string) {
	t.Helper()
	if pids := Processes(id); len(pids) > 0 {
		t.Errorf("processes of stage %s left behind: %v", id, pids)
	}
	dir, _ := e.stageDir(id)
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stage directory %s left behind (stat: %v)", dir, err)
	}
}

func run(t *testing.T, e *Engine, stageID string, step *core.SpecStep) (string, *core.StepState) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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

func TestSteps(t *testing.T) {
	e := New(Config{Root: t.TempDir()})
	newStage(t, e, "stage-steps")
	tests := []struct {
		name     string
		step     core.SpecStep
		wantCode int
		wantOut  []string
	}{
		{"workspace", core.SpecStep{Commands: []string{"cat README", "pwd"}}, 0,
			[]string{"+ cat README", "hello from the clone", "/stage-steps/workspace"}},
		{"env", core.SpecStep{Commands: []string{`echo "$STAGE_VAR $OVERRIDE $STEP_VAR"`},
			Environment: map[string]string{"OVERRIDE": "step", "STEP_VAR": "x y"}}, 0,
			[]string{"stage step x y"}},
		{"workdir-relative", core.SpecStep{Commands: []string{"pwd"}, WorkingDir: "sub"}, 0,
			[]string{"/stage-steps/workspace/sub"}},
		{"workdir-under-path", core.SpecStep{Commands: []string{"pwd"}, WorkingDir: "/drover/src/sub"}, 0,
			[]string{"/stage-steps/workspace/sub"}},
		{"fails", core.SpecStep{Commands: []string{"echo before", "false", "echo after"}}, 1,
			[]string{"before"}},
		{"skip-78", core.SpecStep{Commands: []string{"exit 78"}}, 78, nil},
		{"killed", core.SpecStep{Commands: []string{"kill -9 $$"}}, 137, nil},
		{"stderr", core.SpecStep{Commands: []string{"echo to-stderr >&2"}}, 0, []string{"to-stderr"}},
		{"entrypoint", core.SpecStep{Entrypoint: []string{"/bin/sh", "-c"}, Command: []string{"echo direct; exit 3"}}, 3,
			[]string{"direct"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := tt.step
			step.Name = tt.name
			out, st := run(t, e, "stage-steps", &step)
			if st.ExitCode != tt.wantCode {
				t.Errorf("exit code %d, want %d (output %q)", st.ExitCode, tt.wantCode, out)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			if tt.name == "fails" && strings.Contains(out, "after") {
				t.Errorf("script went on after a failing command: %q", out)
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	e := New(Config{Root: t.TempDir()})
	ctx := context.Background()
	if err := e.Start(ctx, "not-set-up", &core.SpecStep{Name: "a", Commands: []string{"true"}}); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("start before setup: %v, want not found", err)
	}
	if err := e.Setup(ctx, &core.Spec{StageID: "../escape"}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("setup with a bad id: %v, want invalid", err)
	}
	newStage(t, e, "stage-errors")
	if err := e.Start(ctx, "stage-errors", &core.SpecStep{Name: "empty"}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("start of an empty step: %v, want invalid", err)
	}
	step := &core.SpecStep{Name: "twice", Commands: []string{"true"}}
	run(t, e, "stage-errors", step)
	if err := e.Start(ctx, "stage-errors", step); !errors.Is(err, core.ErrConflict) {
		t.Errorf("second start: %v, want conflict", err)
	}
	if _, err := e.Wait(ctx, "stage-errors", "never-started"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("wait on an unknown step: %v, want not found", err)
	}
}

// TestStopKillsTree stops a step whose shell has children (one ignoring
// SIGTERM) and checks that the whole tree is gone.
func TestStopKillsTree(t *testing.T) {
	e := New(Config{Root: t.TempDir()})
	newStage(t, e, "stage-stop")
	ctx := context.Background()
	step := &core.SpecStep{Name: "long", Commands: []string{
		"sh -c 'trap \"\" TERM; sleep 300' &", "sleep 300 &", "echo started", "sleep 300"}}
	if err := e.Start(ctx, "stage-stop", step); err != nil {
		t.Fatal(err)
	}
	rc, err := e.Tail(ctx, "stage-stop", "long")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 64)
	var seen string
	for !strings.Contains(seen, "started") {
		n, err := rc.Read(buf)
		if err != nil {
			t.Fatalf("read before stop: %v (got %q)", err, seen)
		}
		seen += string(buf[:n])
	}
	if n := len(Processes("stage-stop")); n < 3 {
		t.Fatalf("want at least 3 processes running, got %d", n)
	}
	if err := e.Stop(ctx, "stage-stop", "long", 200*time.Millisecond); err != nil {
		t.Fatalf("stop: %v", err)
	}
	st, err := e.Wait(ctx, "stage-stop", "long")
	if err != nil {
		t.Fatal(err)
	}
	if st.ExitCode != 128+15 && st.ExitCode != 137 {
		t.Errorf("exit code after stop %d, want 143 or 137", st.ExitCode)
	}
	if _, err := io.ReadAll(rc); err != nil {
		t.Errorf("output did not end after stop: %v", err)
	}
	waitGone(t, "stage-stop")
}

func waitGone(t *testing.T, stageID string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(Processes(stageID)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("processes of %s still running: %v", stageID, Processes(stageID))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDestroyFromFreshEngine leaves a detached service running and destroys
// the stage from another engine instance that never saw it.
func TestDestroyFromFreshEngine(t *testing.T) {
	root := t.TempDir()
	e := New(Config{Root: root})
	ctx := context.Background()
	spec := &core.Spec{StageID: "stage-fresh", Workspace: core.Workspace{HostDir: t.TempDir()}}
	if err := e.Setup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	svc := &core.SpecStep{Name: "service", Detach: true, Commands: []string{"setsid sleep 300 & sleep 300"}}
	if err := e.Start(ctx, "stage-fresh", svc); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(Processes("stage-fresh")) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	fresh := New(Config{Root: root})
	for i := range 2 { // idempotent
		if err := fresh.Destroy(ctx, "stage-fresh"); err != nil {
			t.Fatalf("destroy #%d: %v", i+1, err)
		}
	}
	waitGone(t, "stage-fresh")
	assertNothingLeft(t, fresh, "stage-fresh")
	if _, err := e.Wait(ctx, "stage-fresh", "service"); err != nil {
		t.Errorf("the first engine did not see its step end: %v", err)
	}
	e.Destroy(ctx, "stage-fresh")
}

func TestConcurrentSteps(t *testing.T) {
	e := New(Config{Root: t.TempDir()})
	newStage(t, e, "stage-dag")
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			name := fmt.Sprintf("s%d", i)
			ctx := context.Background()
			step := &core.SpecStep{Name: name, Commands: []string{fmt.Sprintf("echo out-%d; exit %d", i, i)}}
			if err := e.Start(ctx, "stage-dag", step); err != nil {
				errs <- err
				return
			}
			rc, err := e.Tail(ctx, "stage-dag", name)
			if err != nil {
				errs <- err
				return
			}
			out, _ := io.ReadAll(rc)
			rc.Close()
			st, err := e.Wait(ctx, "stage-dag", name)
			switch {
			case err != nil:
				errs <- err
			case st.ExitCode != i || !strings.Contains(string(out), fmt.Sprintf("out-%d", i)):
				errs <- fmt.Errorf("step %s: exit %d output %q", name, st.ExitCode, out)
			default:
				errs <- nil
			}
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
