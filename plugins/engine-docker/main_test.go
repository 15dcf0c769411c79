package main

import (
	"context"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/engine-docker/docker"
	"github.com/drover-ci/drover/plugins/internal/plugintest"
)

// TestRestartedPluginDestroys kills the plugin process mid-stage (a step
// and a service running) and destroys the stage through its restarted
// process.
func TestRestartedPluginDestroys(t *testing.T) {
	img := testenv.BusyboxImage(t)
	probe, err := docker.New(docker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	p := plugintest.Launch(t, "github.com/drover-ci/drover/plugins/engine-docker", "docker",
		map[string]any{"runner_id": "runner-plugin-kill", "log_dir": t.TempDir()})
	ctx := context.Background()
	spec := &core.Spec{StageID: "plugin-kill-docker", Workspace: core.Workspace{HostDir: t.TempDir()}}
	if err := p.Engine.Setup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*core.SpecStep{
		{Name: "svc", Image: img, Detach: true, Commands: []string{"sleep 300"}},
		{Name: "long", Image: img, Commands: []string{"sleep 300"}},
	} {
		if err := p.Engine.Start(ctx, spec.StageID, s); err != nil {
			t.Fatal(err)
		}
	}
	p.Kill(t)
	if err := p.Engine.Destroy(ctx, spec.StageID); err != nil {
		t.Fatalf("destroy from the restarted plugin: %v", err)
	}
	left, err := probe.Resources(ctx, spec.StageID)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
