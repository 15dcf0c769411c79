package docker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// TestPipeline runs a pipeline-shaped stage: the clone in the workspace, a
// service reachable by its name, and two steps sharing the workspace.
func TestPipeline(t *testing.T) {
	e, img := newEngine(t, "runner-pipeline")
	spec := &core.Spec{
		StageID:     "pipeline-" + t.Name()[:4] + "1",
		Workspace:   core.Workspace{HostDir: clone(t), Path: "/drover/src"},
		Environment: map[string]string{"STAGE_VAR": "from-stage"},
		Steps: []*core.SpecStep{
			{Name: "web", Image: img, Detach: true, Commands: []string{
				"mkdir -p /www", "echo pong-from-service > /www/index.html", "exec httpd -f -p 8080 -h /www"}},
			{Name: "build", Image: img, Commands: []string{"cat README", "src/pkg/run.sh", "echo built > out.txt", `echo "$STAGE_VAR"`}},
			{Name: "test", Image: img, Commands: []string{
				"cat out.txt",
				"for i in $(seq 1 50); do wget -q -O - http://web:8080/ && exit 0; sleep 0.2; done; exit 1"}},
		},
	}
	setupStage(t, e, spec)
	ctx := context.Background()
	if err := e.Start(ctx, spec.StageID, spec.Steps[0]); err != nil {
		t.Fatalf("start service: %v", err)
	}
	out, st := run(t, e, spec.StageID, spec.Steps[1])
	if st.ExitCode != 0 {
		t.Fatalf("build exited %d: %q", st.ExitCode, out)
	}
	wantContains(t, out, "+ cat README", "hello from the clone", "script ran", "from-stage")
	out, st = run(t, e, spec.StageID, spec.Steps[2])
	if st.ExitCode != 0 {
		t.Fatalf("test exited %d: %q", st.ExitCode, out)
	}
	wantContains(t, out, "built", "pong-from-service")
	if err := e.Stop(ctx, spec.StageID, "web", time.Second); err != nil {
		t.Errorf("stop service: %v", err)
	}
}

func TestSteps(t *testing.T) {
	e, img := newEngine(t, "runner-steps")
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "host-file"), []byte("on the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := &core.Spec{StageID: "steps1", Workspace: core.Workspace{HostDir: clone(t)},
		Steps: []*core.SpecStep{{Name: "x", Image: img}}}
	setupStage(t, e, spec)
	tests := []struct {
		name     string
		step     core.SpecStep
		wantCode int
		wantOut  []string
	}{
		{"workspace", core.SpecStep{Commands: []string{"pwd", "cat README"}}, 0, []string{DefaultWorkspace, "hello from the clone"}},
		{"env", core.SpecStep{Commands: []string{`echo "[$A] [$B]"`}, Environment: map[string]string{"A": "a b", "B": "$not-expanded"}}, 0,
			[]string{"[a b] [$not-expanded]"}},
		{"workdir", core.SpecStep{Commands: []string{"pwd"}, WorkingDir: "src/pkg"}, 0, []string{DefaultWorkspace + "/src/pkg"}},
		{"user", core.SpecStep{Commands: []string{"id -u"}, User: "1234"}, 0, []string{"1234"}},
		{"entrypoint", core.SpecStep{Entrypoint: []string{"/bin/echo"}, Command: []string{"from", "entrypoint"}}, 0, []string{"from entrypoint"}},
		{"fails", core.SpecStep{Commands: []string{"echo before", "false", "echo after"}}, 1, []string{"before"}},
		{"skip-78", core.SpecStep{Commands: []string{"exit 78"}}, 78, nil},
		{"killed", core.SpecStep{Commands: []string{"sh -c 'kill -9 $$'"}}, 137, nil},
		{"stderr", core.SpecStep{Commands: []string{"echo on-stderr >&2"}}, 0, []string{"on-stderr"}},
		{"volumes-write", core.SpecStep{Commands: []string{"echo shared > /cache/f"},
			Volumes: []*core.VolumeMount{{Name: "cache", Path: "/cache"}}}, 0, nil},
		{"volumes-read", core.SpecStep{Commands: []string{"cat /cache/f", "cat /host/host-file"},
			Volumes: []*core.VolumeMount{{Name: "cache", Path: "/cache"}, {HostPath: hostDir, Path: "/host"}}}, 0,
			[]string{"shared", "on the host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := tt.step
			step.Name, step.Image = tt.name, img
			out, st := run(t, e, spec.StageID, &step)
			if st.ExitCode != tt.wantCode {
				t.Errorf("exit code %d, want %d (output %q)", st.ExitCode, tt.wantCode, out)
			}
			wantContains(t, out, tt.wantOut...)
			if tt.name == "fails" && strings.Contains(out, "after") {
				t.Errorf("the script went on after a failure: %q", out)
			}
		})
	}
}

