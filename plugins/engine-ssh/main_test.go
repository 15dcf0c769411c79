package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/internal/plugintest"
)

// TestRestartedPluginDestroys kills the plugin process mid-stage and
// destroys the stage through its restarted process, which finds the
// stage's server in its state directory.
func TestRestartedPluginDestroys(t *testing.T) {
	sshd := testenv.StartSSHD(t)
	remoteRoot := t.TempDir()
	p := plugintest.Launch(t, "github.com/drover-ci/drover/plugins/engine-ssh", "ssh", map[string]any{
		"known_hosts": sshd.KnownHosts, "remote_root": remoteRoot, "state_dir": t.TempDir()})
	ctx := context.Background()
	spec := &core.Spec{StageID: "plugin-kill-ssh", Workspace: core.Workspace{HostDir: t.TempDir()},
		Options: map[string]any{"server": map[string]any{
			"host": sshd.Host, "port": sshd.Port, "user": sshd.User, "ssh_key": string(sshd.ClientKey)}}}
	if err := p.Engine.Setup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := p.Engine.Start(ctx, spec.StageID, &core.SpecStep{Name: "long", Commands: []string{"sleep 300 & sleep 300"}}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(remoteRoot, spec.StageID)
	waitFor(t, func() bool { return len(testenv.ProcessesIn(dir)) >= 2 })
	p.Kill(t)
	if err := p.Engine.Destroy(ctx, spec.StageID); err != nil {
		t.Fatalf("destroy from the restarted plugin: %v", err)
	}
	waitFor(t, func() bool { return len(testenv.ProcessesIn(dir)) == 0 })
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("remote stage directory left behind: %v", err)
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
