package server_test

import (
	"context"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/engine-docker/docker"
	"github.com/drover-ci/drover/sdk/host"
)

// TestRunnerPrunesDockerLeftoversAtStart: a stage left running on the
// daemon by an earlier life of this runner (same runner id) is removed when
// the server's local runner starts, through the docker plugin binary's
// Prune; another runner's stage on the same daemon is left alone.
func TestRunnerPrunesDockerLeftoversAtStart(t *testing.T) {
	image := testenv.BusyboxImage(t)
	runnerID := uniqueID("e2e-prune")
	ctx := context.Background()
	// leave sets up a stage with a running service as runner would have.
	leave := func(runner, stage string) *docker.Engine {
		e, err := docker.New(docker.Config{RunnerID: runner, LogDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Destroy(context.Background(), stage); e.Close() })
		spec := &core.Spec{StageID: stage, Steps: []*core.SpecStep{
			{Name: "svc", Image: image, Pull: "never", Detach: true, Commands: []string{"sleep 300"}}}}
		if err := e.Setup(ctx, spec); err != nil {
			t.Fatal(err)
		}
		if err := e.Start(ctx, stage, spec.Steps[0]); err != nil {
			t.Fatal(err)
		}
		return e
	}
	staleID, otherID := uniqueID("stale"), uniqueID("other")
	stale := leave(runnerID, staleID)
	other := leave(uniqueID("e2e-prune-other"), otherID)
	for _, s := range []struct {
		e  *docker.Engine
		id string
	}{{stale, staleID}, {other, otherID}} {
		if left, err := s.e.Resources(ctx, s.id); err != nil || len(left) != 3 {
			t.Fatalf("stage %s before the runner starts: %v %v; want a container, a network and a volume", s.id, left, err)
		}
	}

	newEngineHarness(t, &gitServer{}, host.Instance{Kind: host.KindEngine, Name: "docker", Plugin: "drover-engine-docker",
		Options: map[string]any{"runner_id": runnerID, "log_dir": t.TempDir()}})

	eventuallyNone(t, "the stale stage of this runner", func() []string {
		left, err := stale.Resources(ctx, staleID)
		if err != nil {
			return []string{err.Error()}
		}
		return left
	})
	if left, err := other.Resources(ctx, otherID); err != nil || len(left) != 3 {
		t.Errorf("another runner's stage after the prune: %v %v; want it untouched", left, err)
	}
}
