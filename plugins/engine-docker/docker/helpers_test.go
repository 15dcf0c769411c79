package docker

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// newEngine returns an engine on the local daemon with its own runner id,
// and the busybox test image.
func newEngine(t testing.TB, runnerID string) (*Engine, string) {
	t.Helper()
	img := testenv.BusyboxImage(t)
	e, err := New(Config{RunnerID: runnerID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Every test destroys what it made: nothing of its runner is left.
		f := filters.NewArgs(filters.Arg("label", LabelRunner+"="+runnerID))
		ctx := context.Background()
		cs, _ := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
		ns, _ := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
		vs, _ := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
		if len(cs)+len(ns)+len(vs.Volumes) > 0 {
			t.Errorf("runner %s left %d containers, %d networks, %d volumes", runnerID, len(cs), len(ns), len(vs.Volumes))
		}
		e.Close()
	})
	return e, img
}

// clone returns a directory standing for the runner's clone.
func clone(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hello from the clone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "src", "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "pkg", "run.sh"), []byte("#!/bin/sh\necho script ran\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// setupStage sets a stage up and registers its destruction and the check
// that nothing of it is left.
func setupStage(t testing.TB, e *Engine, spec *core.Spec) {
	t.Helper()
	ctx := context.Background()
	if err := e.Setup(ctx, spec); err != nil {
		t.Fatalf("setup: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Destroy(context.Background(), spec.StageID); err != nil {
			t.Errorf("destroy: %v", err)
		}
		assertNothingLeft(t, e, spec.StageID)
	})
}

// leftovers counts the containers, networks and volumes labelled with the
// stage id.
func leftovers(t testing.TB, e *Engine, stageID string) (containers, networks, volumes int) {
	t.Helper()
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", LabelStage+"="+stageID))
	cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	return len(cs), len(ns), len(vs.Volumes)
}

func assertNothingLeft(t testing.TB, e *Engine, stageID string) {
	t.Helper()
	if c, n, v := leftovers(t, e, stageID); c+n+v > 0 {
		t.Errorf("stage %s left %d containers, %d networks, %d volumes", stageID, c, n, v)
	}
}

// run starts a step, reads its whole output and waits for it.
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

func wantContains(t testing.TB, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output %q lacks %q", out, w)
		}
	}
}
