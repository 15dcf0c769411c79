// Package shell is an example engine: every step is a shell process on the
// host, run in the stage's workspace directory (the runner's clone). Output
// goes to a file per step, which Tail follows; a stage's files live under
// Root/<stage id>, so Destroy works from a fresh process given only the id.
package shell

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine"
)

var (
	_ core.Engine       = (*Engine)(nil)
	_ engine.Configurer = (*Engine)(nil)
)

// Engine runs steps as host shell processes. Safe for concurrent use.
type Engine struct {
	mu     sync.Mutex
	root   string
	shell  string
	stages map[string]*stage
}

type stage struct {
	dir   string // Root/<stage id>: logs and pid files
	spec  *core.Spec
	steps map[string]*run
}

// New returns an engine keeping its files under the system's temporary
// directory.
func New() *Engine {
	return &Engine{
		root:   filepath.Join(os.TempDir(), "drover-engine-shell"),
		shell:  "/bin/sh",
		stages: map[string]*stage{},
	}
}

// Configure implements engine.Configurer. Options: root (where stage files
// go) and shell (the default shell).
func (e *Engine) Configure(_ context.Context, options map[string]any) error {
	var o struct {
		Root  string `json:"root"`
		Shell string `json:"shell"`
	}
	if err := engine.DecodeOptions(options, &o); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if o.Root != "" {
		if !filepath.IsAbs(o.Root) {
			return core.Errorf(core.CodeInvalid, "options: root %q must be an absolute path", o.Root)
		}
		e.root = o.Root
	}
	if o.Shell != "" {
		e.shell = o.Shell
	}
	return nil
}

// Info implements core.Describer.
func (e *Engine) Info(context.Context) (core.EngineInfo, error) {
	return core.EngineInfo{Name: "shell", Version: "0.1.0", OS: runtime.GOOS, Arch: runtime.GOARCH}, nil
}

// stageDir is where the stage's files live; the id is hex-encoded so that
// any id is a safe file name.
func (e *Engine) stageDir(stageID string) string {
	return filepath.Join(e.root, hex.EncodeToString([]byte(stageID)))
}

// Setup implements core.StageLifecycle.
func (e *Engine) Setup(_ context.Context, spec *core.Spec) error {
	if spec.Workspace.HostDir == "" {
		return core.Errorf(core.CodeInvalid, "setup: stage %s has no workspace directory", spec.StageID)
	}
	if fi, err := os.Stat(spec.Workspace.HostDir); err != nil || !fi.IsDir() {
		return core.Errorf(core.CodeInvalid, "setup: workspace %s is not a directory", spec.Workspace.HostDir)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.stages[spec.StageID]; ok {
		return core.Errorf(core.CodeConflict, "setup: stage %s is already set up", spec.StageID)
	}
	dir := e.stageDir(spec.StageID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return core.Errorf(core.CodeUnavailable, "setup: %v", err)
	}
	e.stages[spec.StageID] = &stage{dir: dir, spec: spec, steps: map[string]*run{}}
	return nil
}

// Destroy implements core.StageLifecycle: it kills what still runs (from
// the pid files, so a fresh process can do it) and removes the stage's files.
func (e *Engine) Destroy(_ context.Context, stageID string) error {
	e.mu.Lock()
	st := e.stages[stageID]
	delete(e.stages, stageID)
	dir := e.stageDir(stageID)
	e.mu.Unlock()
	if st != nil {
		for _, r := range st.steps {
			r.kill()
		}
	}
	killFromPidFiles(dir)
	if err := os.RemoveAll(dir); err != nil {
		return core.Errorf(core.CodeUnavailable, "destroy %s: %v", stageID, err)
	}
	return nil
}

// Leftovers lists what is left of a stage: its directory. For tests.
func (e *Engine) Leftovers(stageID string) []string {
	if _, err := os.Stat(e.stageDir(stageID)); err == nil {
		return []string{e.stageDir(stageID)}
	}
	return nil
}

func (e *Engine) find(stageID, step string) (*stage, *run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.stages[stageID]
	if !ok {
		return nil, nil, core.Errorf(core.CodeNotFound, "stage %s is not set up", stageID)
	}
	if step == "" {
		return st, nil, nil
	}
	r, ok := st.steps[step]
	if !ok {
		return nil, nil, core.Errorf(core.CodeNotFound, "step %s of stage %s not found", step, stageID)
	}
	return st, r, nil
}

// workDir maps the step's working directory onto the host: paths under the
// workspace path land in the workspace directory.
func workDir(spec *core.Spec, wd string) string {
	host, path := spec.Workspace.HostDir, spec.Workspace.Path
	switch {
	case wd == "":
		return host
	case path != "" && (wd == path || strings.HasPrefix(wd, strings.TrimSuffix(path, "/")+"/")):
		return filepath.Join(host, filepath.FromSlash(strings.TrimPrefix(wd, path)))
	case !filepath.IsAbs(wd):
		return filepath.Join(host, wd)
	}
	return wd
}