func TestPullPolicy(t *testing.T) {
	e, img := newEngine(t, "runner-pull")
	spec := &core.Spec{StageID: "pull1"}
	setupStage(t, e, spec)
	ctx := context.Background()
	tests := []struct {
		name, image, pull string
		wantErr           error
		wantText          []string
	}{
		{"never-missing", "drover-test-absent:1", PullNever, core.ErrNotFound, []string{"drover-test-absent:1", "never"}},
		{"always-unreachable", "127.0.0.1:1/drover/absent:1", PullAlways, nil, []string{"127.0.0.1:1/drover/absent:1"}},
		{"unknown-policy", img, "sometimes", core.ErrInvalid, []string{"sometimes"}},
		{"never-present", img, PullNever, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := &core.SpecStep{Name: tt.name, Image: tt.image, Pull: tt.pull, Commands: []string{"true"}}
			err := e.Start(ctx, spec.StageID, step)
			if tt.wantText == nil {
				if err != nil {
					t.Fatalf("start: %v", err)
				}
				if st, err := e.Wait(ctx, spec.StageID, tt.name); err != nil || st.ExitCode != 0 {
					t.Errorf("wait: %v %+v", err, st)
				}
				return
			}
			if err == nil {
				t.Fatal("start succeeded, want a pull error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestStopMidStep(t *testing.T) {
	e, img := newEngine(t, "runner-stop")
	spec := &core.Spec{StageID: "stop1", Workspace: core.Workspace{HostDir: clone(t)}, Steps: []*core.SpecStep{{Name: "x", Image: img}}}
	setupStage(t, e, spec)
	ctx := context.Background()
	step := &core.SpecStep{Name: "long", Image: img, Commands: []string{"echo started", "sleep 300"}}
	if err := e.Start(ctx, spec.StageID, step); err != nil {
		t.Fatal(err)
	}
	rc, err := e.Tail(ctx, spec.StageID, "long")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 64)
	n, err := rc.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "started") {
		t.Fatalf("first read %q, %v", buf[:n], err)
	}
	if err := e.Stop(ctx, spec.StageID, "long", time.Second); err != nil {
		t.Fatalf("stop: %v", err)
	}
	st, err := e.Wait(ctx, spec.StageID, "long")
	if err != nil {
		t.Fatal(err)
	}
	if st.ExitCode != 137 && st.ExitCode != 143 {
		t.Errorf("exit code after stop %d, want 137 or 143", st.ExitCode)
	}
}

// TestDestroyFromFreshEngine leaves a service running and removes the stage
// from another engine instance that never saw it.
func TestDestroyFromFreshEngine(t *testing.T) {
	e, img := newEngine(t, "runner-fresh")
	spec := &core.Spec{StageID: "fresh1", Workspace: core.Workspace{HostDir: clone(t)},
		Steps: []*core.SpecStep{{Name: "svc", Image: img, Detach: true, Commands: []string{"sleep 300"}}}}
	ctx := context.Background()
	if err := e.Setup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, spec.StageID, spec.Steps[0]); err != nil {
		t.Fatal(err)
	}
	if c, n, v := leftovers(t, e, spec.StageID); c != 1 || n != 1 || v != 1 {
		t.Fatalf("before destroy: %d containers, %d networks, %d volumes; want 1 each", c, n, v)
	}
	fresh, _ := newEngine(t, "runner-fresh")
	for i := range 2 {
		if err := fresh.Destroy(ctx, spec.StageID); err != nil {
			t.Fatalf("destroy #%d: %v", i+1, err)
		}
	}
	assertNothingLeft(t, fresh, spec.StageID)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := e.Wait(wctx, spec.StageID, "svc"); err != nil {
		t.Errorf("the first engine did not see its service end: %v", err)
	}
	if err := e.Destroy(ctx, spec.StageID); err != nil {
		t.Errorf("destroy from the first engine: %v", err)
	}
}

// TestPrune removes a runner's leftovers except the stages it holds, and
// never another runner's.
func TestPrune(t *testing.T) {
	a, img := newEngine(t, "runner-prune-a")
	b, _ := newEngine(t, "runner-prune-b")
	ctx := context.Background()
	mk := func(e *Engine, id string) {
		spec := &core.Spec{StageID: id, Steps: []*core.SpecStep{{Name: "svc", Image: img, Detach: true, Commands: []string{"sleep 300"}}}}
		if err := e.Setup(ctx, spec); err != nil {
			t.Fatal(err)
		}
		if err := e.Start(ctx, id, spec.Steps[0]); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Destroy(context.Background(), id); assertNothingLeft(t, e, id) })
	}
	mk(a, "prune-held")
	mk(a, "prune-stale")
	mk(b, "prune-other")
	restarted, err := New(Config{RunnerID: "runner-prune-a"})
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	pruned, err := restarted.Prune(ctx, []string{"prune-held"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pruned) != 1 || pruned[0] != "prune-stale" {
		t.Errorf("pruned %v, want [prune-stale]", pruned)
	}
	assertNothingLeft(t, a, "prune-stale")
	for _, id := range []string{"prune-held", "prune-other"} {
		if c, n, v := leftovers(t, a, id); c != 1 || n != 1 || v != 1 {
			t.Errorf("prune touched %s: %d containers, %d networks, %d volumes left of 1 each", id, c, n, v)
		}
	}
}

// TestDestroyKeepsAnotherRunnersStage: a runner destroying a stage id
// never removes the resources another runner on the daemon holds for the
// same id (stage ids are unique per server, not per daemon).
func TestDestroyKeepsAnotherRunnersStage(t *testing.T) {
	a, img := newEngine(t, "runner-destroy-a")
	b, _ := newEngine(t, "runner-destroy-b")
	ctx := context.Background()
	id := "destroy-shared"
	spec := &core.Spec{StageID: id, Steps: []*core.SpecStep{{Name: "svc", Image: img, Detach: true, Commands: []string{"sleep 300"}}}}
	if err := a.Setup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Destroy(context.Background(), id); assertNothingLeft(t, a, id) })
	if err := a.Start(ctx, id, spec.Steps[0]); err != nil {
		t.Fatal(err)
	}
	if err := b.Destroy(ctx, id); err != nil {
		t.Fatal(err)
	}
	if c, n, v := leftovers(t, a, id); c != 1 || n != 1 || v != 1 {
		t.Errorf("another runner's destroy left %d containers, %d networks, %d volumes of 1 each", c, n, v)
	}
}
