package enginetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// Factory returns a fresh engine implementation, as a newly started plugin
// process would have it (no state from earlier instances). The kit serves
// it over gRPC itself.
type Factory func(t *testing.T) core.Engine

// Config adapts the kit's portable steps to an engine. Steps are POSIX sh
// commands in SpecStep.Commands (and the same joined into Script), run in
// Image when the engine runs containers.
type Config struct {
	Image         string        // image of every step (container engines); busybox or alpine
	Shell         string        // SpecStep.Shell; default /bin/sh
	Type          string        // Spec.Type; default "kit"
	WorkspacePath string        // Spec.Workspace.Path; default /drover/src
	OutputBytes   int64         // size of the large-output step; default 100 MB
	Grace         time.Duration // Stop's grace period; default 2s
	Timeout       time.Duration // per case; default 5m
	// Options, when set, are handed to Configure of every engine instance.
	Options map[string]any
	// Leftovers, when set, lists what is left of a destroyed stage (containers,
	// volumes, directories); the kit expects nothing.
	Leftovers func(ctx context.Context, stageID string) ([]string, error)
}

func (c Config) withDefaults() Config {
	if c.Shell == "" {
		c.Shell = "/bin/sh"
	}
	if c.Type == "" {
		c.Type = "kit"
	}
	if c.WorkspacePath == "" {
		c.WorkspacePath = "/drover/src"
	}
	if c.OutputBytes == 0 {
		c.OutputBytes = 100_000_000
	}
	if c.Grace == 0 {
		c.Grace = 2 * time.Second
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Minute
	}
	return c
}

// kit is one run of the suite.
type kit struct {
	t       *testing.T
	factory Factory
	cfg     Config
}

// Run runs the conformance suite against engines made by factory, each
// served through the real gRPC path (Connect).
func Run(t *testing.T, factory Factory, cfg Config) {
	k := &kit{t: t, factory: factory, cfg: cfg.withDefaults()}
	cases := []struct {
		name string
		run  func(t *testing.T, k *kit)
	}{
		{"Info", testInfo},
		{"Order", testOrder},
		{"Workspace", testWorkspace},
		{"ExitCodes", testExitCodes},
		{"EnvAndWorkingDir", testEnvAndWorkingDir},
		{"BinaryAndLongLines", testBinaryAndLongLines},
		{"UnknownStep", testUnknownStep},
		{"Cancel", testCancel},
		{"Destroy", testDestroy},
		{"SideBySide", testSideBySide},
		{"LargeOutput", testLargeOutput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, k) })
	}
}

// engine returns a new engine instance behind gRPC, configured.
func (k *kit) engine(t *testing.T) core.Engine {
	t.Helper()
	c := Connect(t, k.factory(t))
	if k.cfg.Options != nil {
		if err := c.Configure(k.ctx(t), k.cfg.Options); err != nil {
			t.Fatalf("configure: %v", err)
		}
	}
	return c
}

func (k *kit) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), k.cfg.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// spec returns a stage spec whose workspace is a new host directory
// holding files.
func (k *kit) spec(t *testing.T, files map[string]string) *core.Spec {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &core.Spec{
		StageID:   "kit-" + token(),
		Name:      t.Name(),
		Type:      k.cfg.Type,
		Workspace: core.Workspace{HostDir: dir, Path: k.cfg.WorkspacePath},
	}
}

// step returns a portable step running commands with POSIX sh.
func (k *kit) step(name string, commands ...string) *core.SpecStep {
	return &core.SpecStep{
		Name:      name,
		Image:     k.cfg.Image,
		Pull:      "if-not-exists",
		Commands:  commands,
		Script:    "set -e\n" + strings.Join(commands, "\n") + "\n",
		Shell:     k.cfg.Shell,
		RunPolicy: core.RunOnSuccess,
	}
}

// setup sets the stage up and destroys it when the test ends.
func (k *kit) setup(t *testing.T, e core.Engine, spec *core.Spec) {
	t.Helper()
	if err := e.Setup(k.ctx(t), spec); err != nil {
		t.Fatalf("setup: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := e.Destroy(ctx, spec.StageID); err != nil {
			t.Errorf("destroy: %v", err)
		}
	})
}

// result is what a step printed and how it ended.
type result struct {
	out   []byte
	state *core.StepState
}

// run starts a step, tails it to the end while waiting, and returns both.
func (k *kit) run(t *testing.T, e core.Engine, stageID string, step *core.SpecStep) result {
	t.Helper()
	ctx := k.ctx(t)
	if err := e.Start(ctx, stageID, step); err != nil {
		t.Fatalf("start %s: %v", step.Name, err)
	}
	rc, err := e.Tail(ctx, stageID, step.Name)
	if err != nil {
		t.Fatalf("tail %s: %v", step.Name, err)
	}
	var buf bytes.Buffer
	var wg sync.WaitGroup
	var tailErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, tailErr = io.Copy(&buf, rc)
		rc.Close()
	}()
	state, err := e.Wait(ctx, stageID, step.Name)
	if err != nil {
		t.Fatalf("wait %s: %v", step.Name, err)
	}
	wg.Wait()
	if tailErr != nil {
		t.Fatalf("tail %s: read: %v", step.Name, tailErr)
	}
	return result{out: buf.Bytes(), state: state}
}

// lines returns the output's lines without trace lines ("+ cmd") that
// engines may print before each command.
func lines(out []byte) []string {
	var ls []string
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if !strings.HasPrefix(l, "+ ") && l != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

func token() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
