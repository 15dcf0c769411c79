package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/plugins/internal/plugintest"
)

// TestRestartedPluginDestroys kills the plugin process mid-stage and
// destroys the stage through its restarted process.
func TestRestartedPluginDestroys(t *testing.T) {
	root := t.TempDir()
	p := plugintest.Launch(t, "github.com/drover-ci/drover/plugins/engine-local", "local", map[string]any{"root": root})
	ctx := context.Background()
	spec := &core.Spec{StageID: "plugin-kill-local", Workspace: core.Workspace{HostDir: t.TempDir()}}
	if err := p.Engine.Setup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	step := &core.SpecStep{Name: "long", Commands: []string{"sleep 300 & sleep 300"}}
	if err := p.Engine.Start(ctx, spec.StageID, step); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(local.Processes(spec.StageID)) >= 2 })
	p.Kill(t)
	if err := p.Engine.Destroy(ctx, spec.StageID); err != nil {
		t.Fatalf("destroy from the restarted plugin: %v", err)
	}
	waitFor(t, func() bool { return len(local.Processes(spec.StageID)) == 0 })
	if _, err := os.Stat(filepath.Join(root, spec.StageID)); !os.IsNotExist(err) {
		t.Errorf("stage directory left behind: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStepsEndWithThePlugin: a plugin killed by SIGKILL (with the runner
// that ran it) takes its steps' processes, a background one included,
// with it; nothing needs to destroy the stage for them to end.
func TestStepsEndWithThePlugin(t *testing.T) {
	p := plugintest.Launch(t, "github.com/drover-ci/drover/plugins/engine-local", "local", map[string]any{"root": t.TempDir()})
	ctx := context.Background()
	spec := &core.Spec{StageID: fmt.Sprintf("plugin-dies-local-%d", os.Getpid()), Workspace: core.Workspace{HostDir: t.TempDir()}}
	if err := p.Engine.Setup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	step := &core.SpecStep{Name: "long", Commands: []string{"sleep 300 & sleep 300"}}
	if err := p.Engine.Start(ctx, spec.StageID, step); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(local.Processes(spec.StageID)) >= 3 }) // supervisor, shell, sleeps
	p.Kill(t)
	waitFor(t, func() bool { return len(local.Processes(spec.StageID)) == 0 })
}
