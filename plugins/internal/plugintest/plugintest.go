// Package plugintest runs an engine plugin the way the runner does: its
// binary built from source, launched and configured by sdk/host, so that
// tests can kill the process mid-stage and talk to its restarted self.
package plugintest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/host"
)

// Plugin is one engine instance running as a plugin process.
type Plugin struct {
	Engine core.Engine // the host's client; it follows restarts
	host   *host.Host
	name   string
}

// Launch builds the main package pkg (an import path) as drover-engine-<name>
// into a temporary plugin directory and starts it as the engine instance
// <name> with options. Everything stops when the test ends.
func Launch(t testing.TB, pkg, name string, options map[string]any) *Plugin {
	t.Helper()
	dir := t.TempDir()
	plugin := "drover-engine-" + name
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, plugin), pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
	h := host.New(host.Options{
		Dir:          dir,
		Instances:    []host.Instance{{Kind: host.KindEngine, Name: name, Plugin: plugin, Options: options}},
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: 50 * time.Millisecond, HealthInterval: time.Second,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second,
		StartTimeout: 30 * time.Second, CallTimeout: 30 * time.Second,
	})
	t.Cleanup(func() { _ = h.Close() })
	if err := h.Start(context.Background()); err != nil {
		t.Fatalf("start plugin %s: %v", plugin, err)
	}
	e, err := h.Engine(name)
	if err != nil {
		t.Fatalf("engine %s: %v", name, err)
	}
	return &Plugin{Engine: e, host: h, name: name}
}

// status returns the instance's status.
func (p *Plugin) status() host.Status {
	for _, s := range p.host.Status() {
		if s.Kind == host.KindEngine && s.Name == p.name {
			return s
		}
	}
	return host.Status{}
}

// Kill kills the plugin process with SIGKILL and waits until the host has
// restarted it (running again, with a new pid).
func (p *Plugin) Kill(t testing.TB) {
	t.Helper()
	before := p.status()
	if before.PID == 0 {
		t.Fatalf("plugin %s has no process: %+v", p.name, before)
	}
	proc, err := os.FindProcess(before.PID)
	if err == nil {
		err = proc.Kill()
	}
	if err != nil {
		t.Fatalf("kill plugin: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := p.status()
		if s.State == host.StateRunning && s.PID != 0 && s.PID != before.PID {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin %s was not restarted: %+v", p.name, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
