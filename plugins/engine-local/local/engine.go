// Package local is Drover's local engine: it runs steps as processes on the
// runner's host, in a per-stage copy of the workspace, each step in its own
// process group so that stopping it ends the whole tree. It runs whatever a
// pipeline asks on the host, so it is meant for trusted repositories only.
package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/enginekit"
	"github.com/drover-ci/drover/plugins/internal/workspace"
)

// Version is the engine's version, reported by Info.
const Version = "0.1.0"

// Config configures the engine (the options of its [[engine]] table).
type Config struct {
	// Root is the directory holding one directory per stage
	// (<Root>/<stage id>/workspace). Default: <os.TempDir()>/drover-local.
	Root string `json:"root,omitempty"`
	// InheritEnv passes the engine process's whole environment to steps;
	// by default only PATH, HOME, USER, LANG, TMPDIR and TZ are passed.
	InheritEnv bool `json:"inherit_env,omitempty"`
}

// Engine runs steps as host processes. Safe for concurrent use.
type Engine struct {
	cfg    Config
	steps  enginekit.Steps
	mu     sync.Mutex
	stages map[string]*core.Spec
}

var _ core.Engine = (*Engine)(nil)

// New returns an engine with cfg; the zero Config is usable.
func New(cfg Config) *Engine {
	if cfg.Root == "" {
		cfg.Root = filepath.Join(os.TempDir(), "drover-local")
	}
	return &Engine{cfg: cfg, stages: map[string]*core.Spec{}}
}

// Info describes the engine.
func (e *Engine) Info(ctx context.Context) (core.EngineInfo, error) {
	return core.EngineInfo{Name: "local", Version: Version, OS: runtime.GOOS, Arch: runtime.GOARCH}, nil
}

var stageIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// stageDir is the directory of one stage; the id is checked so that it
// cannot name a path outside Root.
func (e *Engine) stageDir(stageID string) (string, error) {
	if !stageIDPattern.MatchString(stageID) {
		return "", core.Errorf(core.CodeInvalid, "invalid stage id %q", stageID)
	}
	return filepath.Join(e.cfg.Root, stageID), nil
}

// WorkspaceDir is where the steps of a stage run.
func (e *Engine) WorkspaceDir(stageID string) (string, error) {
	dir, err := e.stageDir(stageID)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "workspace"), nil
}

// Setup creates the stage's directory and copies the workspace into it.
func (e *Engine) Setup(ctx context.Context, spec *core.Spec) error {
	if spec == nil {
		return core.Errorf(core.CodeInvalid, "setup: no spec")
	}
	if err := checkPlatform(); err != nil {
		return err
	}
	dir, err := e.stageDir(spec.StageID)
	if err != nil {
		return err
	}
	ws := filepath.Join(dir, "workspace")
	for _, sub := range []string{"scripts", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return fmt.Errorf("setup stage %s: %w", spec.StageID, err)
		}
	}
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return fmt.Errorf("setup stage %s: %w", spec.StageID, err)
	}
	if spec.Workspace.HostDir != "" && !spec.Clone.Disable {
		if err := workspace.Copy(ctx, spec.Workspace.HostDir, ws); err != nil {
			return fmt.Errorf("setup stage %s: %w", spec.StageID, err)
		}
	}
	e.mu.Lock()
	e.stages[spec.StageID] = spec
	e.mu.Unlock()
	return nil
}

// Destroy kills every process left from the stage's steps (also those
// started by another engine process, found by the marker variable in their environment)
// and removes the stage's directory. It is idempotent.
func (e *Engine) Destroy(ctx context.Context, stageID string) error {
	dir, err := e.stageDir(stageID)
	if err != nil {
		return err
	}
	for _, p := range e.steps.Remove(stageID) {
		_ = p.Stop(ctx, 0)
		p.CloseLog()
	}
	killLeftovers(stageID)
	e.mu.Lock()
	delete(e.stages, stageID)
	e.mu.Unlock()
	if err := os.RemoveAll(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("destroy stage %s: %w", stageID, err)
	}
	return nil
}

func (e *Engine) spec(stageID string) *core.Spec {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stages[stageID]
}
